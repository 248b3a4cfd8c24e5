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


#: The role each column of the matrix logs in with (tests/factories.py).
ROLE_OF = {"dealer_admin": "dealer_admin", "dealer_sales": "dealer_sales",
           "other_dealer": "dealer_admin", "sales_rep": "sales_rep",
           "channel_manager": "channel_manager", "other_region_cm": "channel_manager",
           "sales_director": "sales_director", "finance": "finance", "admin": "admin"}


def test_the_matrix_and_the_navigation_read_the_capability_table(app):
    """A route declaring a capability admits exactly its roles (what the navigation reads), and
    the matrix expects 403 for every role the table leaves out."""
    from portal.core.capabilities import roles_of

    declared = 0
    for route in ROUTES:
        view = app.view_functions[route.endpoint]
        name = getattr(view, "capability", None)
        if name is None:
            continue
        declared += 1
        holders = {str(r) for r in roles_of(name)}
        assert {str(r) for r in view.allowed_roles} == holders, route.endpoint
        for column, role in ROLE_OF.items():
            expected = route.expect[column]
            expected = expected if isinstance(expected, tuple) else (expected,)
            if role not in holders:
                assert expected == (403,), (route.endpoint, column, name)
    assert declared >= 30
