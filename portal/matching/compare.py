"""Deciding whether two customer records are the same company (DESIGN §3.4, §3.4.1).

Pure functions, no database: detection loads candidates through `record_keys` and calls
`compare` on each, and `bench/matching_eval.py` measures `compare` on labelled pairs.

Names. A Chinese company name is region + trade name (字号) + industry + legal form
(北京 + 联想 + 科技 + 有限公司); the trade name identifies the company within its line of
business and its region. `name_parts` reads a name in this order:

1. scripts and forms: NFKC (full-width → half-width), Traditional → Simplified (OpenCC), case
   fold; slips in the legal form (有线公司, 股分) mended; 第三 → 三;
2. noise: a leading tag (【VIP】), a project after a dash (-二期项目), brackets holding a contact,
   筹建 or a partnership form go; a former name in brackets (原…) is kept apart as an alias;
3. a branch word (分公司, 支行, 营销中心 …) ends the company's name: what follows is the branch,
   and the region or area just before it is where the branch sits, not the company's region;
4. legal forms (ours for Chinese, the `cleanco` terms and ours for English), national prefixes
   and regions (every level of China's administrative divisions, development zones, pinyin in
   English names) go from the edges — the result is `normalized`;
5. industry words go from the end and name the lines of business (`sectors`) — the result is
   `core`, the trade name.

Nothing is stripped that would leave fewer than two characters.

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

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz

from portal.core.uscc import UsccError, validate_uscc
from portal.matching import divisions as dv
from portal.matching import lexicon as lx
from portal.matching.contact_keys import normalize_domain, normalize_phone, phone_evidence, phones
from portal.matching.lexicon import FREE_MAIL_DOMAINS

__all__ = ["FREE_MAIL_DOMAINS", "FUZZY_THRESHOLD", "MATCH_SCORE", "MatchResult", "NameParts",
           "POSSIBLE_SCORE", "blocking_keys", "compare", "former_names", "identity_name_keys",
           "name_parts",
           "name_similarity", "normalize_domain", "normalize_name", "normalize_phone",
           "record_keys", "regions_differ"]

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
#: Nothing is stripped that would leave a shorter name than this.
MIN_CORE = 2
OUTCOMES = ("match", "possible", "none")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SCRIPT_BOUNDARY = re.compile(f"(?<=[{_CJK}])(?=[^{_CJK}\\W_])|(?<=[^{_CJK}\\W_])(?=[{_CJK}])")
_NON_WORD = re.compile(r"[\W_]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_BRACKETS = str.maketrans("【】〔〕[]{}〈〉《》<>", "()()()()()()()")
_ORDINAL = re.compile("第([一二三四五六七八九十百零〇两]+|\\d+)")
_LEADING_TAG = re.compile(lx.LEADING_TAG)
_PROJECT = re.compile(lx.PROJECT_SUFFIX)
_CONTACT = re.compile(lx.CONTACT_IN_BRACKETS)
_TYPOS = [(re.compile(re.escape(k.rstrip("$")) + ("$" if k.endswith("$") else "")), v)
          for k, v in lx.LEGAL_TYPOS_CN.items()]
_BRANCH = re.compile("|".join(sorted(lx.BRANCH_CN, key=len, reverse=True)))


class _Words(tuple):
    """Words longest first, with a set and the lengths present, to test a name's ends with a
    few set lookups instead of one `endswith` per word."""

    def __new__(cls, words):
        self = super().__new__(cls, sorted(set(words), key=lambda word: (-len(word), word)))
        self.set = frozenset(self)
        self.lengths = tuple(sorted({len(w) for w in self}, reverse=True))
        return self

    def suffix(self, text: str, limit: int) -> str | None:
        for size in self.lengths:
            if size <= limit and text[-size:] in self.set and len(text) >= size:
                return text[-size:]
        return None

    def prefix(self, text: str, limit: int) -> str | None:
        for size in self.lengths:
            if size <= limit and text[:size] in self.set and len(text) >= size:
                return text[:size]
        return None


def _by_length(words) -> _Words:
    return _Words(words)


_LEGAL_CN = _by_length(lx.LEGAL_FORMS_CN)
_NATIONAL_CN = _by_length(lx.NATIONAL_CN)
_INDUSTRY_CN = _by_length(lx.INDUSTRY_CN)
_MACRO = _by_length(lx.MACRO_AREAS)
_NOISE = set(lx.NOISE_IN_BRACKETS)


@cache
def _legal_en() -> frozenset[str]:
    """English legal forms as joined words: the `cleanco` terms and ours."""
    from cleanco import prepare_default_terms

    terms = {"".join(t for t in term if t.isalnum()) for _size, term in prepare_default_terms()}
    return frozenset(t for t in terms if t) | lx.LEGAL_FORMS_EN | lx.NATIONAL_EN | lx.TRAILING_EN


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


class NameParts(NamedTuple):
    """A company name taken apart: `core` (the trade name) identifies the company; `region` the
    codes of its explicit region or None; `normalized` keeps the industry words; `sectors` the
    lines of business its industry words name; `branch` whether it names a branch; `former`
    former names written in brackets (原…)."""

    core: str
    region: frozenset[str] | None
    normalized: str
    sectors: frozenset[str] = frozenset()
    branch: bool = False
    former: tuple[str, ...] = ()
    latin: bool = False
    #: A region written without its suffix (阿里, 德昌) was read at the start: it may be the
    #: trade name instead.
    short_region: bool = False


@dataclass(frozen=True)
class MatchResult:
    score: float
    outcome: str
    signals: list[str] = field(default_factory=list)

    @property
    def is_match(self) -> bool:
        return self.outcome == "match"


# --- Names ---------------------------------------------------------------------------------

def _is_cjk(token: str) -> bool:
    return bool(_CJK_CHAR.match(token))


def _length(tokens: list[str]) -> int:
    return sum(len(token) for token in tokens)


def _strip_end(tokens: list[str], cjk_words, latin_words) -> str | None:
    """Remove one listed word from the end of the name, unless too little would remain."""
    last = tokens[-1]
    if _is_cjk(last):
        if not cjk_words:
            return None
        word = cjk_words.suffix(last, _length(tokens) - MIN_CORE)
        if word:
            tokens[-1] = last[:-len(word)]
            if not tokens[-1]:
                tokens.pop()
        return word
    for count in (4, 3, 2, 1):
        word = "".join(tokens[-count:])
        if len(tokens) >= count and word in latin_words and _length(tokens) - len(word) >= MIN_CORE:
            del tokens[-count:]
            return word
    return None


def _strip_start(tokens: list[str], cjk_words, latin_words) -> str | None:
    first = tokens[0]
    if _is_cjk(first):
        word = cjk_words.prefix(first, _length(tokens) - MIN_CORE)
        if word:
            tokens[0] = first[len(word):]
            if not tokens[0]:
                tokens.pop(0)
        return word
    for count in (2, 1):
        word = "".join(tokens[:count])
        if len(tokens) >= count and word in latin_words and _length(tokens) - len(word) >= MIN_CORE:
            del tokens[:count]
            return word
    return None


def _latin_region(word: str) -> frozenset[str] | None:
    return dv.pinyin_regions().get(word)


def _has_trade_name(text: str) -> bool:
    """Whether `text` holds more than industry words and legal forms (德昌 + 餐饮管理有限公司: the
    trade name is 德昌, not a region of that name)."""
    tokens = [text]
    while tokens and (_strip_end(tokens, _LEGAL_CN, ()) or _strip_end(tokens, _INDUSTRY_CN, ())):
        pass
    rest = "".join(tokens)
    return bool(rest) and rest not in lx.SECTORS_CN and rest not in lx.LEGAL_FORMS_CN


def _strip_leading_regions(tokens: list[str], keep_short: bool = False,
                           seen: list | None = None) -> frozenset[str] | None:
    """Regions at the start, each within the one before (广东省深圳市南山区), and a development
    zone after them; returns the codes of the most specific one. `keep_short`: a region written
    without its suffix (阿里, 德昌) is taken as part of the trade name instead."""
    found: frozenset[str] | None = None
    while tokens:
        first = tokens[0]
        if _is_cjk(first):
            hit = dv.leading_region(first, within=found)
            if hit is None or _length(tokens) - len(hit[0]) < MIN_CORE:
                break
            rest = first[len(hit[0]):]
            county = all(dv.level(c) == dv.COUNTY for c in hit[1])
            if county and rest and not _has_trade_name(rest):
                break
            if not dv.is_full_form(hit[0]):
                if keep_short:
                    break
                if seen is not None:
                    seen.append(hit[0])
            tokens[0] = first[len(hit[0]):]
            found = hit[1]
            zone = dv.leading_zone(tokens[0]) if tokens[0] else None
            if zone and _length(tokens) - len(zone) >= MIN_CORE:
                tokens[0] = tokens[0][len(zone):]
            if not tokens[0]:
                tokens.pop(0)
        else:
            for count in (2, 1):
                word = "".join(tokens[:count])
                codes = _latin_region(word) if len(tokens) > count else None
                if codes and (found is None or dv.compatible(found, codes)):
                    del tokens[:count]
                    found = codes
                    break
            else:
                break
    return found


def _strip_trailing_region(tokens: list[str], *, any_short: bool = False) -> frozenset[str] | None:
    last = tokens[-1]
    if _is_cjk(last):
        hit = dv.trailing_region(last, any_short=any_short)
        if hit is None or _length(tokens) - len(hit[0]) < MIN_CORE:
            return None
        if not any_short and all(dv.level(c) == dv.COUNTY for c in hit[1]):
            return None  # a county's name at the end is more likely part of the trade name
        tokens[-1] = last[:-len(hit[0])]
        if not tokens[-1]:
            tokens.pop()
        return hit[1]
    for count in (2, 1):
        word = "".join(tokens[-count:])
        codes = _latin_region(word) if len(tokens) > count else None
        if codes:
            del tokens[-count:]
            return codes
    return None


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for token in _NON_WORD.sub(" ", _SCRIPT_BOUNDARY.sub(" ", text)).split():
        if tokens and _is_cjk(token) and _is_cjk(tokens[-1]):
            tokens[-1] += token  # spaces inside Chinese text mean nothing: 联 想 = 联想
        else:
            tokens.append(token)
    return tokens


_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}(?:[a-z]\b\.?)?|\b[a-z]\.[a-z]{1,2}\.?[a-z]?\.?(?=\s|$)")


def _undot(text: str) -> str:
    """L.L.C. → llc, G.M.B.H. → gmbh, S.p.A. → spa: dotted abbreviations become one word."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", text)


def _clean(name: str) -> tuple[str, list[str]]:
    """Scripts, forms and noise: the text to take apart and the former names found in it."""
    text = unicodedata.normalize("NFKC", name)
    if _CJK_CHAR.search(text):
        text = _t2s().convert(text)
    text = _LEADING_TAG.sub("", text.casefold())
    text = _PROJECT.sub("", text)
    for typo, right in _TYPOS:
        text = typo.sub(right, text)
    text = _ORDINAL.sub(r"\1", text.translate(_BRACKETS))
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    return _undot(text), []


@lru_cache(maxsize=65536)
def _analyse(name: str, keep_short: bool = False) -> NameParts:
    text, former = _clean(name)
    regions: list[frozenset[str]] = []

    def bracket(match: re.Match) -> str:
        inner = _NON_WORD.sub("", match.group(1))
        if not inner:
            return " "
        if inner.startswith("原") and len(inner) > 3:
            former.append(match.group(1).strip()[1:])
            return " "
        hit = dv.leading_region(inner)
        if hit and hit[0] == inner or _latin_region(inner):
            regions.append(hit[1] if hit and hit[0] == inner else _latin_region(inner))
            return " "
        if (inner in _NOISE or inner in lx.LEGAL_FORMS_CN or inner in lx.NATIONAL_CN
                or inner in _legal_en() or _CONTACT.search(match.group(1))):
            return " "
        return f" {match.group(1)} "

    text = _BRACKETED.sub(bracket, text)
    branch = False
    found = _BRANCH.search(text)
    if found and len(text[:found.start()].strip()) >= MIN_CORE:
        branch = True
        text = text[:found.start()]
    tokens = _tokens(text)
    latin = bool(tokens) and not any(_is_cjk(t) for t in tokens)
    if not tokens:
        return NameParts("", None, "", former=tuple(former), latin=latin)
    if branch:  # where the branch is, not the company: 招商银行 深圳 分行, 美的集团 华东 营销中心
        while tokens and (_strip_end(tokens, _MACRO, ()) or _strip_trailing_region(tokens, any_short=True)):
            pass
    short: list[str] = []
    if tokens and (codes := _strip_leading_regions(tokens, keep_short, short)):
        regions.append(codes)
    while tokens:
        if _strip_end(tokens, _LEGAL_CN, _legal_en()):
            pass
        elif _strip_start(tokens, _NATIONAL_CN, lx.NATIONAL_EN | lx.LEADING_EN):
            if codes := _strip_leading_regions(tokens, keep_short, short):
                regions.append(codes)
        elif codes := _strip_trailing_region(tokens):
            regions.append(codes)
        else:
            break
    normalized = "".join(tokens)
    sectors: set[str] = set()
    while tokens:
        word = _strip_end(tokens, _INDUSTRY_CN, lx.INDUSTRY_EN)
        if word:
            if lx.SECTORS_CN.get(word):
                sectors.add(lx.SECTORS_CN[word])
        elif codes := _strip_trailing_region(tokens):
            regions.append(codes)  # ABC北京科技: the region came after the trade name
        else:
            break
    # The most specific region wins: 广东省深圳市华为 is in 深圳.
    region = max(regions, key=lambda codes: max(dv.level(c) for c in codes)) if regions else None
    return NameParts("".join(tokens), region, normalized, frozenset(sectors), branch,
                     tuple(former), latin, bool(short))


def name_parts(name) -> NameParts:
    """Take a company name apart (see the module docstring)."""
    return _analyse(str(name or ""))


@lru_cache(maxsize=65536)
def _readings(name) -> tuple[NameParts, ...]:
    """A name's reading, and a second one when a word read as a region written without its
    suffix may be the trade name instead (阿里巴巴 is not 巴巴 of 阿里地区)."""
    first = _analyse(name)
    if not first.short_region:
        return (first,)
    second = _analyse(name, True)
    whole_region = dv.leading_region(second.core)
    if second.core == first.core or (whole_region and whole_region[0] == second.core):
        return (first,)
    return (first, second)


def normalize_name(name) -> str:
    """The core trade name: 北京联想科技有限公司, 联想(北京)有限公司 → 联想; Lenovo (Beijing)
    Co., Ltd. → lenovo. Empty for an empty name."""
    return name_parts(name).core


def former_names(name) -> tuple[str, ...]:
    """Former names written in brackets in a name field: X（原Y有限公司） → (Y有限公司,)."""
    return name_parts(name).former


def name_similarity(core_a: str, core_b: str) -> float:
    """Similarity 0..1 of two cores (normalised Indel similarity, symmetric)."""
    if not core_a or not core_b:
        return 0.0
    return fuzz.ratio(core_a, core_b) / 100


def regions_differ(region_a, region_b) -> bool:
    """True when both regions are known and neither contains the other (深圳 lies in 广东)."""
    return not dv.compatible(region_a, region_b)


@lru_cache(maxsize=65536)
def _pinyin(core: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(core)).casefold()


@lru_cache(maxsize=65536)
def _spellings(core: str) -> frozenset[str]:
    """Every pinyin spelling of a Chinese trade name (晟 reads sheng or cheng), at most 32."""
    from pypinyin import Style, pinyin

    spelled = [""]
    for readings in pinyin(core, style=Style.NORMAL, heteronym=True):
        spelled = [s + r.casefold() for s in spelled for r in dict.fromkeys(readings)][:32]
    return frozenset(spelled)


def _spells(latin: NameParts, cjk: NameParts) -> bool:
    """The English name's words start with a pinyin spelling of the Chinese trade name."""
    if len(cjk.core) < 2 or not _CJK_CHAR.search(cjk.core):
        return False
    words = _NON_WORD.sub("", latin.normalized)
    return any(len(spelled) >= 4 and words.startswith(spelled) for spelled in _spellings(cjk.core))


def blocking_keys(name) -> set[str]:
    """Short keys for the indexed candidate search (at most 8 per name).

    The core itself; for Chinese text its pinyin (an English name spelling it shares it) and its
    character bigrams (a variant that keeps an unlisted industry word, 京东世纪 / 京东, still
    shares one); for Latin text the first word and the first and last four letters."""
    parts = name_parts(name)
    core = parts.core
    if not core:
        return set()
    keys = [core]
    if _CJK_CHAR.search(core):
        spelled = _pinyin(core)
        if spelled != core and len(spelled) >= 4:
            keys.append(spelled)
    else:
        first = re.split(r"(?<=[a-z])(?=[^a-z])|(?<=[^a-z])(?=[a-z])", core)[0]
        keys += [first, core[:4], core[-4:]]
        words = _NON_WORD.sub(" ", parts.normalized).split()
        if words:
            keys.append(words[0])
    bigrams = [run[i:i + 2] for run in _CJK_RUN.findall(core) for i in range(len(run) - 1)]
    keys += bigrams[:2] + bigrams[2:][-2:]  # both ends of a long name
    return set(list(dict.fromkeys(key for key in keys if len(key) >= MIN_CORE))[:8])


def identity_name_keys(record: Mapping) -> set[str]:
    """The name keys of a record that carry a whole trade name (the core of each reading of its
    name and aliases, its pinyin, an English name's first word), as opposed to the bigram and
    prefix keys that only find look-alikes: a candidate sharing none of these, nor a USCC,
    domain or phone, can only be a look-alike, which decides nothing unless nearly identical."""
    keys: set[str] = set()
    for name in _names(record):
        for parts in _readings(name):
            if not parts.core:
                continue
            keys.add(f"n:{parts.core}")
            if _CJK_CHAR.search(parts.core):
                keys.add(f"n:{_pinyin(parts.core)}")
            else:
                words = _NON_WORD.sub(" ", parts.normalized).split()
                keys.update(f"n:{w}" for w in words[:1])
    return keys


def _uscc(value) -> str | None:
    try:
        return validate_uscc(value) if value else None
    except UsccError:
        return None


def _names(record: Mapping) -> list[str]:
    names = [str(record.get("name") or "")]
    names += list(_analyse(names[0]).former)
    names += [alias for alias in (record.get("aliases") or ()) if alias]
    return list(dict.fromkeys(names))


def record_keys(record: Mapping) -> set[str]:
    """Every blocking key of a customer record, prefixed by kind (n: name and aliases, u: USCC,
    d: domain, p: phone), for one indexed key table that finds candidates on any signal."""
    keys = {f"n:{key}" for name in _names(record) for key in blocking_keys(name)}
    keys.update(f"n:{parts.core}" for name in _names(record) for parts in _readings(str(name))[1:]
                if len(parts.core) >= MIN_CORE)
    domain = normalize_domain(record.get("domain"))
    if value := _uscc(record.get("uscc")):
        keys.add(f"u:{value}")
    if domain:
        keys.add(f"d:{domain}")
    keys.update(f"p:{phone.number}" for phone in phones(record.get("phone")))
    return keys


# --- Comparison ----------------------------------------------------------------------------

_NAME_RANK = {"name_exact": 6, "name_near": 5, "pinyin": 4, "name_fuzzy": 3, "trade_name_other_business": 2,
              "region_differs": 1}


def _name_evidence(a: NameParts, b: NameParts, threshold: float) -> tuple[str, float] | None:
    """The name signal of two names and its weight, or None."""
    if not a.core or not b.core:
        return None
    cjk_a, cjk_b = bool(_CJK_CHAR.search(a.core)), bool(_CJK_CHAR.search(b.core))
    if cjk_a != cjk_b:
        latin, cjk = (b, a) if cjk_a else (a, b)
        if _spells(latin, cjk):
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
    names_a, names_b = _names(a), _names(b)
    best: tuple | None = None
    branch = False
    for i, left in enumerate(names_a):
        readings_a = _readings(left)
        for parts_a in readings_a:
            branch = branch or parts_a.branch
            for j, right in enumerate(names_b):
                readings_b = _readings(right)
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
    branch = branch or any(_readings(n)[0].branch for n in names_b)
    if best is not None:
        (kind, weight), via_alias = best[1], best[2]
        signals.append(kind)
        if weight:
            weights.append(weight)
        if via_alias and weight:
            signals.append("alias")

    uscc_a, uscc_b = _uscc(a.get("uscc")), _uscc(b.get("uscc"))
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
