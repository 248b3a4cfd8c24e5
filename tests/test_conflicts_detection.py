"""Conflict detection on submission, the desk and its decisions (DESIGN §3.4)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.conflicts import detection
from portal.conflicts.models import ConflictCase
from portal.core import clock
from portal.deals import services
from portal.deals.models import Customer, DirectLead
from portal.notifications.models import Notification
from tests.routes.deals import make_customer, make_lead


@pytest.fixture(autouse=True)
def _committed(world, db):
    """Views roll back on bad input: commit the setup first (the test's outer transaction still
    rolls everything back afterwards)."""
    db.session.commit()


def register(user, customer_name, line, *, submit=True, customer_id=None, **extra):
    """A dealer user registers (and submits) a deal through the services."""
    data = {"project_name": extra.pop("project_name", "服务器扩容项目"),
            "customer_id": str(customer_id) if customer_id else "new",
            "customer_name": customer_name,
            "expected_close_date": (clock.today() + timedelta(days=60)).isoformat(),
            "estimated_value": "800000", "stage": "quoting", **extra}
    deal = services.save_deal(user, None, data, [{"line_id": str(line.id), "quantity": "4"}])
    if submit:
        services.submit_deal(user, deal)
    return deal


def cases_of(deal):
    return list(services.db.session.scalars(select(ConflictCase).where(
        (ConflictCase.first_deal_id == deal.id) | (ConflictCase.second_deal_id == deal.id))))


@pytest.fixture
def lenovo(world, db):
    """Dealer B (east) registered 联想(北京)有限公司 for servers; dealer A then registers
    北京联想科技有限公司 for servers."""
    server = world.lines[0]
    earlier = register(world.other_dealer, "联想(北京)有限公司", server)
    later = register(world.dealer_sales, "北京联想科技有限公司", server)
    db.session.commit()
    return earlier, later


def test_overlap_between_two_dealers_opens_a_case_and_holds_the_later(world, lenovo):
    earlier, later = lenovo
    assert earlier.status == "submitted"
    assert later.status == "in_conflict"
    [case] = cases_of(later)
    assert case.status == "open"
    assert case.first_deal_id == earlier.id and case.second_deal_id == later.id
    assert case.suggestion == "award_earlier"
    assert case.evidence["overlapping_lines"] == [world.lines[0].id]
    assert case.evidence["signals"], "the evidence names the signals that matched"
    # the two customer records stay two records (one per dealer), linked, not merged
    assert later.customer_id != earlier.customer_id
    assert later.customer.dealer_id == world.dealer_a.id


def test_same_customer_other_product_line_is_only_a_notice(world, db):
    register(world.other_dealer, "联想(北京)有限公司", world.lines[0])
    later = register(world.dealer_sales, "北京联想科技有限公司", world.lines[1])
    assert later.status == "submitted"
    [notice] = cases_of(later)
    assert notice.status == "notice"


def test_unrelated_customers_do_not_conflict(world, db):
    register(world.other_dealer, "联想(北京)有限公司", world.lines[0])
    later = register(world.dealer_sales, "北京百度网讯科技有限公司", world.lines[0])
    assert later.status == "submitted"
    assert cases_of(later) == []


def test_expired_and_draft_registrations_do_not_count(world, db):
    earlier = register(world.other_dealer, "联想(北京)有限公司", world.lines[0], submit=False)
    later = register(world.dealer_sales, "北京联想科技有限公司", world.lines[0])
    assert later.status == "submitted"
    services.submit_deal(world.other_dealer, earlier)
    assert earlier.status == "in_conflict"  # now dealer A's submitted one is active and earlier


def test_approved_registration_past_protection_is_not_active(world, db):
    earlier = register(world.other_dealer, "联想(北京)有限公司", world.lines[0])
    earlier.status = "approved"
    earlier.protected_until = clock.today() - timedelta(days=1)
    db.session.flush()
    later = register(world.dealer_sales, "北京联想科技有限公司", world.lines[0])
    assert later.status == "submitted"


def test_direct_lead_on_key_account_suggests_co_sell(world, db):
    account = make_customer(None, "中国石油天然气股份有限公司", region=world.north, key_account=True,
                            owner_rep_id=world.sales_rep.id, uscc="91110000710925462X")
    lead, cases = services.create_lead(world.sales_rep, account, "炼化云平台", [world.lines[0].id])
    assert lead.status == "submitted" and cases == []
    deal = register(world.dealer_sales, "中国石油天然气股份有限公司", world.lines[0],
                    customer_uscc="91110000710925462X")
    [case] = cases_of(deal)
    assert case.first_lead_id == lead.id and case.suggestion == "co_sell"
    assert "uscc" in " ".join(case.evidence["signals"]).lower()


def test_lead_submission_detects_an_existing_registration(world, db):
    deal = register(world.dealer_sales, "北京联想科技有限公司", world.lines[0])
    account = make_customer(None, "联想（北京）有限公司", region=world.north)
    lead, cases = services.create_lead(world.sales_rep, account, "联想总部", [world.lines[0].id])
    assert lead.status == "in_conflict"
    assert cases[0].first_deal_id == deal.id and cases[0].second_lead_id == lead.id


def test_candidate_search_ignores_a_key_shared_by_more_than_20_records(world, db):
    phone = "01088886666"
    crowd = [make_customer(world.dealer_b, f"客户{i}号贸易有限公司", phone=phone) for i in range(25)]
    probe = make_customer(world.dealer_a, "完全不同名字有限公司", phone=phone)
    ids, ignored = detection.candidate_ids(probe)
    assert f"p:86{phone[1:]}" in ignored
    assert not ids & {c.id for c in crowd}
    few_phone = "01077775555"
    few = [make_customer(world.dealer_b, f"顾客{i}号贸易有限公司", phone=few_phone) for i in range(5)]
    probe2 = make_customer(world.dealer_a, "另一个名字有限公司", phone=few_phone)
    ids2, ignored2 = detection.candidate_ids(probe2)
    assert {c.id for c in few} <= ids2 and ignored2 == []


def test_head_office_unlink_stops_the_matcher(world, db, client, login_as):
    earlier = register(world.other_dealer, "联想(北京)有限公司", world.lines[0])
    mine = make_customer(world.dealer_a, "北京联想科技有限公司")
    # The director sees both regions (a channel manager reaches only its own regions' records).
    login_as(world.sales_director)
    resp = client.post(f"/customers/{mine.id}/links",
                       data={"other_id": str(earlier.customer_id), "action": "unlink"})
    assert resp.status_code == 302
    later = register(world.dealer_sales, "", world.lines[0], customer_id=mine.id)
    assert later.status == "submitted"


# --- the desk ----------------------------------------------------------------------------------

def test_desk_shows_the_case_side_by_side_in_utc_order(world, lenovo, client, login_as):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.channel_manager)
    page = client.get(f"/conflicts/{case.id}").get_data(as_text=True)
    assert world.dealer_a.code in page and world.dealer_b.code in page
    assert page.index(earlier.number) < page.index(later.number)
    assert "联想(北京)有限公司" in page and "北京联想科技有限公司" in page
    assert "UTC" in page
    listing = client.get("/conflicts/").get_data(as_text=True)
    assert case.number in listing


def test_award_earlier_rejects_the_later_with_reason_conflict_and_notifies_both(
        world, lenovo, client, login_as, db):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.channel_manager)
    resp = client.post(f"/conflicts/{case.id}/decide",
                       data={"decision": "award_earlier", "reason": "先报备者优先"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert case.status == "decided" and case.decided_by_id == world.channel_manager.id
    assert later.status == "rejected" and later.rejection_reason == "conflict"
    assert earlier.status == "submitted"
    for user in (world.dealer_sales, world.other_dealer):
        notes = list(db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "conflict_decided")))
        assert notes, f"{user.email} is told the outcome"
    actions = [e.action for e in services.audit.history("conflict_case", case.id)]
    assert "conflict.decided" in actions


def test_award_later_rejects_the_earlier(world, lenovo, client, login_as, db):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.sales_director)
    assert client.post(f"/conflicts/{case.id}/decide", data={
        "decision": "award_later", "reason": "先报备方无实质推进"}).status_code == 302
    db.session.expire_all()
    assert earlier.status == "rejected" and later.status == "submitted"


def test_not_a_conflict_lets_both_proceed(world, lenovo, client, login_as, db):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.channel_manager)
    client.post(f"/conflicts/{case.id}/decide", data={"decision": "not_a_conflict",
                                                       "reason": "不同子公司的不同项目"})
    db.session.expire_all()
    assert earlier.status == "submitted" and later.status == "submitted"


def test_co_sell_attaches_the_rep_as_assisting_rep(world, db, client, login_as):
    account = make_customer(None, "国家电网有限公司", region=world.north, key_account=True)
    lead = make_lead(world.sales_rep, account, world.lines[0], world.north)
    deal = register(world.dealer_sales, "国家电网有限公司", world.lines[0])
    [case] = cases_of(deal)
    assert case.suggestion == "co_sell"
    login_as(world.channel_manager)
    client.post(f"/conflicts/{case.id}/decide", data={"decision": "co_sell", "reason": "大客户协同"})
    db.session.expire_all()
    assert deal.status == "submitted" and deal.assisting_rep_id == world.sales_rep.id
    assert db.session.get(DirectLead, lead.id).status == "assisting"


def test_co_sell_between_two_dealers_is_refused(world, lenovo, client, login_as, db):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.channel_manager)
    resp = client.post(f"/conflicts/{case.id}/decide", data={"decision": "co_sell", "reason": "x"})
    assert resp.status_code == 422
    db.session.expire_all()
    assert case.status == "open" and later.status == "in_conflict"


def test_a_decision_needs_a_reason_and_changes_nothing_without(world, lenovo, client, login_as, db):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.channel_manager)
    resp = client.post(f"/conflicts/{case.id}/decide", data={"decision": "award_earlier",
                                                             "reason": "  "})
    assert resp.status_code == 422
    assert "Write the reason for the decision." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert case.status == "open" and later.status == "in_conflict"


def test_cases_older_than_two_business_days_are_flagged(world, db, client, login_as):
    friday = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
    with clock.frozen(friday):
        _e = register(world.other_dealer, "联想(北京)有限公司", world.lines[0])
        later = register(world.dealer_sales, "北京联想科技有限公司", world.lines[0])
    [case] = cases_of(later)
    login_as(world.channel_manager)
    with clock.frozen(friday + timedelta(days=4)):  # Tuesday: 2 business days
        assert "overdue" in client.get("/conflicts/").get_data(as_text=True)
    with clock.frozen(friday + timedelta(days=3)):  # Monday: 1 business day
        assert "overdue" not in client.get("/conflicts/").get_data(as_text=True)


def test_director_takes_over_and_the_manager_can_no_longer_decide(world, lenovo, client,
                                                                   login_as, db):
    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.sales_director)
    assert client.post(f"/conflicts/{case.id}/take").status_code == 302
    login_as(world.channel_manager)
    resp = client.post(f"/conflicts/{case.id}/decide", data={"decision": "award_earlier",
                                                             "reason": "先到先得"})
    assert resp.status_code == 403
    db.session.expire_all()
    assert case.status == "open"


def test_manager_of_another_region_does_not_see_the_case(world, db, client, login_as):
    later = register(world.dealer_sales, "北京联想科技有限公司", world.lines[0])
    assert later.status == "submitted"
    account = make_customer(None, "联想（北京）有限公司", region=world.north)
    _lead, [case] = services.create_lead(world.sales_rep, account, "联想", [world.lines[0].id])
    login_as(world.other_region_cm)
    assert client.get(f"/conflicts/{case.id}").status_code == 404
    assert case.number not in client.get("/conflicts/").get_data(as_text=True)


def test_customer_keys_are_indexed_not_scanned(world, db):
    """The candidate query uses the key index (the plan names it), whatever the backend."""
    c = make_customer(world.dealer_a, "北京联想科技有限公司")
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(db.text(
            "EXPLAIN QUERY PLAN SELECT customer_id FROM customer_key WHERE key = :k LIMIT 22"),
            {"k": "n:联想"}).fetchall()
    else:
        db.session.execute(db.text("SET LOCAL enable_seqscan = off"))
        plan = db.session.execute(db.text(
            "EXPLAIN SELECT customer_id FROM customer_key WHERE key = :k LIMIT 22"),
            {"k": "n:联想"}).fetchall()
    text = " ".join(str(row) for row in plan)
    assert "ix_customer_key_key" in text or "Seq Scan" not in text, text
    assert db.session.scalar(select(func.count()).select_from(Customer)) >= 1
    assert c.name_norm


# --- Revision 2 of the matcher (DESIGN §3.4.1) --------------------------------------------------

def overlaps_of(deal):
    from portal.conflicts.models import PossibleOverlap

    return list(services.db.session.scalars(select(PossibleOverlap).where(
        PossibleOverlap.deal_id == deal.id)))


@pytest.mark.parametrize("name", ["Q", "中", "  "])
def test_a_customer_whose_name_gives_no_key_does_not_break_the_check(world, db, name):
    customer = make_customer(world.dealer_a, name)
    assert detection.candidate_ids(customer) == (set(), [])
    assert detection.same_customers(customer) == {}
    server = world.lines[0]
    register(world.other_dealer, "北京联想科技有限公司", server)
    deal = register(world.dealer_sales, "", server, customer_id=customer.id)
    assert deal.status == "submitted" and cases_of(deal) == []


def test_traditional_characters_meet_simplified_ones_in_a_case(world, db):
    server = world.lines[0]
    earlier = register(world.other_dealer, "台湾宏达电机股份有限公司", server)
    later = register(world.dealer_sales, "臺灣宏達電機股份有限公司", server)
    assert later.status == "in_conflict"
    [case] = cases_of(later)
    assert case.first_deal_id == earlier.id


def test_same_trade_name_other_business_proceeds_with_a_notice_for_the_manager(
        world, db, client, login_as):
    server = world.lines[0]
    held = register(world.other_dealer, "北京恒达文化传媒有限公司", server)
    deal = register(world.dealer_sales, "北京恒达电子科技有限公司", server)
    db.session.commit()
    assert deal.status == "submitted" and cases_of(deal) == []
    [notice] = overlaps_of(deal)
    assert notice.status == "open" and notice.evidence["others"] == [held.number]
    notes = list(db.session.scalars(select(Notification).where(
        Notification.user_id == world.channel_manager.id, Notification.kind == "possible_overlap")))
    assert notes, "the channel manager of the region is told"
    login_as(world.channel_manager)
    desk = client.get("/conflicts/").get_data(as_text=True)
    assert deal.number in desk and "北京恒达文化传媒有限公司" in desk
    assert "Same trade name, but in another line of business." in desk
    assert "trade_name_other_business" not in desk  # evidence in words, never codes
    page = client.get(f"/conflicts/overlaps/{notice.id}").get_data(as_text=True)
    assert "北京恒达电子科技有限公司" in page
    # the submitting dealer sees none of it
    login_as(world.dealer_sales)
    assert client.get(f"/conflicts/overlaps/{notice.id}").status_code == 403


def test_taking_up_a_possible_overlap_opens_a_case_and_teaches_the_matcher(
        world, db, client, login_as):
    from portal.deals.customers import alias_names

    server = world.lines[0]
    held = register(world.other_dealer, "北京恒达文化传媒有限公司", server)
    deal = register(world.dealer_sales, "北京恒达电子科技有限公司", server)
    db.session.commit()
    [notice] = overlaps_of(deal)
    login_as(world.channel_manager)
    resp = client.post(f"/conflicts/overlaps/{notice.id}/escalate", data={})
    assert resp.status_code == 303
    db.session.expire_all()
    assert notice.status == "escalated" and notice.decided_by_id == world.channel_manager.id
    assert deal.status == "in_conflict"
    [case] = cases_of(deal)
    assert case.first_deal_id == held.id
    assert "北京恒达文化传媒有限公司" in alias_names(deal.customer_id)
    again = client.post(f"/conflicts/overlaps/{notice.id}/dismiss", data={})
    assert again.status_code == 409  # handled once, audited once


def test_dismissing_a_possible_overlap_changes_no_registration(world, db, client, login_as):
    server = world.lines[0]
    register(world.other_dealer, "北京恒达文化传媒有限公司", server)
    deal = register(world.dealer_sales, "北京恒达电子科技有限公司", server)
    db.session.commit()
    [notice] = overlaps_of(deal)
    login_as(world.other_region_cm)  # the east manager: dealer B's side
    resp = client.post(f"/conflicts/overlaps/{notice.id}/dismiss", data={"reason": "两家公司"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert notice.status == "dismissed" and deal.status == "submitted" and cases_of(deal) == []


def test_an_alias_added_today_makes_tomorrows_variant_match(world, db, client, login_as):
    server = world.lines[0]
    account = make_customer(world.dealer_b, "北京瑞祥网络技术有限公司")
    register(world.other_dealer, "", server, customer_id=account.id)
    db.session.commit()
    login_as(world.channel_manager)  # dealer B's record lies in the east: not this manager's
    assert client.post(f"/customers/{account.id}/aliases", data={"name": "x"}).status_code == 404
    login_as(world.other_region_cm)
    resp = client.post(f"/customers/{account.id}/aliases", data={"name": "Ruixiang Cloud"})
    assert resp.status_code == 303
    page = client.get(f"/customers/{account.id}").get_data(as_text=True)
    assert "Ruixiang Cloud" in page
    deal = register(world.dealer_sales, "RUIXIANG CLOUD LIMITED", server)
    assert deal.status == "in_conflict"


def test_former_name_in_brackets_becomes_an_alias(world, db):
    from portal.deals.customers import alias_names

    server = world.lines[0]
    register(world.other_dealer, "北京瑞祥网络技术有限公司", server)
    deal = register(world.dealer_sales, "北京鼎盛数据科技有限公司（原北京瑞祥网络技术有限公司）", server)
    assert alias_names(deal.customer_id) == ["北京瑞祥网络技术有限公司"]
    assert deal.status == "in_conflict"


def test_a_same_customer_decision_adds_the_names_as_aliases(world, lenovo, client, login_as, db):
    from portal.deals.customers import alias_names

    earlier, later = lenovo
    [case] = cases_of(later)
    login_as(world.channel_manager)
    client.post(f"/conflicts/{case.id}/decide", data={"decision": "award_earlier", "reason": "先到先得"})
    assert "联想(北京)有限公司" in alias_names(later.customer_id)
    assert "北京联想科技有限公司" in alias_names(earlier.customer_id)
