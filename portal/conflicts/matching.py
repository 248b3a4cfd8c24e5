"""Deciding whether two customer records are the same company (DESIGN §3.4).

Pure functions, no database: detection loads candidates through `blocking_keys` / `record_keys`
and calls `compare` on each, and `bench/matching_eval.py` measures `compare` on labelled pairs.

Names. A Chinese company name is region + trade name (字号) + industry + legal form
(北京 + 联想 + 科技 + 有限公司), and only the trade name identifies the company. `name_parts`
normalises (NFKC, so full-width becomes half-width; case fold; punctuation and spaces dropped),
then peels the outer layers using the word lists in `lexicon.py`:

1. brackets holding a region (联想(北京), Lenovo (Beijing)) or a legal form ((集团), (China)) go;
2. legal forms and branch suffixes go from the end, regions from the start or the end,
   national prefixes (中国, China) from the start — the result is `normalized`;
3. generic industry words (科技, 信息技术, Technologies …) go from the end — the result is `core`.

Nothing is stripped that would leave fewer than two characters, so 北京科技有限公司 keeps the core
科技 (and its region 北京). English region names map to the Chinese ones, so Lenovo (Beijing)
and 联想(北京) carry the same region, and a city is compatible with its province.

Evidence. `compare` collects signals, each a short string recorded with the conflict:
`uscc` (same valid code: decisive), `uscc_differs` (two different valid codes: two legal entities,
never a match), `name_exact` (same core: strong), `name_fuzzy:0.93` (similar cores: medium),
`region_differs` (the names agree but both carry different explicit regions — 北京联想 and 上海联想
are two companies, so the name counts for nothing), `domain` and `phone` (medium). Scores combine
as independent evidence, 1 − Π(1 − wᵢ); a strong signal alone or any two medium ones reach
`MATCH_SCORE`. Every rule is symmetric, so compare(a, b) and compare(b, a) agree.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from portal.conflicts import lexicon as lx
from portal.conflicts.lexicon import FREE_MAIL_DOMAINS
from portal.deals.uscc import UsccError, validate_uscc

__all__ = ["FREE_MAIL_DOMAINS", "FUZZY_THRESHOLD", "MATCH_SCORE", "MatchResult", "NameParts",
           "blocking_keys", "compare", "name_parts", "name_similarity", "normalize_domain",
           "normalize_name", "normalize_phone", "record_keys", "regions_differ"]

#: Similarity (rapidfuzz `fuzz.ratio` / 100 of the two cores) from which two different cores count
#: as a medium signal. Calibrated with `bench/matching_eval.py --sweep` on
#: bench/data/customer_pairs.csv (226 pairs): F1 is highest (0.986) on the plateau 0.51-0.62.
#: At 0.50 two-character trade names differing in one character (联想/联通, 华润医药/华润电力 —
#: the commonest Chinese look-alike, always exactly 0.50) start to match when they also share a
#: group domain or a switchboard; above 0.62 true pairs that need the fuzzy signal next to a domain
#: or phone are lost: Robert Bosch/Bosch (0.625), then 京东世纪/京东 and 柳工机械/柳工 (0.67).
#: 0.60 stays 0.1 clear of that look-alike cluster. One medium signal never matches alone, so the
#: threshold only decides pairs that already share a domain or a phone.
FUZZY_THRESHOLD = 0.60
STRONG, MEDIUM = 0.9, 0.6
#: A strong signal alone (0.9) or two medium ones (1 − 0.4² = 0.84) reach this; one medium does not.
MATCH_SCORE = 0.8
#: A pair with two different valid USCCs keeps this share of its score (and is never a match).
USCC_DIFFERS_FACTOR = 0.2
#: Nothing is stripped that would leave a shorter name than this.
MIN_CORE = 2

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SCRIPT_BOUNDARY = re.compile(f"(?<=[{_CJK}])(?=[^{_CJK}\\W_])|(?<=[^{_CJK}\\W_])(?=[{_CJK}])")
_NON_WORD = re.compile(r"[\W_]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_BRACKETS = str.maketrans("【】〔〕[]{}〈〉《》<>", "()()()()()()()")


def _by_length(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda word: (-len(word), word)))


_REGIONS_CN = _by_length(lx.REGION_FORMS_CN)
_LEGAL_CN = _by_length(lx.LEGAL_FORMS_CN)
_BRANCH_CN = _by_length(lx.BRANCH_CN)
_NATIONAL_CN = _by_length(lx.NATIONAL_CN)
_TAIL_CN = _by_length(lx.INDUSTRY_CN + lx.LEGAL_FORMS_CN)
_LEGAL_EN = lx.LEGAL_FORMS_EN | lx.NATIONAL_EN | lx.TRAILING_EN
_TAIL_EN = lx.INDUSTRY_EN | _LEGAL_EN
_DROP_IN_BRACKETS = set(lx.LEGAL_FORMS_CN) | set(lx.NATIONAL_CN) | lx.NATIONAL_EN | lx.LEGAL_FORMS_EN


class NameParts(NamedTuple):
    """A company name taken apart: `core` identifies the company, `region` is the explicit region
    (canonical Chinese short form such as 北京) or None, `normalized` keeps the industry words."""

    core: str
    region: str | None
    normalized: str


@dataclass(frozen=True)
class MatchResult:
    score: float
    is_match: bool
    signals: list[str] = field(default_factory=list)


# --- Names ---------------------------------------------------------------------------------

def _is_cjk(token: str) -> bool:
    return bool(_CJK_CHAR.match(token))


def _length(tokens: list[str]) -> int:
    return sum(len(token) for token in tokens)


def _strip_end(tokens: list[str], cjk_words, latin_words) -> str | None:
    """Remove one listed word from the end of the name, unless too little would remain."""
    last = tokens[-1]
    if _is_cjk(last):
        for word in cjk_words:
            if last.endswith(word) and _length(tokens) - len(word) >= MIN_CORE:
                tokens[-1] = last[:-len(word)]
                if not tokens[-1]:
                    tokens.pop()
                return word
        return None
    for count in (2, 1):
        word = "".join(tokens[-count:])
        if len(tokens) >= count and word in latin_words and _length(tokens) - len(word) >= MIN_CORE:
            del tokens[-count:]
            return word
    return None


def _strip_start(tokens: list[str], cjk_words, latin_words) -> str | None:
    """Remove one listed word from the start of the name, unless too little would remain."""
    first = tokens[0]
    if _is_cjk(first):
        for word in cjk_words:
            if first.startswith(word) and _length(tokens) - len(word) >= MIN_CORE:
                tokens[0] = first[len(word):]
                if not tokens[0]:
                    tokens.pop(0)
                return word
        return None
    for count in (2, 1):
        word = "".join(tokens[:count])
        if len(tokens) >= count and word in latin_words and _length(tokens) - len(word) >= MIN_CORE:
            del tokens[:count]
            return word
    return None


def _region(word: str | None) -> str | None:
    if not word:
        return None
    return lx.REGION_FORMS_CN.get(word) or lx.REGIONS_EN.get(word)


@lru_cache(maxsize=65536)
def _analyse(name: str) -> tuple[tuple[str, ...], str | None, str]:
    """(core tokens, region, normalized) for one name; see the module docstring."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_BRACKETS)
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    regions: list[str] = []

    def bracket(match: re.Match) -> str:
        inner = _NON_WORD.sub("", match.group(1))
        region = _region(inner)
        if region:
            regions.append(region)
            return " "
        return " " if inner in _DROP_IN_BRACKETS else f" {match.group(1)} "

    text = _BRACKETED.sub(bracket, text)
    tokens: list[str] = []
    for token in _NON_WORD.sub(" ", _SCRIPT_BOUNDARY.sub(" ", text)).split():
        if tokens and _is_cjk(token) and _is_cjk(tokens[-1]):
            tokens[-1] += token  # spaces inside Chinese text mean nothing: 联 想 = 联想
        else:
            tokens.append(token)
    if not tokens:
        return (), None, ""
    while True:
        if _strip_end(tokens, _BRANCH_CN, ()):
            _strip_end(tokens, _REGIONS_CN, lx.REGIONS_EN)  # where the branch is, not the company
        elif _strip_end(tokens, _LEGAL_CN, _LEGAL_EN):
            pass
        elif _strip_start(tokens, _NATIONAL_CN, lx.NATIONAL_EN | lx.LEADING_EN):
            pass
        elif region := _region(_strip_start(tokens, _REGIONS_CN, lx.REGIONS_EN)
                               or _strip_end(tokens, _REGIONS_CN, lx.REGIONS_EN)):
            regions.append(region)
        else:
            break
    normalized = "".join(tokens)
    while True:
        if _strip_end(tokens, _TAIL_CN, _TAIL_EN):
            pass
        elif region := _region(_strip_end(tokens, _REGIONS_CN, lx.REGIONS_EN)):
            regions.append(region)  # ABC北京科技: the region came after the trade name
        else:
            break
    # The most specific region wins: 广东省深圳市华为 is in 深圳.
    cities = [region for region in regions if region in lx.REGION_PARENT]
    return tuple(tokens), (cities or regions or [None])[0], normalized


def name_parts(name) -> NameParts:
    """Take a company name apart into core (trade name), explicit region and normalised form."""
    tokens, region, normalized = _analyse(str(name or ""))
    return NameParts("".join(tokens), region, normalized)


def normalize_name(name) -> str:
    """The core trade name: 北京联想科技有限公司, 联想(北京)有限公司 → 联想; Lenovo (Beijing)
    Co., Ltd. → lenovo. Empty for an empty name."""
    return name_parts(name).core


def name_similarity(core_a: str, core_b: str) -> float:
    """Similarity 0..1 of two cores (normalised Indel similarity, symmetric)."""
    if not core_a or not core_b:
        return 0.0
    return fuzz.ratio(core_a, core_b) / 100


def regions_differ(region_a: str | None, region_b: str | None) -> bool:
    """True when both regions are known and neither contains the other (深圳 lies in 广东)."""
    if not region_a or not region_b or region_a == region_b:
        return False
    return region_a != lx.REGION_PARENT.get(region_b) and region_b != lx.REGION_PARENT.get(region_a)


def blocking_keys(name) -> set[str]:
    """Short keys for the indexed candidate search (at most 8 per name).

    The core itself; for Chinese text its character bigrams (a variant that keeps an unlisted
    industry word, 京东世纪 / 京东, still shares one); for Latin text the first word and the
    first and last four letters (a typo rarely hits both ends)."""
    tokens, _region_, _normalized = _analyse(str(name or ""))
    core = "".join(tokens)
    if not core:
        return set()
    keys = [core]
    if not _is_cjk(tokens[0]):
        keys += [tokens[0], core[:4], core[-4:]]
    bigrams = [run[i:i + 2] for run in _CJK_RUN.findall(core) for i in range(len(run) - 1)]
    keys += bigrams[:3] + bigrams[3:][-3:]  # both ends of a long name
    return set(list(dict.fromkeys(key for key in keys if len(key) >= MIN_CORE))[:8])


# --- Domains and phones --------------------------------------------------------------------

_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def normalize_domain(value) -> str | None:
    """The registrable domain (lenovo.com, lenovo.com.cn) of an e-mail address, a URL or a bare
    domain, lower-case and without www; None for free-mail providers and for what is not a domain."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().casefold()
    if not text:
        return None
    if "@" in text and "://" not in text:
        host = re.split(r"[\s>;,/?#]", text.rsplit("@", 1)[1])[0]
    else:
        try:
            host = urlsplit(text if "://" in text else "//" + text).hostname or ""
        except ValueError:
            return None
    host = host.strip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    if not _HOST.match(host) or host.rsplit(".", 1)[1].isdigit():
        return None
    labels = host.split(".")
    size = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in lx.MULTI_LABEL_SUFFIXES else 2
    domain = ".".join(labels[-size:])
    if domain in FREE_MAIL_DOMAINS or host in FREE_MAIL_DOMAINS:
        return None
    return domain


_EXTENSION = re.compile(r"(ext|extension|x|转|分机|#).*$")
_SEVERAL = re.compile(r"[/、,;，；]|\bor\b|或")


def normalize_phone(value) -> str | None:
    """Digits of a Chinese phone number without country code (+86, 0086) or trunk 0, so that
    029-8888 1234, +86 29 88881234 and (029)88881234 are equal; the first of several numbers;
    extensions dropped. None when fewer than 7 digits remain."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    text = _EXTENSION.sub("", _SEVERAL.split(text)[0])
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and (len(digits) >= 11 or text.lstrip().startswith("+")):
        digits = digits[2:]  # no Chinese number starts with 86 once its trunk 0 is written
    if digits.startswith("0") and not digits.startswith("00"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else None


def _uscc(value) -> str | None:
    try:
        return validate_uscc(value) if value else None
    except UsccError:
        return None


def record_keys(record: Mapping) -> set[str]:
    """Every blocking key of a customer record, prefixed by kind (n: name, u: USCC, d: domain,
    p: phone), for one indexed key table that finds candidates on any signal."""
    keys = {f"n:{key}" for key in blocking_keys(record.get("name"))}
    for prefix, value in (("u", _uscc(record.get("uscc"))),
                          ("d", normalize_domain(record.get("domain"))),
                          ("p", normalize_phone(record.get("phone")))):
        if value:
            keys.add(f"{prefix}:{value}")
    return keys


# --- Comparison ----------------------------------------------------------------------------

def compare(a: Mapping, b: Mapping, *, fuzzy_threshold: float = FUZZY_THRESHOLD) -> MatchResult:
    """Weigh the evidence that customer records `a` and `b` (mappings with optional keys name,
    uscc, domain, phone) are the same company. Symmetric in `a` and `b`."""
    signals: list[str] = []
    weights: list[float] = []
    uscc_a, uscc_b = _uscc(a.get("uscc")), _uscc(b.get("uscc"))
    if uscc_a and uscc_b:
        signals.append("uscc" if uscc_a == uscc_b else "uscc_differs")

    name_a, name_b = name_parts(a.get("name")), name_parts(b.get("name"))
    similarity = name_similarity(name_a.core, name_b.core)
    if similarity >= fuzzy_threshold:
        if regions_differ(name_a.region, name_b.region):
            signals.append("region_differs")
        elif name_a.core == name_b.core:
            signals.append("name_exact")
            weights.append(STRONG)
        else:
            signals.append(f"name_fuzzy:{similarity:.2f}")
            weights.append(MEDIUM)

    domain_a = normalize_domain(a.get("domain"))
    if domain_a and domain_a == normalize_domain(b.get("domain")):
        signals.append("domain")
        weights.append(MEDIUM)
    phone_a = normalize_phone(a.get("phone"))
    if phone_a and phone_a == normalize_phone(b.get("phone")):
        signals.append("phone")
        weights.append(MEDIUM)

    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    score = 1.0 - remaining
    if "uscc" in signals:
        return MatchResult(1.0, True, signals)
    if "uscc_differs" in signals:
        return MatchResult(round(score * USCC_DIFFERS_FACTOR, 4), False, signals)
    return MatchResult(round(score, 4), score >= MATCH_SCORE, signals)
