"""Unified social credit code (统一社会信用代码, USCC) validation per GB 32100-2015.

A USCC has 18 characters from a 31-character alphabet (the digits and the capital letters without
I, O, S, V and Z). The 18th character is a check character over the first 17: each character's
value (its index in the alphabet) is multiplied by a fixed weight, and the check character is
`alphabet[(31 − Σ mod 31) mod 31]`. Because 31 is prime and no weight is a multiple of 31, every
single mistyped character is caught.

Pure functions, used by customer and dealer forms and by the matcher (a valid code on both sides
of a pair is decisive evidence). Messages are lazy strings, translated when rendered.
"""
from __future__ import annotations

import unicodedata

from portal.core.i18n import lazy_gettext as _l

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

_VALUE = {char: index for index, char in enumerate(ALPHABET)}


class UsccError(ValueError):
    """The code is not a valid USCC. `reason` is "length", "alphabet" or "checksum"; `message` is
    a lazy, translatable sentence for the user. `args` is `(reason, message)`."""

    def __init__(self, reason: str, message):
        super().__init__(reason, message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _clean(code) -> str:
    """Upper-case and drop whitespace; NFKC first so full-width characters typed with a Chinese
    input method (９１１…) count as the ordinary ones."""
    text = unicodedata.normalize("NFKC", str(code or ""))
    return "".join(text.split()).upper()


def _check_alphabet(code: str) -> None:
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        raise UsccError("alphabet", _l(
            "The code contains %(chars)s, which a unified social credit code never uses "
            "(only digits and capital letters other than I, O, S, V and Z).",
            chars=", ".join(bad)))


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a code (already upper-case)."""
    if len(first17) != LENGTH - 1:
        raise UsccError("length", _l("The check character is computed from exactly 17 characters."))
    _check_alphabet(first17)
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code) -> str:
    """Return the normalised code (upper-case, no spaces) or raise `UsccError`.

    Checks, in order: 18 characters, the alphabet, the check character."""
    cleaned = _clean(code)
    if len(cleaned) != LENGTH:
        raise UsccError("length", _l(
            "A unified social credit code has 18 characters; this one has %(count)s.",
            count=len(cleaned)))
    _check_alphabet(cleaned)
    if uscc_check_char(cleaned[:-1]) != cleaned[-1]:
        raise UsccError("checksum", _l(
            "This unified social credit code fails its check: one of the characters is probably "
            "mistyped."))
    return cleaned


def is_valid_uscc(code) -> bool:
    """True when `code` (in any case, with or without spaces) is a valid USCC."""
    try:
        validate_uscc(code)
    except UsccError:
        return False
    return True
