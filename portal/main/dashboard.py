"""Dashboard widgets contributed by the domains.

A domain registers its widget when its views module is imported, with
`register_figures(template, figures, finish=None)`. `figures(actor, today)` returns the widget's
context (a dict) or None when the widget does not apply to the role. Its values may be scalar
subqueries (`count_of(statement)`, `setting_value(key)`, any `.scalar_subquery()`). It is called
once per role and process, with an `ActorParams` standing in for the user, so what it builds must
depend on the role only: the user's own values (id, dealer, regions) and the day are bound
parameters, filled in on every request. The dashboard reads every widget's figures together in
one SELECT. `finish(user, context)`, when given, turns the figures read into the widget's context
(or None to hide it) — for what is computed from figures rather than shown as they are.

The dashboard is the busiest page: one query for all the figures, statements built once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Date, Integer, bindparam, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from portal.core import clock
from portal.core.cache import per_app
from portal.extensions import db

_WIDGETS: list[tuple[int, str, Callable, Callable | None]] = []


def register_figures(template: str, figures: Callable, order: int = 50,
                     finish: Callable | None = None) -> None:
    if all(t != template for _o, t, _f, _k in _WIDGETS):
        _WIDGETS.append((order, template, figures, finish))
        _WIDGETS.sort(key=lambda w: w[0])


def count_of(stmt) -> ScalarSelect:
    """`count(*)` of the rows a (scoped) SELECT would return, as a figure for a widget."""
    return stmt.with_only_columns(func.count(), maintain_column_froms=True).scalar_subquery()


@dataclass(frozen=True)
class _Dealer:
    region_id: object


class ActorParams:
    """The user as the scoping rules read it (`portal.core.permissions`), with its own values as
    bound parameters: a statement built from it fits every user of the same role."""

    is_authenticated = True

    def __init__(self, role):
        self.role = role
        self.id = bindparam("actor_id", type_=Integer)
        self.dealer_id = bindparam("actor_dealer_id", type_=Integer)
        self.dealer = _Dealer(bindparam("actor_dealer_region_id", type_=Integer))
        self.region_ids = bindparam("actor_region_ids", type_=Integer, expanding=True)


def _params(user, today) -> dict:
    return {"actor_id": user.id, "actor_dealer_id": user.dealer_id,
            "actor_dealer_region_id": user.dealer.region_id if user.dealer is not None else None,
            "actor_region_ids": [] if user.is_dealer_user else list(user.region_ids),
            "today": today}


def _figures_for_role(role):
    """(statement or None, [(template, context with figure names) or None per widget])."""
    cache = per_app("dashboard")
    built = cache.get(role)
    if built is None:
        actor, today = ActorParams(role), bindparam("today", type_=Date)
        contexts, columns = [], []
        for _order, _template, figures, _finish in _WIDGETS:
            context = figures(actor, today)
            if context is not None:
                for key, value in context.items():
                    if isinstance(value, ScalarSelect | ColumnElement):
                        context[key] = _Figure(len(columns))
                        columns.append(value.label(f"f{len(columns)}"))
            contexts.append(context)
        built = cache[role] = (select(*columns) if columns else None, contexts)
    return built


@dataclass(frozen=True)
class _Figure:
    index: int


def widgets_for(user) -> list[tuple[str, dict]]:
    stmt, contexts = _figures_for_role(user.role)
    row = db.session.connection().execute(stmt, _params(user, clock.today())).one() \
        if stmt is not None else ()
    shown = []
    for (_order, template, _figures, finish), context in zip(_WIDGETS, contexts, strict=True):
        if context is not None:
            context = {key: row[value.index] if isinstance(value, _Figure) else value
                       for key, value in context.items()}
            if finish is not None:
                context = finish(user, context)
            if context is not None:
                shown.append((template, context))
    return shown
