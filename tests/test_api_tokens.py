"""API tokens on the account page, the documentation, last use without writes in GETs, CSRF."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portal import create_app
from portal.api import services
from portal.api.models import ApiToken
from portal.core.audit import AuditEntry
from portal.extensions import db
from tests.conftest import TEST_CONFIG


@pytest.fixture(autouse=True)
def _no_noted_uses():
    """Uses noted without Redis live in the process; tests roll back and reuse token ids."""
    services._LOCAL_USE.clear()
    yield
    services._LOCAL_USE.clear()


def _secret_on(page: str) -> str:
    match = re.search(r'id="token-secret"[^>]*>(dp_[A-Za-z0-9_-]+)<', page)
    assert match, "the secret is not shown"
    return match.group(1)


def test_create_shows_the_secret_once_and_stores_only_its_hash(client, world, login_as):
    login_as(world.dealer_sales)
    response = client.post("/account/tokens", data={"name": "用友 U8 同步"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = _secret_on(response.get_data(as_text=True))
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "用友 U8 同步"))
    assert token.user_id == world.dealer_sales.id
    assert token.token_hash == services.hash_secret(secret) and secret not in token.token_hash
    account = client.get("/account").get_data(as_text=True)
    assert "用友 U8 同步" in account and secret not in account and token.prefix in account
    assert "Never" in account
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.created",
                                                       AuditEntry.object_id == token.id))
    assert entry.actor_id == world.dealer_sales.id
    # the secret works on the API
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {secret}"}) \
        .status_code == 200


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(client, world, login_as, name):
    login_as(world.dealer_admin)
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 303
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.dealer_admin.id,
                                                    ApiToken.name == name.strip())) is None


def test_revoke_ends_the_token_and_only_the_owner_may(client, world, login_as):
    token, secret = services.create_token(world.dealer_admin, "ERP")
    db.session.commit()
    login_as(world.other_dealer)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    login_as(world.admin)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {secret}"}) \
        .status_code == 200
    login_as(world.dealer_admin)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {secret}"}) \
        .status_code == 401
    assert "Revoked" in client.get("/account").get_data(as_text=True)


def test_last_use_of_a_get_is_shown_at_once_and_written_by_the_job(client, world):
    token, secret = services.create_token(world.dealer_admin, "只读 ERP")
    db.session.commit()
    services._LOCAL_USE.clear()
    assert client.get("/api/v1/prices", headers={"Authorization": f"Bearer {secret}"}) \
        .status_code == 200
    db.session.refresh(token)
    assert token.last_used_at is None  # the GET wrote nothing (the suite fails GETs that write)
    assert services.last_used(token, services.pending_use()) is not None
    assert services.record_token_use() >= 1
    db.session.commit()
    db.session.refresh(token)
    assert token.last_used_at is not None and token.id not in services.pending_use()


def test_a_post_records_its_use_in_its_own_transaction(client, world):
    from datetime import timedelta

    from portal.core import clock

    token, secret = services.create_token(world.dealer_admin, "写入 ERP")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    assert client.post("/api/v1/orders", data="{}", headers=headers).status_code == 422
    db.session.refresh(token)
    assert token.last_used_at is None  # a refused POST rolls back, its use with it
    ok = client.post("/api/v1/registrations", data=json.dumps({
        "project_name": "记录使用", "customer": {"name": "北京记录使用客户有限公司"},
        "expected_close_date": (clock.today() + timedelta(days=20)).isoformat(),
        "lines": [{"product_line": world.lines[0].code}]}), headers=headers)
    assert ok.status_code == 201, ok.json
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_the_docs_page_lists_the_operations_of_the_role(client, world, login_as):
    login_as(world.dealer_admin)
    account = client.get("/account").get_data(as_text=True)
    assert "/account/api" in account
    page = client.get("/account/api")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "POST /api/v1/orders" in text and "GET /api/v1/prices" in text
    assert "<script" not in text.replace('<script src="/static/', "")
    login_as(world.sales_rep)
    text = client.get("/account/api").get_data(as_text=True)
    assert "GET /api/v1/registrations" in text and "POST /api/v1/orders" not in text


def test_the_openapi_document_is_valid_and_covers_every_route(app, client, world):
    from openapi_spec_validator import validate

    token, secret = services.create_token(world.finance, "docs")
    db.session.commit()
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-zA-Z_]+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served and served == documented
    post_orders = doc["paths"]["/api/v1/orders"]["post"]
    body = doc["components"]["schemas"]["OrderIn"]
    assert post_orders["requestBody"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/OrderIn")
    assert body["additionalProperties"] is False and "lines" in body["required"]
    assert any(p["name"] == "Idempotency-Key" for p in post_orders["parameters"])
    assert "422" in post_orders["responses"]


def test_the_document_needs_a_token(client, world):
    assert client.get("/api/v1/openapi.json").status_code == 401


@pytest.fixture
def csrf_app(fresh_database, tmp_path):
    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": fresh_database(), "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        from tests.factories import build_world

        world = build_world()
        _token, secret = services.create_token(world.dealer_admin, "csrf")
        db.session.commit()
        app.config["API_SECRET"] = secret
    yield app
    with app.app_context():
        db.engine.dispose()


def test_csrf_does_not_apply_to_token_requests_but_still_to_the_account_page(csrf_app):
    client = csrf_app.test_client()
    headers = {"Authorization": f"Bearer {csrf_app.config['API_SECRET']}",
               "Content-Type": "application/json"}
    response = client.post("/api/v1/orders", data="{}", headers=headers)
    assert response.status_code == 422  # validated, not refused for a missing CSRF token
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
