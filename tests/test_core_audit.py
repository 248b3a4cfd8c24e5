"""The audit log: recorded by services, viewed by admins with filters by actor, object and date."""
from __future__ import annotations

import html
from datetime import UTC, datetime

from portal.core import audit
from portal.core.audit import AuditEntry


def test_record_fills_object_dealer_and_ip(db, world):
    token = audit.client_ip.set("203.0.113.7")
    try:
        entry = audit.record(world.admin, "dealer.updated", world.dealer_a,
                             before={"tier": "gold", "when": datetime(2026, 1, 1)},
                             after={"tier": "platinum"}, comment="upgrade")
    finally:
        audit.client_ip.reset(token)
    db.session.flush()
    assert entry.object_type == "dealer" and entry.object_id == world.dealer_a.id
    assert entry.actor_id == world.admin.id and entry.ip == "203.0.113.7"
    assert entry.before == {"tier": "gold", "when": "2026-01-01 00:00:00"}  # plain JSON
    assert entry.at.tzinfo is not None
    assert [e.action for e in audit.history("dealer", world.dealer_a.id)][-1] == "dealer.updated"


def test_record_takes_the_dealer_from_the_object(db, world):
    entry = audit.record(None, "user.updated", world.dealer_sales)
    db.session.flush()
    assert entry.dealer_id == world.dealer_a.id and entry.actor_id is None


def test_request_ip_reaches_the_log(client, world, db):
    client.post("/login", data={"email": "a.sales@test.example", "password": "test-password-1"},
                environ_base={"REMOTE_ADDR": "198.51.100.4"})
    entries = audit.history("user", world.dealer_sales.id)
    assert entries[-1].action == "user.login" and entries[-1].ip == "198.51.100.4"


def _entries(db, world):
    def add(actor, action, obj_type, obj_id, day):
        e = AuditEntry(actor_id=actor.id, action=action, object_type=obj_type, object_id=obj_id,
                       at=datetime(2026, 3, day, 12, 0, tzinfo=UTC))
        db.session.add(e)
        return e

    add(world.admin, "dealer.updated", "dealer", world.dealer_a.id, 1)
    add(world.channel_manager, "deal.approved", "deal_registration", 77, 5)
    add(world.finance, "statement.issued", "rebate_statement", 5, 9)
    db.session.flush()


def rows(resp) -> str:
    body = html.unescape(resp.get_data(as_text=True))
    return body.split("<tbody>")[1].split("</tbody>")[0]


def test_audit_viewer_filters(client, login_as, world, db):
    _entries(db, world)
    login_as(world.admin)
    body = rows(client.get("/admin/audit/?actor=cm@test"))
    assert "Registration #77" in body and "Rebate statement #" not in body
    body = rows(client.get("/admin/audit/?object_type=rebate_statement"))
    assert "Rebate statement #5" in body and "Registration #" not in body
    body = rows(client.get(f"/admin/audit/?object_type=dealer&object_id={world.dealer_a.id}"))
    assert f"Dealer #{world.dealer_a.id}" in body and "Rebate statement #" not in body
    body = rows(client.get("/admin/audit/?from=2026-03-04&to=2026-03-05"))
    assert "Registration #77" in body
    assert "Rebate statement #" not in body and f"Dealer #{world.dealer_a.id}" not in body
    body = rows(client.get("/admin/audit/?to=2026-03-01"))
    assert f"Dealer #{world.dealer_a.id}" in body and "Registration #" not in body
    # a broken date is ignored rather than an error
    assert client.get("/admin/audit/?from=yesterday").status_code == 200


def test_audit_viewer_shows_labels_and_is_for_head_office_deciders(client, login_as, world, db):
    _entries(db, world)
    login_as(world.sales_director)
    body = rows(client.get("/admin/audit/"))
    assert "Dealer changed" in body and "admin@test.example" in body
    login_as(world.dealer_admin)
    assert client.get("/admin/audit/").status_code == 403


def test_audit_viewer_shows_changes_in_words_not_json(client, login_as, world, db):
    audit.record(world.admin, "deal.approved", world.dealer_a, object_type="deal_registration",
                 object_id=7, before={"status": "submitted"},
                 after={"status": "approved", "amount_fen": 123456, "role": "finance",
                        "active": False})
    db.session.commit()
    for lang, words in (("en", ["Registration #7", "Status: Submitted", "Status: Approved",
                                "Amount: ¥1,234.56", "Role: Finance", "no"]),
                        ("zh_CN", ["项目报备 #7", "状态：已提交", "状态：已批准", "金额：¥1,234.56"])):
        world.admin.locale = lang
        db.session.commit()
        login_as(world.admin)
        body = html.unescape(client.get("/admin/audit/?object_type=deal_registration").get_data(as_text=True))
        for word in words:
            assert word in body, (lang, word)
        assert '{"status"' not in body and "amount_fen" not in body


def test_one_date_time_format_per_language(client, login_as, world, db):
    _entries(db, world)
    for lang, expected in (("en", "Mar 5, 2026, 20:00"), ("zh_CN", "2026年3月5日 20:00")):
        world.admin.locale = lang
        db.session.commit()
        login_as(world.admin)
        body = rows(client.get("/admin/audit/?actor=cm@test"))
        assert expected in body, lang
        assert "3/5/26" not in body and "2026/3/5" not in body and "PM" not in body


def test_nested_changes_read_as_words():
    from portal.core.labels import changes

    assert changes({"weights": {"attainment": 40}, "amount_fen": -750000, "active": True}) == [
        ("Weights", "attainment: 40"), ("Amount", "-¥7,500.00"), ("Active", "yes")]
