"""Pinyin of Chinese trade names: the key that finds an English name spelling a Chinese one, and
the test that it does (晟 reads sheng or cheng: every spelling counts)."""
from __future__ import annotations

from functools import lru_cache

from portal.matching.names import CJK_CHAR, NON_WORD, NameParts


@lru_cache(maxsize=65536)
def pinyin_of(core: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(core)).casefold()


@lru_cache(maxsize=65536)
def spellings(core: str) -> frozenset[str]:
    """Every pinyin spelling of a Chinese trade name (晟 reads sheng or cheng), at most 32."""
    from pypinyin import Style, pinyin

    spelled = [""]
    for readings in pinyin(core, style=Style.NORMAL, heteronym=True):
        spelled = [s + r.casefold() for s in spelled for r in dict.fromkeys(readings)][:32]
    return frozenset(spelled)


def spells(latin: NameParts, cjk: NameParts) -> bool:
    """The English name's words start with a pinyin spelling of the Chinese trade name."""
    if len(cjk.core) < 2 or not CJK_CHAR.search(cjk.core):
        return False
    words = NON_WORD.sub("", latin.normalized)
    return any(len(spelled) >= 4 and words.startswith(spelled) for spelled in spellings(cjk.core))
