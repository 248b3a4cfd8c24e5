"""Scorecard periods (DESIGN §3.8): a quarter (`2026Q3`) or a year to date (`2026`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """A quarter (`2026Q3`) or a year to date (`2026`): the days [start, end], both inclusive."""

    year: int
    quarter: int | None  #: None: the year to date
    start: date
    end: date

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def quarters(self) -> list[int]:
        """The quarters whose targets the period's target adds up."""
        return [self.quarter] if self.quarter else list(range(1, (self.end.month - 1) // 3 + 2))

    @property
    def last_year(self) -> tuple[date, date]:
        return _year_earlier(self.start), _year_earlier(self.end)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def period_of(code: str | None, today: date) -> Period | None:
    """`2026Q3` → that quarter, `2026` → that year to date (to today, or the whole year when it
    is over); empty → the current quarter. Anything else, or a year outside 2000–2100 → None."""
    code = (code or "").strip().upper()
    if not code:
        code = f"{today.year}Q{quarter_of(today)}"
    if len(code) == 6 and code[4] == "Q" and code[:4].isascii() and code[:4].isdigit() \
            and code[5] in "1234":
        year, quarter = int(code[:4]), int(code[5])
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return Period(year, quarter, *quarter_bounds(year, quarter))
    if len(code) == 4 and code.isascii() and code.isdigit():
        year = int(code)
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        end = min(today, date(year, 12, 31)) if year == today.year else date(year, 12, 31)
        if year > today.year:
            end = date(year, 12, 31)
        return Period(year, None, date(year, 1, 1), end)
    return None


def period_choices(today: date) -> list[str]:
    """The periods offered in the picker: this year's and last year's quarters, both years."""
    codes = []
    for year in (today.year, today.year - 1):
        last = quarter_of(today) if year == today.year else 4
        codes += [f"{year}Q{q}" for q in range(last, 0, -1)]
        codes.append(str(year))
    return codes


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return following - timedelta(days=1)


def split_months(start: date, end: date, today: date):
    """[start, end] as whole months read from the kept monthly figures, and the edges to read
    from the rows themselves: (first month, last month or None when no whole month), and a list
    of (sign, first day, last day) — +1: add the rows of those days; −1: take away the rows of
    those days (the rest of a month kept whole).

    A period's last month is cut by the year to date (it ends today) and by its year-earlier
    days. When the cut-off days of that month are all after `today`, the month is read whole and
    those days' rows (normally none) taken away; otherwise the fewer days are read: those inside
    (added) or those after the end (taken away from the whole month)."""
    edges: list[tuple[int, date, date]] = []
    first = start if start.day == 1 else month_end(start) + timedelta(days=1)
    if first != start:
        edges.append((1, start, min(end, first - timedelta(days=1))))
    if first > end:
        return (None, None), edges
    last = month_start(end)
    if end != month_end(end):
        inside, after = end.day, month_end(end).day - end.day
        if end >= today or after < inside:
            edges.append((-1, end + timedelta(days=1), month_end(end)))
        else:
            edges.append((1, last, end))
            last = (last - timedelta(days=1)).replace(day=1)
    return ((first, last) if last >= first else (None, None)), edges
