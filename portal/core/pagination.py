"""Pagination, filtering and sorting of list pages from the query string."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import request
from sqlalchemy import func, or_, select, true, union
from sqlalchemy.sql import visitors

from portal.core.parse import to_int
from portal.db import SearchLookup
from portal.extensions import db

PER_PAGE = 25


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    #: Rows in all — or, when `exact` is False, a lower bound: the list has more than `total`.
    total: int
    exact: bool = True

    @property
    def pages(self) -> int:
        """Pages known to exist (all of them when the count is exact)."""
        return max(1, ceil(self.total / self.per_page)) + (0 if self.exact else 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


#: Pages beyond this are not numbered (an offset the database refuses, e.g. `?page=9…9`).
MAX_PAGE = 100_000


def page_number() -> int:
    return to_int(request.args.get("page"), 1, MAX_PAGE) or 1


#: A list counts its rows only this many pages beyond the page shown: an exact `count(*)` over
#: a head office's millions of rows on every page view was most of a list's time. Beyond, the
#: list says "more than N" and still offers the next page.
COUNT_PAGES_AHEAD = 10


def paginate(session, stmt, *, per_page: int = PER_PAGE, count: bool = True) -> Page:
    """Run `stmt` for the requested page. The rows are counted with one more query, which stops
    COUNT_PAGES_AHEAD pages beyond this one; a first page that is not full needs no count."""
    page = page_number()
    offset = (page - 1) * per_page
    items = list(session.scalars(stmt.limit(per_page).offset(offset)).unique())
    if not count:
        return Page(items=items, page=page, per_page=per_page, total=0)
    if page == 1 and len(items) < per_page:
        return Page(items=items, page=page, per_page=per_page, total=len(items))
    cap = offset + COUNT_PAGES_AHEAD * per_page
    counted = session.scalar(select(func.count()).select_from(
        stmt.order_by(None).limit(cap + 1).subquery()))
    if counted > cap:
        return Page(items=items, page=page, per_page=per_page, total=cap, exact=False)
    return Page(items=items, page=page, per_page=per_page, total=counted)


def matching_any(stmt, key, conditions: list, order: tuple, *, per_page: int = PER_PAGE,
                 rows: int | None = None):
    """`stmt` narrowed to rows matching any of `conditions` (a search across columns), in a form
    each condition's index can serve whether the searched value is rare or common.

    Each condition gets its own candidate list — `stmt`'s rows (scope, filters) that match it,
    in the list's `order`, only as many as the requested page and the bounded count
    (`paginate`) can use — and the page is read from their union. The database plans each
    candidate list on its own: a value in a few rows comes from the column's trigram index, a
    value in most rows from the sort order's index, stopping after those rows. An OR across
    columns, or a union of every match, had to find all matches first: `?q=数据中心` of a
    head-office list collected 250,000 registrations to show 25. `rows`: the rows the caller
    reads when it is not a page (an export)."""
    keep = rows or (page_number() - 1 + COUNT_PAGES_AHEAD) * per_page + 1
    if db.session.get_bind().dialect.name != "postgresql":
        conditions = _sqlite_search(stmt, key, conditions, keep)
        if not isinstance(conditions, list):
            return conditions
    arms = [stmt.with_only_columns(key).where(condition).order_by(*order).limit(keep).subquery()
            for condition in conditions]
    candidates = union(*(select(arm.c[0]) for arm in arms))
    if rows:
        return key.in_(candidates)
    # A page reads its candidates first (a few hundred ids): handed the ids themselves, the
    # planner fetches those rows by key. Given the union as a subquery it expected as many
    # rows as the limits allow and walked the whole scope in the sort order's index looking for
    # them when fewer exist (23 orders of a region named …数据…: 350 ms instead of 9).
    return key.in_(list(db.session.scalars(candidates)))


#: A piece of text in this many rows of its table (or more) is common: on SQLite the list is
#: read in its order and finds a page of such rows sooner than the FTS5 lookup gathers them all
#: (`数据中心` is in every one of 250,000 registrations' project names).
COMMON_ROWS = 5_000


def _sqlite_search(stmt, key, conditions: list, keep: int):
    """SQLite's `matching_any`: the conditions for the candidate lists (a list), or the condition
    that ends the search (anything else).

    The FTS5 lookups of the conditions (`portal.db.SearchLookup`, texts with a piece of three
    characters or more) are counted first, each up to COMMON_ROWS, in one statement. All rare:
    each condition gets its candidate list as on PostgreSQL, read through the lookup. One
    common: the lookups are left out and the rows read in the list's order, which meets a page
    of matches soon. No lookup (one or two characters): the scope is read once in the table's
    own order for up to `keep` matches — all of them when the value is rare (a walk in the
    list's order through an index visits the same rows in random order, ten times slower) —
    and in the list's order when there are more."""
    lookups = [element for condition in conditions for element in visitors.iterate(condition)
               if isinstance(element, SearchLookup)]
    if lookups:
        counts = db.session.execute(select(*(
            select(func.count()).select_from(lookup.probe.limit(COMMON_ROWS).subquery())
            .scalar_subquery() for lookup in lookups))).one()
        if max(counts) < COMMON_ROWS:
            return conditions
        return or_(*(visitors.replacement_traverse(
            condition, {}, lambda e: true() if isinstance(e, SearchLookup) else None)
            for condition in conditions))
    if keep > COMMON_ROWS:  # an export, or a page far down the list: as many ids are too many
        return or_(*conditions)
    found = list(db.session.scalars(stmt.with_only_columns(key).where(or_(*conditions))
                                    .order_by(None).limit(keep + 1)))
    if len(found) <= keep:
        return key.in_(found)
    return or_(*conditions)


def sort_clause(columns: dict, default: str, unique) -> tuple:
    """`?sort=name` or `?sort=-name` → the ORDER BY clauses among the allowed `columns`, ending
    with `unique` (the table's id) in the same direction: rows with equal values (two orders of
    the same day) keep their order from one page to the next, and an index on
    `(column, id)` serves the whole order in either direction."""
    key = request.args.get("sort") or default
    desc = key.startswith("-")
    if key.lstrip("-") not in columns:  # an unknown sort is the default one, not an error
        key, desc = default, default.startswith("-")
    column = columns[key.lstrip("-")]  # a SQL expression: never tested for truth
    if column is unique:
        return (column.desc() if desc else column.asc(),)
    return (column.desc(), unique.desc()) if desc else (column.asc(), unique.asc())
