"""Pagination, filtering and sorting of list pages from the query string."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import request
from sqlalchemy import func, select

from portal.core.parse import to_int

PER_PAGE = 25


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

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


def paginate(session, stmt, *, per_page: int = PER_PAGE, count: bool = True) -> Page:
    """Run `stmt` for the requested page; count the total with one extra query."""
    page = page_number()
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) \
        if count else 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, page=page, per_page=per_page, total=total)


def sort_clause(columns: dict, default: str):
    """`?sort=name` or `?sort=-name` → an ORDER BY clause among the allowed `columns`."""
    key = request.args.get("sort") or default
    desc = key.startswith("-")
    column = columns.get(key.lstrip("-")) or columns[default.lstrip("-")]
    if key.lstrip("-") not in columns:
        desc = default.startswith("-")
    return column.desc() if desc else column.asc()
