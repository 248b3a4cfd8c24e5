"""The route × role matrix, one module per domain.

Each module `tests/routes/<domain>.py` defines `ROUTES` (a list of `Route`) and may define
`build(world)` to create the objects its routes need (dealer A's objects, which dealer B's admin
must not see). A route of the app missing from every module fails `test_route_matrix`.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ["anon", "dealer_admin", "dealer_sales", "other_dealer", "sales_rep", "channel_manager",
         "other_region_cm", "sales_director", "finance", "admin"]
DEALERS = frozenset({"dealer_admin", "dealer_sales", "other_dealer"})
HEAD_OFFICE = frozenset({"sales_rep", "channel_manager", "other_region_cm", "sales_director",
                         "finance", "admin"})
EVERYONE = DEALERS | HEAD_OFFICE
#: What an allowed state-changing request may answer: done, redirected, refused as bad input or
#: as already decided — but never "forbidden" or "not found".
CHANGED = (200, 302, 303, 400, 409, 422)


@dataclass
class Route:
    endpoint: str
    url: str | Callable
    expect: dict
    method: str = "GET"
    data: dict | Callable | None = None
    headers: dict = field(default_factory=dict)

    def resolve_url(self, world) -> str:
        return self.url(world) if callable(self.url) else self.url

    def resolve_data(self, world):
        return self.data(world) if callable(self.data) else self.data


def expect(allowed, ok=200, *, denied=403, anon=302, **overrides) -> dict:
    """Expected status per role: `ok` for `allowed`, `denied` for the others, `anon` for anonymous."""
    allowed = frozenset(allowed)
    result = {role: anon if role == "anon" else ok if role in allowed else denied for role in ROLES}
    result.update(overrides)
    return result


def _modules():
    for info in pkgutil.iter_modules(__path__):
        yield importlib.import_module(f"{__name__}.{info.name}")


def all_routes() -> list[Route]:
    return [route for module in _modules() for route in getattr(module, "ROUTES", [])]


def build_domain_objects(world) -> None:
    for module in _modules():
        if hasattr(module, "build"):
            module.build(world)
