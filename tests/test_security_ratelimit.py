"""Login is rate-limited per account and per IP, with a clear message (429)."""
from __future__ import annotations

import pytest

from portal.config import load_config
from tests.factories import PASSWORD


def attempt(client, email, password="wrong-password", ip="10.0.0.1", **headers):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers)


def test_per_account_limit_blocks_even_the_right_password(client, world):
    for _ in range(5):
        assert attempt(client, "a.sales@test.example").status_code == 401
    resp = attempt(client, "a.sales@test.example", PASSWORD)
    assert resp.status_code == 429
    assert "Too many attempts. Please wait a few minutes and try again." in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # from another address the same account is still blocked (per account) ...
    assert attempt(client, "a.sales@test.example", PASSWORD, ip="10.0.0.2").status_code == 429
    # ... while another account from the first address is not
    assert attempt(client, "a.admin@test.example", PASSWORD).status_code == 302


def test_per_account_key_ignores_case_and_spaces(client, world):
    for email in ("a.sales@test.example", "A.SALES@test.example", " a.sales@test.example ",
                  "a.sales@TEST.example", "a.sales@test.example"):
        assert attempt(client, email).status_code == 401
    assert attempt(client, "A.Sales@Test.Example", PASSWORD).status_code == 429


def test_successful_logins_do_not_count(client, world):
    for _ in range(7):
        assert attempt(client, "a.sales@test.example", PASSWORD).status_code == 302
        client.post("/logout")


def test_per_ip_limit(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "3 per 15 minutes")
    for i in range(3):
        assert attempt(client, f"nobody{i}@test.example", ip="10.9.9.9").status_code == 401
    resp = attempt(client, "a.sales@test.example", PASSWORD, ip="10.9.9.9")
    assert resp.status_code == 429
    assert "Too many attempts" in resp.get_data(as_text=True)
    assert attempt(client, "a.sales@test.example", PASSWORD, ip="10.9.9.10").status_code == 302


def test_limit_message_in_chinese(client, world):
    for _ in range(5):
        attempt(client, "a.sales@test.example")
    resp = attempt(client, "a.sales@test.example", **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert resp.status_code == 429
    body = resp.get_data(as_text=True)
    assert "尝试次数过多" in body and "Too many attempts" not in body


def test_limit_json_answer(client, world):
    for _ in range(5):
        attempt(client, "a.sales@test.example")
    resp = attempt(client, "a.sales@test.example", Accept="application/json")
    assert resp.status_code == 429 and "Too many attempts" in resp.get_json()["error"]


def test_get_of_the_login_page_is_not_limited(client, world):
    for _ in range(6):
        attempt(client, "a.sales@test.example")
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("redis_url, expected", [
    (None, "memory://"), ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0")])
def test_counters_in_memory_by_default_and_in_redis_when_configured(monkeypatch, redis_url, expected):
    if redis_url:
        monkeypatch.setenv("REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    assert load_config()["RATELIMIT_STORAGE_URI"] == expected
