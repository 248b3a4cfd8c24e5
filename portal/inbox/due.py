"""When an item of the inbox is due: its start of waiting plus the kind's SLA in business days.

`due_after` computes it in Python for the items shown; `due_key` is the same rule in SQL (on
PostgreSQL and SQLite), so that the database merges the kinds in due order and returns one page
rather than every kind's first rows.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.core import clock


def due_after(since: datetime, days: int) -> datetime:
    """`clock.add_business_days` in closed form (the inbox computes it for every item read):
    `days` business days (Mon–Fri, Asia/Shanghai) after `since`, at the same time of day."""
    if days <= 0:
        return since
    weekday = since.astimezone(clock.SHANGHAI).weekday()
    weeks, rest = divmod(days, 5)
    if weekday <= 4:
        ahead = 7 * weeks + rest + (2 if weekday + rest >= 5 else 0)
    else:  # from a Saturday or Sunday: as from the Friday before, less the weekend days gone
        ahead = 7 * weeks + rest + (2 if rest else 0) - (weekday - 4)
    return since + timedelta(days=ahead)


class _weekday(FunctionElement):
    """SQL: the weekday (Monday 0 … Sunday 6) of a UTC timestamp in Asia/Shanghai (UTC+8, no
    daylight saving time)."""

    type = Integer()
    inherit_cache = True


@compiles(_weekday)
def _weekday_pg(element, compiler, **kw):
    # days since 1970-01-01 (a Thursday) in UTC+8: cheaper than a time zone lookup per row
    (since,) = list(element.clauses)
    return (f"mod(CAST(floor((EXTRACT(EPOCH FROM {compiler.process(since, **kw)}) + 28800) / 86400)"
            f" AS INTEGER) + 3, 7)")


@compiles(_weekday, "sqlite")
def _weekday_sqlite(element, compiler, **kw):
    (since,) = list(element.clauses)
    return f"((CAST(strftime('%w', {compiler.process(since, **kw)}, '+8 hours') AS INTEGER) + 6) % 7)"


class _plus_days(FunctionElement):
    """SQL: a timestamp `days` (an integer expression) days later, as a number that sorts like
    the timestamp (PostgreSQL: seconds since 1970; SQLite: its Julian day number): for ORDER BY."""

    inherit_cache = True


@compiles(_plus_days)
def _plus_days_pg(element, compiler, **kw):
    since, days = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM {compiler.process(since, **kw)}) + "
            f"86400 * ({compiler.process(days, **kw)}))")


@compiles(_plus_days, "sqlite")
def _plus_days_sqlite(element, compiler, **kw):
    since, days = list(element.clauses)
    return f"(julianday({compiler.process(since, **kw)}) + ({compiler.process(days, **kw)}))"


def due_key(since, days):
    """SQL: `due_after(since, days)` as a value that sorts as the due time does (NULL when
    `since` is). `days` is an integer expression (a kind's SLA, or an exception step's)."""
    weekday = _weekday(since)
    weeks, rest = days // 5, days % 5
    ahead = case(
        (days <= 0, 0),
        (weekday <= 4, 7 * weeks + rest + case((weekday + rest >= 5, 2), else_=0)),
        else_=7 * weeks + rest + case((rest > 0, 2), else_=0) - (weekday - 4))
    return _plus_days(since, ahead)
