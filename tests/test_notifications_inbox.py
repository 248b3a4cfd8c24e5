"""Notifications: unread count in the header, the list, mark as read, open one, e-mail."""
from __future__ import annotations

import html
import logging
import re

import pytest

from portal.notifications import jobs, services
from portal.notifications.models import Notification

N_ = lambda s: s  # noqa: E731


def badge(resp) -> str:
    match = re.search(r'<span id="unread-badge" class="badge( hidden)?"[^>]*>(\d+)</span>',
                      resp.get_data(as_text=True))
    assert match, "no unread badge"
    return ("hidden " if match.group(1) else "") + match.group(2)


def test_unread_count_in_the_header_and_mark_all_read(client, login_as, world, db):
    services.mark_read(world.dealer_sales)  # start from none unread
    login_as(world.dealer_sales)
    assert badge(client.get("/")) == "hidden 0"
    services.notify([world.dealer_sales, world.dealer_sales, world.finance], "decision_made",
                    N_("Saved."), "/deals/1")
    services.notify([world.dealer_sales], "decision_made", N_("Saved."))
    db.session.flush()
    assert badge(client.get("/")) == "2"  # duplicates collapse to one per user
    resp = client.post("/notifications/read")
    assert resp.status_code == 302
    assert badge(client.get("/")) == "hidden 0"
    assert services.unread_count(world.finance) == 1  # someone else's stays unread


def test_mark_one_read_and_htmx_badge(client, login_as, world, db):
    services.mark_read(world.dealer_sales)
    a, b = services.notify([world.dealer_sales], "k", "Saved.") + \
        services.notify([world.dealer_sales], "k", "Saved.")
    db.session.commit()
    login_as(world.dealer_sales)
    resp = client.post("/notifications/read", data={"id": str(a.id)},
                       headers={"HX-Request": "true"})
    assert resp.status_code == 200
    assert 'id="unread-badge"' in resp.get_data(as_text=True) and ">1<" in resp.get_data(as_text=True)
    assert a.read_at is not None and b.read_at is None


def test_cannot_mark_someone_elses_notification(client, login_as, world, db):
    (note,) = services.notify([world.finance], "k", "Saved.")
    db.session.commit()
    login_as(world.dealer_sales)
    client.post("/notifications/read", data={"id": str(note.id)})
    db.session.refresh(note)
    assert note.read_at is None


def test_list_shows_own_notifications_translated_with_params(client, login_as, world, db):
    services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."), code="DA001")
    services.notify([world.finance], "k", N_("User %(email)s saved."), email="secret@x.example")
    login_as(world.dealer_sales)
    body = html.unescape(client.get("/notifications/").get_data(as_text=True))
    assert "Dealer DA001 saved." in body and "secret@x.example" not in body
    world.dealer_sales.locale = "zh_CN"
    db.session.flush()
    body = html.unescape(client.get("/notifications/").get_data(as_text=True))
    assert "经销商 DA001 已保存" in body


def test_unread_filter(client, login_as, world, db):
    read, unread = services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."), code="已读甲") + \
        services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."), code="未读乙")
    services.mark_read(world.dealer_sales, [read.id])
    login_as(world.dealer_sales)
    body = client.get("/notifications/?unread=1").get_data(as_text=True)
    # Codes in Chinese: a random CSRF token in the page can never contain them.
    assert "未读乙" in body and "已读甲" not in body


def test_open_marks_read_and_follows_the_portal_link(client, login_as, world, db):
    (note,) = services.notify([world.dealer_sales], "k", "Saved.", "/notifications/?unread=1")
    login_as(world.dealer_sales)
    body = client.get("/notifications/").get_data(as_text=True)
    assert f'action="/notifications/{note.id}/open"' in body
    resp = client.post(f"/notifications/{note.id}/open")
    assert resp.status_code == 302 and resp.headers["Location"] == "/notifications/?unread=1"
    assert note.read_at is not None


def test_open_someone_elses_notification_is_404(client, login_as, world, db):
    (note,) = services.notify([world.finance], "k", "Saved.", "/")
    db.session.commit()  # kept when the 404 handler rolls back
    login_as(world.dealer_sales)
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert client.post("/notifications/999999/open").status_code == 404
    db.session.refresh(note)
    assert note.read_at is None


def test_open_a_note_whose_stored_link_left_the_portal_goes_to_the_list(client, login_as, world, db):
    note = Notification(user_id=world.dealer_sales.id, kind="k", message="Saved.", params={},
                        link="//evil.com")  # stored by something other than notify()
    db.session.add(note)
    db.session.flush()
    login_as(world.dealer_sales)
    resp = client.post(f"/notifications/{note.id}/open")
    assert resp.headers["Location"] == "/notifications/"


@pytest.mark.parametrize("link", ["https://evil.com", "//evil.com", "/\\evil.com", "javascript:alert(1)",
                                  "deals/1"])
def test_notify_refuses_links_outside_the_portal(db, world, link):
    with pytest.raises(ValueError):
        services.notify([world.dealer_sales], "k", "Saved.", link)


def test_inactive_users_are_not_notified(db, world):
    world.finance.active = False
    assert services.notify([world.finance, None], "k", "Saved.") == []


def test_render_survives_missing_params(db, world):
    (note,) = services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."))
    assert services.render(note) == "Dealer %(code)s saved."


# --- e-mail ----------------------------------------------------------------------------------------

class FakeSMTP:
    sent: list = []
    instances: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.calls = host, port, []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, msg):
        FakeSMTP.sent.append(msg)


@pytest.fixture
def smtp(monkeypatch, app):
    FakeSMTP.sent, FakeSMTP.instances = [], []
    monkeypatch.setattr(jobs.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.test.example")
    monkeypatch.setitem(app.config, "SMTP_PORT", 2525)
    monkeypatch.setitem(app.config, "SMTP_USER", "portal")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "secret")
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", True)
    return FakeSMTP


def test_email_goes_out_by_smtp_after_commit_in_the_recipients_language(db, world, smtp):
    world.finance.locale = "zh_CN"
    services.notify([world.dealer_sales, world.finance], "k", N_("Dealer %(code)s saved."),
                    "/admin/", code="DA001")
    assert smtp.sent == []  # nothing before the commit
    db.session.commit()
    assert len(smtp.sent) == 2
    by_to = {m["To"]: m for m in smtp.sent}
    en = by_to["a.sales@test.example"]
    assert en["From"] == "portal@example.com"
    assert "Dealer DA001 saved." in en["Subject"] and "Dealer DA001 saved." in en.get_content()
    assert "/admin/" in en.get_content()
    zh = by_to["finance@test.example"]
    assert "经销商 DA001 已保存" in zh.get_content()
    inst = smtp.instances[0]
    assert (inst.host, inst.port) == ("smtp.test.example", 2525)
    assert inst.calls == ["starttls", ("login", "portal", "secret")]


def test_email_links_to_the_portal_address_when_it_is_configured(db, world, smtp, monkeypatch, app):
    monkeypatch.setitem(app.config, "PORTAL_URL", "https://portal.example.com")
    services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."), "/orders/7", code="DA001")
    db.session.commit()
    assert "https://portal.example.com/orders/7" in smtp.sent[0].get_content()


def test_no_email_when_the_transaction_rolls_back(db, world, smtp):
    services.notify([world.dealer_sales], "k", "Saved.")
    db.session.rollback()
    db.session.commit()
    assert smtp.sent == []


def test_email_is_logged_when_smtp_is_not_configured(db, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    monkeypatch.setattr(jobs.smtplib, "SMTP", None)  # would fail if used
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("portal.mail")
    monkeypatch.setattr(logger, "disabled", False)
    logger.addHandler(handler)
    try:
        services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."), code="DA001")
        db.session.commit()
    finally:
        logger.removeHandler(handler)
    messages = [r.getMessage() for r in records]
    assert any("a.sales@test.example" in m and "Dealer DA001 saved." in m for m in messages)


def test_real_smtp_conversation_with_a_local_server(db, world, app, monkeypatch):
    """A tiny SMTP server on 127.0.0.1 receives the message (no monkeypatched smtplib)."""
    import socket
    import threading

    received: list[str] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10)
    port = server.getsockname()[1]

    def serve():
        conn, _ = server.accept()
        conn.settimeout(10)
        f = conn.makefile("rb")

        def send(line):
            conn.sendall(line.encode() + b"\r\n")

        send("220 fake ESMTP")
        while True:
            line = f.readline().decode().strip()
            if not line:
                break
            cmd = line.split(" ")[0].upper()
            if cmd in ("EHLO", "HELO"):
                send("250 fake")
            elif cmd == "DATA":
                send("354 go ahead")
                data = []
                while (chunk := f.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode())
                received.append("".join(data))
                send("250 queued")
            elif cmd == "QUIT":
                send("221 bye")
                break
            else:
                send("250 ok")
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "SMTP_USER", None)
    services.notify([world.dealer_sales], "k", N_("Dealer %(code)s saved."), code="DA001")
    db.session.commit()
    thread.join(10)
    server.close()
    assert len(received) == 1
    assert "To: a.sales@test.example" in received[0]
    assert "Dealer DA001 saved." in received[0]
