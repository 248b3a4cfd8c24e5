"""The one clock. Tests freeze it with `frozen(...)`; nothing else calls datetime.now()."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_frozen: datetime | None = None
SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Timezone-aware UTC now (or the frozen instant)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today(tz: ZoneInfo = SHANGHAI) -> date:
    """The business date in the vendor's time zone."""
    return now().astimezone(tz).date()


@contextmanager
def frozen(at: datetime):
    """Freeze `now()` at `at` (aware) for the duration of the block."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` + `days` business days (Mon–Fri), keeping the time of day."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.astimezone(SHANGHAI).weekday() < 5:
            remaining -= 1
    return current


def business_days_between(start: datetime, end: datetime) -> int:
    """Whole business days elapsed from `start` to `end` (used for ageing)."""
    if end <= start:
        return 0
    count, current = 0, start
    while True:
        current = add_business_days(current, 1)
        if current > end:
            return count
        count += 1
