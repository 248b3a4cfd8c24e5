"""Dashboard widgets contributed by the domains.

A domain registers `register_widget(template, provider)` when its views module is imported;
`provider(user)` returns the widget's context (a dict) or None when the widget does not apply to
this user. The dashboard is the busiest page, so a provider does not run its counts itself: a
value of the context may be a scalar subquery (`count_of(statement)`, `setting_value(key)`,
any `.scalar_subquery()`), and the dashboard reads every widget's subqueries together in one
SELECT, then puts the figures in their place. A provider that needs something else (the shared
cache) reads it itself, at most once.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

_WIDGETS: list[tuple[int, str, Callable]] = []


def register_widget(template: str, provider: Callable, order: int = 50) -> None:
    if all(t != template for _, t, _p in _WIDGETS):
        _WIDGETS.append((order, template, provider))
        _WIDGETS.sort(key=lambda w: w[0])


def count_of(stmt) -> ScalarSelect:
    """`count(*)` of the rows a (scoped) SELECT would return, as a figure for a widget."""
    return stmt.with_only_columns(func.count(), maintain_column_froms=True).scalar_subquery()


def widgets_for(user) -> list[tuple[str, dict]]:
    from portal.extensions import db

    shown = []
    for _order, template, provider in _WIDGETS:
        context = provider(user)
        if context is not None:
            shown.append((template, context))
    figures = [(context, key, value) for _t, context in shown for key, value in context.items()
               if isinstance(value, ScalarSelect | ColumnElement)]
    if figures:
        row = db.session.execute(select(*(value.label(f"f{i}") for i, (_c, _k, value)
                                          in enumerate(figures)))).one()
        for (context, key, _value), figure in zip(figures, row, strict=True):
            context[key] = figure
    return shown
