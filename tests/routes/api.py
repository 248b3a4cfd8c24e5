"""Matrix entries of the API domain.

`/api/v1/` accepts only API tokens: the matrix signs in with a session cookie, so every role —
and anonymous — gets 401 there (`tests/test_api_*.py` test each endpoint × role with tokens).
The account pages (create and revoke tokens, the documentation) follow the usual rules.
"""
from __future__ import annotations

from tests.routes import CHANGED, EVERYONE, ROLES, Route, expect

COOKIE_REFUSED = {role: 401 for role in ROLES}


def build(world) -> None:
    """Dealer A's administrator holds a token (written directly: no audit entry in every world)."""
    from portal.api import services
    from portal.api.models import ApiToken
    from portal.extensions import db

    world.api_secret = "dp_matrix-" + "x" * 33
    world.api_token = ApiToken(user_id=world.dealer_admin.id, name="矩阵 ERP",
                               token_hash=services.hash_secret(world.api_secret),
                               prefix=world.api_secret[:10])
    db.session.add(world.api_token)
    db.session.flush()


def _api(endpoint, url, method="GET", data=None):
    return Route(endpoint, url, COOKIE_REFUSED, method=method, data=data,
                 headers={"Content-Type": "application/json"} if method == "POST" else {})


ROUTES = [
    Route("api.docs", "/account/api", expect(EVERYONE)),
    Route("api.create_token", "/account/tokens", expect(EVERYONE, ok=CHANGED), method="POST",
          data={"name": "ERP"}),
    Route("api.revoke_token", lambda w: f"/account/tokens/{w.api_token.id}/revoke",
          expect({"dealer_admin"}, ok=CHANGED, denied=404), method="POST", data={}),
    _api("api.v1.openapi", "/api/v1/openapi.json"),
    _api("api.v1.prices", "/api/v1/prices"),
    _api("api.v1.orders", "/api/v1/orders"),
    _api("api.v1.order", lambda w: f"/api/v1/orders/{w.order_submitted.number}"),
    _api("api.v1.create_order", "/api/v1/orders", method="POST", data="{}"),
    _api("api.v1.registrations", "/api/v1/registrations"),
    _api("api.v1.create_registration", "/api/v1/registrations", method="POST", data="{}"),
    _api("api.v1.statements", "/api/v1/statements"),
    _api("api.v1.statement_pdf", lambda w: f"/api/v1/statements/{w.statement.number}.pdf"),
]
