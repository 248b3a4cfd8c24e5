"""Every route × every role × another dealer's objects → the expected status.

A route that the app serves but no `tests/routes/*.py` lists makes this fail: each capability
joins the matrix.
"""
import pytest

from tests.routes import ROLES, all_routes

ROUTES = all_routes()
PUBLIC = {"main.healthz", "accounts.login", "accounts.logout", "accounts.set_language", "static"}


def test_every_route_is_in_the_matrix(app):
    served = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    listed = {route.endpoint for route in ROUTES}
    assert served - listed == set(), "routes missing from tests/routes/*.py"
    assert listed - served == set(), "matrix lists routes the app does not serve"


def test_every_route_checks_the_role(app):
    unchecked = [ep for ep, view in app.view_functions.items()
                 if ep not in PUBLIC and not getattr(view, "allowed_roles", None)]
    assert unchecked == []


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.endpoint}")
@pytest.mark.parametrize("role", ROLES)
def test_route_for_role(client, world, login_as, route, role):
    if role != "anon":
        login_as(world.users[role])
    response = client.open(route.resolve_url(world), method=route.method,
                           data=route.resolve_data(world), headers=route.headers)
    expected = route.expect[role]
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in expected, (
        f"{route.method} {route.resolve_url(world)} as {role}: {response.status_code}, "
        f"expected {expected}")
