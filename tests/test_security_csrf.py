"""CSRF on every state-changing request, htmx included, with an app that has CSRF enabled."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.models import Dealer, User
from portal.core.audit import AuditEntry
from portal.extensions import db
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, DealerFactory, UserFactory

EXPIRED = "Your form expired or was sent without its security token."


@pytest.fixture
def csrf_app(fresh_database, tmp_path):
    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": fresh_database(), "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        dealer = DealerFactory(code="C0001", name="北京测试科技有限公司")
        UserFactory(email="admin@csrf.example", role="admin", name="Admin")
        UserFactory(email="sales@csrf.example", role="dealer_sales", dealer_id=dealer.id)
        db.session.commit()
        app.config["DEALER_ID"] = dealer.id
    yield app
    with app.app_context():
        db.engine.dispose()


def token_from(resp) -> str:
    body = resp.get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or \
        re.search(r"data-hx-headers='\{&#34;X-CSRFToken&#34;: &#34;([^&]+)&#34;\}'", body) or \
        re.search(r'data-hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', body)
    assert match, "no CSRF token on the page"
    return html.unescape(match.group(1))


def login(client, email="admin@csrf.example"):
    token = token_from(client.get("/login"))
    resp = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    return resp


def dealer_status(app) -> str:
    with app.app_context():
        return db.session.get(Dealer, app.config["DEALER_ID"]).status


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_post_without_token_is_400_with_a_clear_message_and_changes_nothing(csrf_app):
    client = csrf_app.test_client()
    login(client)
    before = audit_count(csrf_app)
    resp = client.post(f"/admin/dealers/{csrf_app.config['DEALER_ID']}/status",
                       data={"status": "suspended"})
    assert resp.status_code == 400
    assert EXPIRED in html.unescape(resp.get_data(as_text=True))
    assert dealer_status(csrf_app) == "active"
    assert audit_count(csrf_app) == before


def test_htmx_post_with_header_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    login(client)
    page = client.get(f"/admin/dealers/{csrf_app.config['DEALER_ID']}")
    body = page.get_data(as_text=True)
    assert "data-hx-headers=" in body
    token = token_from(page)
    resp = client.post(f"/admin/dealers/{csrf_app.config['DEALER_ID']}/status",
                       data={"status": "suspended"},
                       headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert resp.status_code == 302
    assert dealer_status(csrf_app) == "suspended"


def test_the_body_carries_the_token_for_htmx(csrf_app):
    client = csrf_app.test_client()
    login(client)
    body = client.get("/").get_data(as_text=True)
    match = re.search(r"<body data-hx-headers='\{&#34;X-CSRFToken&#34;: &#34;([^&]+)&#34;\}'", body) or \
        re.search(r"<body data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", body)
    assert match, body[:2000]


def test_form_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    login(client)
    token = token_from(client.get("/notifications/"))
    resp = client.post("/language", data={"locale": "en", "next": "/", "csrf_token": token})
    assert resp.status_code == 302
    with csrf_app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == "admin@csrf.example")) == "en"


def test_htmx_post_without_token_gets_a_fragment_and_400(csrf_app):
    client = csrf_app.test_client()
    login(client)
    resp = client.post("/notifications/read", headers={"HX-Request": "true"})
    assert resp.status_code == 400
    body = html.unescape(resp.get_data(as_text=True))
    assert body.startswith('<div class="flash error" role="alert">') and EXPIRED in body


@pytest.mark.parametrize("bad", ["garbage", "", "IjEyMyI.aaaa.bbbb"])
def test_invalid_token_is_400(csrf_app, bad):
    client = csrf_app.test_client()
    login(client)
    resp = client.post(f"/admin/dealers/{csrf_app.config['DEALER_ID']}/status",
                       data={"status": "suspended"}, headers={"X-CSRFToken": bad})
    assert resp.status_code == 400
    assert dealer_status(csrf_app) == "active"


def test_stale_token_from_before_login_is_400(csrf_app):
    """Logging in starts a new session: a token of the old one no longer works."""
    client = csrf_app.test_client()
    stale = token_from(client.get("/login"))
    login(client)
    resp = client.post(f"/admin/dealers/{csrf_app.config['DEALER_ID']}/status",
                       data={"status": "suspended", "csrf_token": stale})
    assert resp.status_code == 400
    assert EXPIRED in html.unescape(resp.get_data(as_text=True))
    assert dealer_status(csrf_app) == "active"


def test_token_of_another_session_is_400(csrf_app):
    other = csrf_app.test_client()
    login(other, "sales@csrf.example")
    foreign = token_from(other.get("/"))
    client = csrf_app.test_client()
    login(client)
    resp = client.post(f"/admin/dealers/{csrf_app.config['DEALER_ID']}/status",
                       data={"status": "suspended"}, headers={"X-CSRFToken": foreign})
    assert resp.status_code == 400
    assert dealer_status(csrf_app) == "active"


def test_login_itself_needs_the_token(csrf_app):
    client = csrf_app.test_client()
    resp = client.post("/login", data={"email": "admin@csrf.example", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_needs_the_token(csrf_app):
    client = csrf_app.test_client()
    login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_csrf_message_in_chinese(csrf_app):
    client = csrf_app.test_client()
    resp = client.post("/login", data={"email": "x@y.z", "password": "x"},
                       headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "安全令牌" in body and EXPIRED not in body
