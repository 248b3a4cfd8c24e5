"""The head-office inbox (DESIGN §3.9): what awaits whom, filters, bulk decisions, hostile input."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db


def _extension(world, deal=None):
    from portal.deals.models import DealExtension

    deal = deal or world.deal_approved
    ext = DealExtension(deal_id=deal.id, requested_by_id=world.dealer_admin.id,
                        reason="客户预算推迟", days=30, requested_at=clock.now())
    db.session.add(ext)
    db.session.flush()
    return ext


def _keys(client):
    import re

    page = client.get("/inbox/")
    assert page.status_code == 200
    return set(re.findall(r'id="item-([a-z]+-\d+(?:-\d+)?)"', page.text))


def test_each_kind_appears_for_its_channel_manager_only(world, client, login_as):
    _extension(world)
    login_as(world.channel_manager)
    keys = _keys(client)
    step = world.exception.steps[0]
    assert {f"registration-{world.deal_submitted.id}", f"extension-{world.deal_approved.id}",
            f"order-{world.order_submitted.id}", f"exception-{world.exception.id}-{step.id}",
            f"conflict-{world.case.id}", f"overlap-{world.overlap.id}"} <= keys
    # nothing that does not await a decision
    assert f"registration-{world.deal_approved.id}" not in keys
    assert f"order-{world.order_confirmed.id}" not in keys
    # the channel manager of another region sees nothing of the north
    login_as(world.other_region_cm)
    assert _keys(client) == set()
    # the director: the exception step is the channel manager's, not yet his
    login_as(world.sales_director)
    assert _keys(client) == set()


def test_the_director_sees_his_step_and_the_cases_he_took_over(world, client, login_as):
    from portal.pricing import workflow

    workflow.decide(world.channel_manager, world.exception, step_id=world.exception.steps[0].id,
                    decision="approve")
    world.case.assigned_to_id = world.sales_director.id
    db.session.flush()
    login_as(world.sales_director)
    step = workflow.current_step(world.exception)
    assert _keys(client) == {f"exception-{world.exception.id}-{step.id}", f"conflict-{world.case.id}"}
    login_as(world.channel_manager)
    keys = _keys(client)
    assert not any(k.startswith(("exception-", "conflict-")) for k in keys)
    login_as(world.finance)
    assert _keys(client) == set()


def test_roles_without_an_inbox_are_refused(world, client, login_as):
    for role in ("dealer_admin", "sales_rep", "admin"):
        login_as(world.users[role])
        assert client.get("/inbox/").status_code == 403


def test_sorted_by_due_time_with_the_count_in_the_navigation(world, client, login_as):
    from portal.core.settings import set_setting

    # orders are due within 1 business day, registrations within 2: make the registration older
    world.deal_submitted.submitted_at = clock.now() - timedelta(days=20)
    set_setting(world.admin, "inbox_order_business_days", 5)
    db.session.flush()
    login_as(world.channel_manager)
    page = client.get("/inbox/").text
    first = page.index(f'id="item-registration-{world.deal_submitted.id}"')
    assert first < page.index(f'id="item-order-{world.order_submitted.id}"')
    assert "overdue" in page[first:first + 600]
    count = page.split('id="inbox-count">')[1].split("<")[0]
    assert int(count) == 7  # 1 registration, 3 orders, 1 exception step, 1 case, 1 overlap
    # every page shows the same count in the navigation
    other = client.get("/orders/").text
    assert other.split('id="inbox-count">')[1].split("<")[0] == "7"


def _bulk(client, keys, action="approve", reason="", query=""):
    return client.post("/inbox/bulk" + query, data={"item": keys, "action": action, "reason": reason})


def _status(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_).status


def test_bulk_approve_decides_each_item_through_its_service(world, client, login_as):
    from portal.core.audit import AuditEntry
    from portal.deals.models import DealRegistration
    from portal.orders.models import SalesOrder
    from portal.pricing.models import PriceException

    login_as(world.channel_manager)
    step = world.exception.steps[0]
    audits = db.session.scalar(select(func.count(AuditEntry.id)))
    response = _bulk(client, [f"registration:{world.deal_submitted.id}",
                              f"order:{world.order_submitted.id}",
                              f"exception:{world.exception.id}:{step.id}",
                              f"order:{world.order_confirmed.id}"])
    assert response.status_code == 200
    assert "3 done, 1 refused" in response.text
    assert f'id="result-order-{world.order_confirmed.id}"' in response.text
    assert "This item does not await your decision." in response.text
    assert _status(DealRegistration, world.deal_submitted.id) == "approved"
    assert _status(SalesOrder, world.order_submitted.id) == "confirmed"
    # the step is approved and passed on to the director (8 pp deeper than the tier discount)
    exc = db.session.get(PriceException, world.exception.id)
    assert exc.status == "pending" and exc.current_role == "sales_director"
    assert "Approved; passed to the next approver." in response.text
    assert db.session.get(DealRegistration, world.deal_submitted.id).protected_until is not None
    actions = set(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)
                                     .offset(audits)))
    assert {"deal.approved", "order.confirmed", "exception.step_approved"} <= actions
    # the decided items have left the inbox
    assert f'id="item-order-{world.order_submitted.id}"' not in response.text


def test_bulk_reject_needs_a_reason_and_changes_nothing_without_one(world, client, login_as):
    from portal.orders.models import SalesOrder

    login_as(world.channel_manager)
    response = _bulk(client, [f"order:{world.order_submitted.id}"], action="reject")
    assert response.status_code == 422
    assert "Give a reason for the rejection." in response.text
    assert _status(SalesOrder, world.order_submitted.id) == "submitted"
    response = _bulk(client, [f"order:{world.order_submitted.id}",
                              f"order:{world.order_submitted_2.id}"], action="reject",
                     reason="合同金额不符")
    assert response.status_code == 200 and "2 done, 0 refused" in response.text
    db.session.expire_all()
    order = db.session.get(SalesOrder, world.order_submitted.id)
    assert order.status == "rejected" and order.rejection_reason == "合同金额不符"


def test_hostile_bulk_input_is_refused_item_by_item_and_changes_nothing(world, client, login_as):
    from portal.deals.models import DealRegistration
    from portal.orders.models import SalesOrder
    from tests.routes.orders import make_order

    order_b = make_order(world, world.order_catalogue, dealer=world.dealer_b,
                         user=world.other_dealer, contract_no="HT-B-1")
    login_as(world.channel_manager)
    hostile = [f"order:{order_b.id}",                       # another region's dealer
               f"registration:{world.deal_approved.id}",     # not awaiting a decision
               "order:99999999999999999999", "order:2147483648", "order:-1", "order:１",
               "registration:abc", "nonsense", f"conflict:{world.case.id}",  # needs reading
               f"exception:{world.exception.id}",            # without the step
               f"exception:{world.exception.id}:999999"]     # a step that is not open
    response = _bulk(client, hostile)
    assert response.status_code == 200
    assert f"0 done, {len(hostile)} refused" in response.text
    assert "Open it to decide: this kind needs reading." in response.text
    assert _status(SalesOrder, order_b.id) == "submitted"
    assert _status(DealRegistration, world.deal_approved.id) == "approved"
    # the east's channel manager cannot decide the north's order either
    login_as(world.other_region_cm)
    response = _bulk(client, [f"order:{world.order_submitted.id}"])
    assert "0 done, 1 refused" in response.text
    assert _status(SalesOrder, world.order_submitted.id) == "submitted"
    # nothing selected, an unknown action, too many items: a message, nothing changed
    login_as(world.channel_manager)
    assert _bulk(client, []).status_code == 422
    assert _bulk(client, [f"order:{world.order_submitted.id}"], action="drop").status_code == 422
    many = _bulk(client, [f"order:{i}" for i in range(1, 150)])
    assert many.status_code == 422 and "at most 100" in many.text
    assert _status(SalesOrder, world.order_submitted.id) == "submitted"


def test_bulk_decides_extension_requests_each_through_the_registration_service(world, client,
                                                                              login_as):
    from portal.core.audit import AuditEntry
    from portal.deals.models import DealExtension, DealRegistration
    from tests.routes.deals import make_deal

    second = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
                       "approved")
    east = make_deal(world.dealer_b, world.other_dealer, world.customer_a, world.lines[0],
                     "approved")
    east.region_id = world.east.id
    first_ext, second_ext, east_ext = (_extension(world, d) for d in
                                       (world.deal_approved, second, east))
    until = world.deal_approved.protected_until
    login_as(world.channel_manager)
    assert f"extension-{second.id}" in _keys(client)
    page = client.get("/inbox/").text
    assert f'id="cb-extension-{second.id}"' in page  # a checkbox: decidable in bulk
    # reject needs a reason; then one approved, one declined, the east's refused
    keys = [f"extension:{world.deal_approved.id}", f"extension:{east.id}"]
    assert _bulk(client, keys, action="reject").status_code == 422
    response = _bulk(client, keys[:1] + [f"extension:{east.id}"])
    assert response.status_code == 200 and "1 done, 1 refused" in response.text
    assert f'id="result-extension-{east.id}"' in response.text
    response = _bulk(client, [f"extension:{second.id}", f"extension:{world.deal_approved.id}",
                              f"extension:{world.deal_submitted.id}"],
                     action="reject", reason="项目已推迟")
    assert "1 done, 2 refused" in response.text  # decided already; no request at all
    db.session.expire_all()
    assert db.session.get(DealExtension, first_ext.id).status == "approved"
    assert db.session.get(DealRegistration, world.deal_approved.id).protected_until == \
        until + timedelta(days=30)
    declined = db.session.get(DealExtension, second_ext.id)
    assert declined.status == "rejected" and declined.comment == "项目已推迟"
    assert db.session.get(DealExtension, east_ext.id).status == "pending"
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("deal.extension_%"),
        AuditEntry.object_type == "deal_registration")
        .order_by(AuditEntry.id)))
    assert actions == ["deal.extension_approved", "deal.extension_rejected"]
    assert f"extension-{second.id}" not in _keys(client)


def test_a_page_read_by_its_keys_is_the_same_as_the_whole_list_sliced(world):
    """A large inbox is paged by the database (the keys of a page, then its items): every page
    holds what the whole list, sorted here, holds at the same place."""
    from datetime import UTC, datetime

    from portal.inbox.queue import awaiting, first_due

    _extension(world)
    friday = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    starts = [friday + timedelta(hours=h) for h in (0, 20, 30, 50, 75)]  # into the weekend
    world.deal_submitted.submitted_at = starts[1]
    for order, start in zip((world.order_submitted, world.order_submitted_2,
                             world.order_submitted_3), (starts[0], starts[2], starts[4]),
                            strict=True):
        order.created_at = start
    db.session.flush()
    cm = world.channel_manager
    whole = [item.key for item in awaiting(cm)]
    assert len(whole) == 8
    for per in (1, 2, 3, 8):
        paged = [item.key for n in range(0, 9, per)
                 for item in first_due(cm, None, n + per, n)]
        assert paged == whole, per
    only_orders = [item.key for item in awaiting(cm, {"kind": "order"})]
    assert [item.key for item in first_due(cm, {"kind": "order"}, 2, 0)] == only_orders[:2]
    assert [item.key for item in first_due(cm, {"kind": "order"}, 2, 0, matching=3)] == \
        only_orders[:2]


def test_the_database_sorts_by_the_same_due_time_as_python(world):
    from datetime import UTC, datetime

    from sqlalchemy import Integer, literal

    from portal.db import UTCDateTime
    from portal.inbox.due import due_after, due_key

    start = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # Friday 23:30 in Shanghai
    cases = [(start + timedelta(hours=hours, minutes=7), days)
             for hours in range(0, 24 * 9, 7) for days in (0, 1, 2, 4, 5, 6, 11)]
    keys = db.session.execute(select(*(
        due_key(literal(since, UTCDateTime), literal(days, Integer)) for since, days in cases))).one()
    by_sql = sorted(range(len(cases)), key=lambda i: (keys[i], i))
    by_python = sorted(range(len(cases)), key=lambda i: (due_after(*cases[i]), i))
    assert by_sql == by_python


def test_filters_by_kind_dealer_region_and_value(world, client, login_as):
    login_as(world.channel_manager)
    page = client.get("/inbox/?kind=order").text
    assert f'id="item-order-{world.order_submitted.id}"' in page
    assert "item-registration-" not in page
    assert "item-order-" not in client.get("/inbox/?dealer=DB002").text
    assert f'id="item-order-{world.order_submitted.id}"' in client.get("/inbox/?dealer=da001").text
    assert "item-" not in client.get(f"/inbox/?region={world.east.id}").text.split("inbox-results")[1]
    # registrations are worth ¥1,200,000.00, orders less
    big = client.get("/inbox/?min=1000000").text
    assert f'id="item-registration-{world.deal_submitted.id}"' in big and "item-order-" not in big
    small = client.get("/inbox/?max=100000&kind=order").text
    assert f'id="item-order-{world.order_submitted.id}"' in small
    bad = client.get("/inbox/?min=很多")
    assert bad.status_code == 422 and "Enter an amount in yuan" in bad.text
    # htmx gets the results alone; an empty filter says why and offers the way back
    fragment = client.get("/inbox/?kind=extension", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="inbox-results">')
    assert "Nothing matches these filters." in fragment


def test_a_bulk_decision_after_the_filters_keeps_them(world, client, login_as):
    login_as(world.channel_manager)
    response = _bulk(client, [f"order:{world.order_submitted.id}"], query="?kind=order")
    assert "1 done, 0 refused" in response.text
    assert f'id="item-order-{world.order_submitted_2.id}"' in response.text
    assert "item-registration-" not in response.text


def test_due_time_is_the_clock_s_business_days_after_the_start():
    from datetime import UTC, datetime

    from portal.inbox.queue import due_after

    start = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # Friday 23:30 in Shanghai
    for hours in range(0, 24 * 14, 5):
        since = start + timedelta(hours=hours)
        for days in range(0, 12):
            assert due_after(since, days) == clock.add_business_days(since, days), (since, days)
