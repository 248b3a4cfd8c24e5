"""Login and logout, Argon2id, refused logins, sessions that end at once, safe `next`."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.auth import hash_password, verify_password
from portal.accounts.models import User
from portal.core.audit import AuditEntry
from tests.conftest import log_in
from tests.factories import PASSWORD, UserFactory


def login(client, email, password=PASSWORD, next_url=None, **kw):
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"email": email, "password": password}, **kw)


def flash_text(resp) -> str:
    found = re.findall(r'class="flash error"[^>]*>([^<]*)<', resp.get_data(as_text=True))
    return html.unescape(" ".join(found))


def test_login_page_renders_form(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'name="email"' in body and 'name="password"' in body


def test_login_then_dashboard_then_logout(client, world):
    resp = login(client, "a.sales@test.example")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Dealer salesperson" in page.get_data(as_text=True)
    assert world.dealer_sales.last_login_at is not None
    # logging out needs a POST; the GET only shows the confirmation form
    assert client.get("/logout").status_code == 200
    assert client.get("/").status_code == 200
    resp = client.post("/logout")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302


def test_login_and_logout_are_audited(client, world, db):
    login(client, "a.sales@test.example")
    client.post("/logout")
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == world.dealer_sales.id)).all()
    assert actions == ["user.login", "user.logout"]


def test_email_is_case_insensitive_and_trimmed(client, world):
    assert login(client, "  A.Sales@Test.Example ").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_message(client, world):
    wrong = login(client, "a.sales@test.example", "not-the-password")
    unknown = login(client, "nobody@test.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert flash_text(wrong) == flash_text(unknown) == "Wrong e-mail or password."
    assert client.get("/").status_code == 302  # still logged out


def test_empty_form_is_422_with_field_messages(client, world):
    resp = client.post("/login", data={"email": "", "password": ""})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "Enter your e-mail address." in body and "Enter your password." in body


def test_passwords_are_argon2id_at_owasp_strength():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in hashed
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "not-a-password")  # the dummy hash never logs anyone in
    assert not verify_password("garbage", "x")


def test_deactivated_user_is_refused(client, world, db):
    world.dealer_sales.active = False
    db.session.flush()
    resp = login(client, "a.sales@test.example")
    assert resp.status_code == 401
    assert "deactivated" in flash_text(resp)
    assert client.get("/").status_code == 302


def test_suspended_dealer_users_are_refused(client, world, db):
    services.set_dealer_status(world.admin, world.dealer_a, "suspended")
    db.session.flush()
    for email in ("a.sales@test.example", "a.admin@test.example"):
        resp = login(client, email)
        assert resp.status_code == 401
        assert flash_text(resp) == "Your dealer's access is suspended. Contact your channel manager."
    # the other dealer is untouched
    assert login(client, "b.admin@test.example").status_code == 302


def test_suspending_a_dealer_ends_open_sessions_at_once(client, world, db, app):
    assert login(client, "a.sales@test.example").status_code == 302
    assert client.get("/").status_code == 200
    admin = app.test_client()
    log_in(admin, world.admin)
    resp = admin.post(f"/admin/dealers/{world.dealer_a.id}/status", data={"status": "suspended"})
    assert resp.status_code == 302
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    # reactivating does not revive the old session: the token rotated
    admin.post(f"/admin/dealers/{world.dealer_a.id}/status", data={"status": "active"})
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_its_sessions_at_once(client, world, app):
    assert login(client, "a.sales@test.example").status_code == 302
    admin = app.test_client()
    log_in(admin, world.admin)
    resp = admin.post(f"/admin/users/{world.dealer_sales.id}", data={
        "email": "a.sales@test.example", "name": "A Sales", "role": "dealer_sales",
        "dealer_id": world.dealer_a.id, "locale": "en"})  # no "active": unchecked
    assert resp.status_code == 302
    assert world.dealer_sales.active is False
    assert client.get("/").status_code == 302


def test_a_forged_session_id_without_the_token_is_refused(client, world):
    log_in(client, world.admin)
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{world.admin.id}:"
    assert client.get("/").status_code == 302
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{world.admin.id}:guessed-token"
    assert client.get("/").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(client, world, app):
    other = app.test_client()
    assert login(other, "a.sales@test.example").status_code == 302
    assert login(client, "a.sales@test.example").status_code == 302
    resp = client.post("/account", data={"current": PASSWORD, "new": "brand-new-pass-99"})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert verify_password(world.dealer_sales.password_hash, "brand-new-pass-99")


def test_password_change_with_wrong_current_password_changes_nothing(client, world):
    login(client, "a.sales@test.example")
    old_hash = world.dealer_sales.password_hash
    resp = client.post("/account", data={"current": "wrong-one-here", "new": "brand-new-pass-99"})
    assert resp.status_code == 422
    assert "The current password is wrong." in resp.get_data(as_text=True)
    resp = client.post("/account", data={"current": PASSWORD, "new": "short"})
    assert resp.status_code == 422
    assert "Use at least 10 characters." in resp.get_data(as_text=True)
    assert world.dealer_sales.password_hash == old_hash


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "http://evil.com/", "/\\evil.com", "\\\\evil.com",
    "javascript:alert(1)", "evil.com", "///evil.com", "https:/evil.com", "/\t/evil.com",
    "/\n/evil.com", " //evil.com", "\t//evil.com",
])
def test_next_never_leaves_the_portal(client, world, target):
    from urllib.parse import quote

    resp = client.post("/login?next=" + quote(target, safe=""),
                       data={"email": "a.sales@test.example", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_next_to_a_portal_path_is_followed(client, world):
    resp = login(client, "a.sales@test.example", next_url="/notifications/%3Funread%3D1")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/notifications/?unread=1"


def test_language_switch_next_is_safe_too(client, world):
    resp = client.post("/language", data={"locale": "en", "next": "//evil.com"})
    assert resp.headers["Location"] == "/"
    assert client.post("/language", data={"locale": "xx"}).status_code == 400


def test_logged_in_user_visiting_login_goes_to_dashboard(client, world):
    login(client, "a.sales@test.example")
    resp = client.get("/login")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_anonymous_is_sent_to_login_with_next(client, world):
    resp = client.get("/notifications/")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=")


def test_new_user_has_its_own_session_token(db, world):
    user = UserFactory(email="fresh@test.example")
    db.session.flush()
    assert len(user.session_token) == 32
    assert user.session_token != world.dealer_sales.session_token
    assert user.get_id() == f"{user.id}:{user.session_token}"
    assert db.session.scalar(select(User).where(User.email == "fresh@test.example")) is user


def test_logout_ends_the_session_on_the_server(client, world, app):
    assert login(client, "a.sales@test.example").status_code == 302
    assert client.get("/deals/").status_code == 200
    stolen = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/deals/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_only_its_own_session(client, world, app):
    phone = app.test_client()
    assert login(phone, "a.sales@test.example").status_code == 302
    assert login(client, "a.sales@test.example").status_code == 302
    client.post("/logout")
    assert phone.get("/deals/").status_code == 200


def test_an_idle_session_ends_after_the_idle_timeout(client, world, session_limits, frozen_clock):
    from datetime import timedelta

    assert session_limits.config["SESSION_IDLE_MINUTES"] == 30
    assert login(client, "a.sales@test.example").status_code == 302
    frozen_clock.advance(timedelta(minutes=29))
    assert client.get("/deals/").status_code == 200        # use keeps it alive ...
    frozen_clock.advance(timedelta(minutes=29))
    assert client.get("/deals/").status_code == 200
    frozen_clock.advance(timedelta(minutes=31))           # ... idleness ends it
    assert client.get("/deals/").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_used(client, world, session_limits,
                                                                  frozen_clock):
    from datetime import timedelta

    assert session_limits.config["SESSION_MAX_HOURS"] == 12
    assert login(client, "a.sales@test.example").status_code == 302
    for _ in range(11 * 3):
        frozen_clock.advance(timedelta(minutes=20))
        assert client.get("/deals/").status_code == 200
    frozen_clock.advance(timedelta(minutes=61))
    assert client.get("/deals/").status_code == 302
