"""Dashboard widgets contributed by the domains.

A domain registers `register_widget(template, provider)` when its views module is imported;
`provider(user)` returns the widget's context (a dict) or None when the widget does not apply to
this user. Providers must keep to a couple of queries each: the dashboard is the busiest page.
"""
from __future__ import annotations

from collections.abc import Callable

_WIDGETS: list[tuple[int, str, Callable]] = []


def register_widget(template: str, provider: Callable, order: int = 50) -> None:
    if all(t != template for _, t, _p in _WIDGETS):
        _WIDGETS.append((order, template, provider))
        _WIDGETS.sort(key=lambda w: w[0])


def widgets_for(user) -> list[tuple[str, dict]]:
    shown = []
    for _order, template, provider in _WIDGETS:
        context = provider(user)
        if context is not None:
            shown.append((template, context))
    return shown
