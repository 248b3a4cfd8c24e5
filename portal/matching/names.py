"""Reading a company name (DESIGN §3.4): `name_parts` takes it apart into its trade name
(`core`), region, lines of business, branch and former names. Pure functions, no database.

A Chinese company name is region + trade name (字号) + industry + legal form
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
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import NamedTuple

from portal.matching import divisions as dv
from portal.matching import lexicon as lx

#: Nothing is stripped that would leave a shorter name than this.
MIN_CORE = 2

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{_CJK}]")
CJK_RUN = re.compile(f"[{_CJK}]+")
_SCRIPT_BOUNDARY = re.compile(f"(?<=[{_CJK}])(?=[^{_CJK}\\W_])|(?<=[^{_CJK}\\W_])(?=[{_CJK}])")
NON_WORD = re.compile(r"[\W_]+")
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



# --- Names ---------------------------------------------------------------------------------

def _is_cjk(token: str) -> bool:
    return bool(CJK_CHAR.match(token))


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
    for token in NON_WORD.sub(" ", _SCRIPT_BOUNDARY.sub(" ", text)).split():
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
    if CJK_CHAR.search(text):
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
        inner = NON_WORD.sub("", match.group(1))
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
def readings(name) -> tuple[NameParts, ...]:
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


def record_names(record: Mapping) -> list[str]:
    """A customer record's names: its name, the former names written in it, its aliases."""
    names = [str(record.get("name") or "")]
    names += list(_analyse(names[0]).former)
    names += [alias for alias in (record.get("aliases") or ()) if alias]
    return list(dict.fromkeys(names))
