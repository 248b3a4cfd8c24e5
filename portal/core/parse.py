"""Numbers and ids typed by users or carried in URLs, forms and query strings: parsed in one place.

Python's `str.isdigit()` accepts `²` and `١٢٣` that `int()` refuses, and `int()` takes 5,000
digits that no database column holds. Every number and id that arrives from outside goes through
these functions: a value that is not a plain number within its bounds is `None` (the caller says
what is wrong) — never an exception deep inside a query.
"""
from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

#: The largest id of any table (a 32-bit integer column on PostgreSQL).
MAX_ID = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,15}")


#: Full-width ASCII forms (what a Chinese input method types: １２３, －, ．) → ASCII; the
#: ideographic space → a space, ￥ → ¥. Nothing else is mapped (NFKC would turn `²` into `2`).
_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20, 0xFFE5: 0xA5}


def plain(text) -> str:
    """A typed value with full-width characters as ASCII and surrounding spaces gone."""
    return str(text if text is not None else "").translate(_FULL_WIDTH).strip()


def to_int(text, minimum: int, maximum: int) -> int | None:
    """An integer within [minimum, maximum], or None for anything else."""
    cleaned = plain(text).replace(",", "")
    if not _INTEGER.fullmatch(cleaned):
        return None
    value = int(cleaned)
    return value if minimum <= value <= maximum else None


def to_id(text) -> int | None:
    """A positive id that a table can hold, or None."""
    return to_int(text, 1, MAX_ID)


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: ASCII digits up to MAX_ID; anything larger is a 404, not an
    overflow inside the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def coerce_id(value) -> int:
    """WTForms `coerce` for an id field: an id that a table can hold, or 0 for "none". Anything
    else raises ValueError, which WTForms reports on the field."""
    if value is None or value == "":
        return 0
    number = to_int(value, 0, MAX_ID)
    if number is None:
        raise ValueError("not an id")
    return number
