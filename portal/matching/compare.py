"""Deciding whether two customer records are the same company (DESIGN §3.4, §3.4.1).

Pure functions, no database: detection loads candidates through `portal.matching.keys` and calls
`compare` on each, and `bench/matching_eval.py` measures `compare` on labelled pairs. Names are
read by `portal.matching.names`.

Evidence. `compare` collects signals (short codes, shown to people as sentences by
`portal.conflicts.evidence`) with weights, combined as independent evidence 1 − Π(1 − wᵢ):
`uscc` (same valid code: decisive), `name_exact` (same trade name, compatible regions and lines of
business: strong), `trade_name_other_business` (same trade name, lines of business that share
nothing: weak), `name_fuzzy:0.93`, `pinyin` (an English name spelling the Chinese trade name),
`domain`, `phone` (medium). `region_differs`, `switchboard` and `uscc_differs` (two legal
entities, unless one is a branch) weigh nothing. The outcome is `match` from `MATCH_SCORE`,
`possible` from `POSSIBLE_SCORE` on evidence other than a look-alike name alone, else `none`;
two different USCCs take a match down to possible and a possible to none. Every rule is
symmetric, so compare(a, b) and compare(b, a) agree.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from portal.matching import divisions as dv
from portal.matching.contact_keys import normalize_domain, phone_evidence
from portal.matching.keys import valid_uscc
from portal.matching.names import CJK_CHAR, NameParts, readings, record_names
from portal.matching.pinyin import spells

#: Similarity (rapidfuzz `fuzz.ratio` / 100 of the two cores) from which two different cores count
#: as a medium signal; one medium signal never matches alone, so the threshold only decides pairs
#: that also share a domain or a phone. At 0.50 two-character trade names differing in one
#: character (联想/联通, the commonest look-alike, always exactly 0.50) would count.
FUZZY_THRESHOLD = 0.60
#: Long names (from `NEAR_LENGTH` letters: Latin names, in practice) this similar differ by a
#: slip of the pen (Castell Marine / Castells Marine): a strong signal.
NEAR_THRESHOLD, NEAR_LENGTH = 0.9, 10
STRONG, MEDIUM, WEAK = 0.9, 0.6, 0.4
#: A strong signal alone (0.9) or two medium ones (1 − 0.4² = 0.84) reach this; one medium does
#: not, nor a weak and a medium one (0.76).
MATCH_SCORE = 0.8
#: A weak signal or one medium one — but a look-alike name alone is no reason to look.
POSSIBLE_SCORE = 0.4
#: A pair with two different valid USCCs keeps this share of its score.
USCC_DIFFERS_FACTOR = 0.2
OUTCOMES = ("match", "possible", "none")


@dataclass(frozen=True)
class MatchResult:
    score: float
    outcome: str
    signals: list[str] = field(default_factory=list)

    @property
    def is_match(self) -> bool:
        return self.outcome == "match"


def name_similarity(core_a: str, core_b: str) -> float:
    """Similarity 0..1 of two cores (normalised Indel similarity, symmetric)."""
    if not core_a or not core_b:
        return 0.0
    return fuzz.ratio(core_a, core_b) / 100


def regions_differ(region_a, region_b) -> bool:
    """True when both regions are known and neither contains the other (深圳 lies in 广东)."""
    return not dv.compatible(region_a, region_b)


# --- Comparison ----------------------------------------------------------------------------

_NAME_RANK = {"name_exact": 6, "name_near": 5, "pinyin": 4, "name_fuzzy": 3, "trade_name_other_business": 2,
              "region_differs": 1}


def _name_evidence(a: NameParts, b: NameParts, threshold: float) -> tuple[str, float] | None:
    """The name signal of two names and its weight, or None."""
    if not a.core or not b.core:
        return None
    cjk_a, cjk_b = bool(CJK_CHAR.search(a.core)), bool(CJK_CHAR.search(b.core))
    if cjk_a != cjk_b:
        latin, cjk = (b, a) if cjk_a else (a, b)
        if spells(latin, cjk):
            return ("region_differs", 0.0) if regions_differ(a.region, b.region) else ("pinyin", MEDIUM)
        return None
    if a.core == b.core:
        if regions_differ(a.region, b.region):
            return "region_differs", 0.0
        if a.sectors and b.sectors and not a.sectors & b.sectors:
            return "trade_name_other_business", WEAK
        return "name_exact", STRONG
    similarity = name_similarity(a.core, b.core)
    if similarity >= threshold:
        if regions_differ(a.region, b.region):
            return "region_differs", 0.0
        if similarity >= NEAR_THRESHOLD and min(len(a.core), len(b.core)) >= NEAR_LENGTH:
            return f"name_near:{similarity:.2f}", STRONG  # Castell Marine / Castells Marine
        return f"name_fuzzy:{similarity:.2f}", MEDIUM
    return None


def compare(a: Mapping, b: Mapping, *, fuzzy_threshold: float = FUZZY_THRESHOLD) -> MatchResult:
    """Weigh the evidence that customer records `a` and `b` (mappings with optional keys name,
    aliases, uscc, domain, phone) are the same company. Symmetric in `a` and `b`."""
    signals: list[str] = []
    weights: list[float] = []
    names_a, names_b = record_names(a), record_names(b)
    best: tuple | None = None
    branch = False
    for i, left in enumerate(names_a):
        readings_a = readings(left)
        for parts_a in readings_a:
            branch = branch or parts_a.branch
            for j, right in enumerate(names_b):
                readings_b = readings(right)
                for parts_b in readings_b:
                    found = _name_evidence(parts_a, parts_b, fuzzy_threshold)
                    if found and (parts_a is not readings_a[0] or parts_b is not readings_b[0]) \
                            and found[0].startswith(("name_fuzzy", "name_near")):
                        continue  # the second reading only serves to find the same trade name
                    if found:
                        via_alias = i > 0 or j > 0
                        rank = (found[1], _NAME_RANK[found[0].split(":")[0]], found[0], not via_alias)
                        if best is None or rank > best[0]:
                            best = (rank, found, via_alias)
    branch = branch or any(readings(n)[0].branch for n in names_b)
    if best is not None:
        (kind, weight), via_alias = best[1], best[2]
        signals.append(kind)
        if weight:
            weights.append(weight)
        if via_alias and weight:
            signals.append("alias")

    uscc_a, uscc_b = valid_uscc(a.get("uscc")), valid_uscc(b.get("uscc"))
    differs = False
    if uscc_a and uscc_b:
        if uscc_a == uscc_b:
            signals.insert(0, "uscc")
        elif branch:
            signals.append("branch_own_uscc")
        else:
            signals.append("uscc_differs")
            differs = True
    domain_a = normalize_domain(a.get("domain"))
    if domain_a and domain_a == normalize_domain(b.get("domain")):
        signals.append("domain")
        weights.append(MEDIUM)
    if phone := phone_evidence(a.get("phone"), b.get("phone")):
        signals.append(phone)
        if phone == "phone":
            weights.append(MEDIUM)

    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    score = round(1.0 - remaining, 4)
    if "uscc" in signals:
        return MatchResult(1.0, "match", signals)
    lookalike_only = len(weights) == 1 and signals[0].startswith("name_fuzzy")
    if score >= MATCH_SCORE:
        outcome = "match"
    elif score >= POSSIBLE_SCORE and not lookalike_only:
        outcome = "possible"
    else:
        outcome = "none"
    if differs:
        outcome = OUTCOMES[min(OUTCOMES.index(outcome) + 1, 2)]
        score = round(score * USCC_DIFFERS_FACTOR, 4)
    return MatchResult(score, outcome, signals)
