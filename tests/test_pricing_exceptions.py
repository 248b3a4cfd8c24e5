"""Price exceptions through the pages: request, live figures, routing, decisions, scope."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.core import clock
from portal.notifications.models import Notification
from portal.pricing.models import PriceException
from tests.routes.pricing import make_deal, request_exception


def count_exceptions(db):
    return db.session.scalar(select(func.count()).select_from(PriceException))


def form(deal, lines, action="submit", reason="竞品报价低 8%"):
    data = {"deal_id": str(deal.id), "rows": str(len(lines)), "action": action, "reason": reason}
    for i, (sku, qty, price) in enumerate(lines):
        data.update({f"sku-{i}": sku, f"quantity-{i}": str(qty), f"price-{i}": price})
    return data


def notes_of(db, user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def decide(client, exc, decision="approve", **extra):
    data = {"step_id": str(next(s.id for s in exc.steps if s.status == "pending")),
            "decision": decision, **extra}
    return client.post(f"/exceptions/{exc.id}/decide", data=data)


def test_dealer_requests_and_two_approvers_approve(client, login_as, world, db):
    login_as(world.dealer_admin)
    r = client.post("/exceptions/new", data=form(world.pdeal, [("P-SRV-1", 4, "6,800.00"),
                                                                ("P-STO-1", 1, "39000")]))
    assert r.status_code == 302
    exc = db.session.get(PriceException, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert exc.status == "pending" and exc.number.startswith(f"SP{clock.today().year}-")
    # ¥7,500 net → ¥6,800 is 7 pp of the ¥10,000 list; storage ¥40,000 net → ¥39,000 is 2 pp
    assert exc.max_depth_bp == 700
    assert exc.total_requested_fen == 4 * 680_000 + 3_900_000
    assert [s.role for s in exc.steps] == ["channel_manager", "sales_director"]
    assert any(n.link == f"/exceptions/{exc.id}" for n in notes_of(db, world.channel_manager))
    assert not notes_of(db, world.other_region_cm)

    login_as(world.channel_manager)
    page = client.get("/exceptions/").get_data(as_text=True)
    assert exc.number in page and "0 of 2 business days" in page
    assert decide(client, exc, comment="同意").status_code == 302
    assert exc.status == "pending" and exc.current_role == "sales_director"
    assert any(n.link == f"/exceptions/{exc.id}" for n in notes_of(db, world.sales_director))

    login_as(world.sales_director)
    assert decide(client, exc, comment="批准").status_code == 302
    assert exc.status == "approved"
    assert exc.valid_until == clock.today() + timedelta(days=30)
    assert [ln.approved_price_fen for ln in exc.lines] == [680_000, 3_900_000]
    assert any("approved" in n.message for n in notes_of(db, world.dealer_admin))

    login_as(world.dealer_admin)
    page = client.get(f"/exceptions/{exc.id}").get_data(as_text=True)
    assert "Approved" in page and "¥6,800.00" in page and "¥39,000.00" in page
    assert "Floor price" not in page and "¥6,000.00" not in page    # floors are head office only
    assert 'id="approve"' not in page and 'name="step_id"' not in page  # no decision for a dealer
    login_as(world.dealer_admin)
    world.dealer_admin.locale = "zh_CN"
    db.session.flush()
    listing = client.get("/exceptions/").get_data(as_text=True)
    assert "提交时间" in listing and "已批准" in listing  # column header vs. a status, both in Chinese
    assert "Step approved" in page and "Exception approved" in page  # history on the page


def test_live_figures_while_typing(client, login_as, world):
    login_as(world.dealer_sales)
    r = client.post("/exceptions/new", data=form(world.pdeal, [("P-SRV-1", 3, "6700")], "preview"),
                    headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body
    assert "¥7,500.00" in body and "8.00 pp" in body and "¥20,100.00" in body
    assert "Below floor" not in body and "Channel manager → Sales director" in body


def test_small_extra_discount_needs_only_the_channel_manager(world, db):
    exc = request_exception(world.dealer_sales, world.pdeal, [("P-SRV-1", 1, "7200")])  # 3 pp
    assert [s.role for s in exc.steps] == ["channel_manager"]


def test_large_deal_value_needs_the_director(world, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, value_fen=60_000_000, name="大项目客户有限公司")
    exc = request_exception(world.dealer_sales, deal, [("P-SRV-1", 1, "7200")])
    assert [s.role for s in exc.steps] == ["channel_manager", "sales_director"]


def test_deep_discount_needs_finance_and_below_floor_needs_the_directors_reason(
        client, login_as, world, db):
    # ¥5,900 is 16 pp beyond the tier discount and below the ¥6,000 floor
    exc = request_exception(world.dealer_sales, world.pdeal, [("P-SRV-1", 2, "5900")])
    assert [s.role for s in exc.steps] == ["channel_manager", "sales_director", "finance"]
    assert exc.below_floor
    login_as(world.channel_manager)
    page = client.get(f"/exceptions/{exc.id}").get_data(as_text=True)
    assert "Below floor" in page and "¥6,000.00" in page
    assert decide(client, exc).status_code == 302
    login_as(world.sales_director)
    r = decide(client, exc)
    assert r.status_code == 422 and "written reason" in r.get_data(as_text=True)
    assert exc.current_role == "sales_director"
    assert decide(client, exc, floor_reason="战略客户，首单").status_code == 302
    login_as(world.finance)
    assert decide(client, exc).status_code == 302
    assert exc.status == "approved" and exc.floor_reason == "战略客户，首单"
    login_as(world.dealer_sales)
    page = client.get(f"/exceptions/{exc.id}").get_data(as_text=True)
    assert "战略客户" not in page and "Below floor" not in page


def test_counter_offer_must_be_between_requested_and_net(client, login_as, world, db):
    exc = world.exception   # ¥6,700 requested, ¥7,500 net
    line = exc.lines[0]
    login_as(world.channel_manager)
    r = decide(client, exc, **{f"price-{line.id}": "6500"})
    assert r.status_code == 422 and line.approved_price_fen is None
    r = decide(client, exc, **{f"price-{line.id}": "7600"})
    assert r.status_code == 422
    r = decide(client, exc, **{f"price-{line.id}": "abc"})
    assert r.status_code == 422 and exc.current_role == "channel_manager"
    assert decide(client, exc, **{f"price-{line.id}": "7,000.00"}).status_code == 302
    assert line.approved_price_fen == 700_000
    login_as(world.sales_director)
    # the director cannot go below the channel manager's counter-offer
    assert decide(client, exc, **{f"price-{line.id}": "6900"}).status_code == 422
    assert decide(client, exc).status_code == 302
    assert exc.status == "approved" and line.approved_price_fen == 700_000


def test_return_for_changes_then_resubmit(client, login_as, world, db):
    exc = world.exception
    login_as(world.channel_manager)
    r = decide(client, exc, "return")
    assert r.status_code == 422 and exc.status == "pending"   # a comment is required
    assert decide(client, exc, "return", comment="请补充竞品报价").status_code == 302
    assert exc.status == "returned"
    login_as(world.dealer_sales)
    page = client.get(f"/exceptions/{exc.id}").get_data(as_text=True)
    assert "请补充竞品报价" in page and "Returned for changes" in page
    assert client.get(f"/exceptions/{exc.id}/edit").status_code == 200
    r = client.post(f"/exceptions/{exc.id}/edit", data=form(world.pdeal, [("P-SRV-1", 10, "7300")]))
    assert r.status_code == 302
    assert exc.status == "pending" and exc.round == 2
    assert [(s.round, s.role, s.status) for s in exc.steps] == [
        (1, "channel_manager", "returned"), (1, "sales_director", "skipped"),
        (2, "channel_manager", "pending")]


def test_reject_and_cancel(client, login_as, world, db):
    exc = world.exception
    login_as(world.channel_manager)
    assert decide(client, exc, "reject", comment="低于区域指导价").status_code == 302
    assert exc.status == "rejected"
    login_as(world.dealer_sales)
    assert client.post(f"/exceptions/{exc.id}/cancel").status_code == 409
    other = request_exception(world.dealer_sales, world.pdeal, [("P-STO-1", 1, "39000")])
    assert client.post(f"/exceptions/{other.id}/cancel").status_code == 302
    assert other.status == "cancelled"


def test_bad_input_changes_nothing(client, login_as, world, db):
    login_as(world.dealer_admin)
    before = count_exceptions(db)
    cases = [
        ([("P-SRV-1", 1, "-5")], "more than zero"),
        ([("P-SRV-1", 1, "abc")], "Enter a price in yuan"),
        ([("P-SRV-1", 1, "12.345")], "Enter a price in yuan"),
        ([("NOPE-1", 1, "100")], "Unknown SKU"),
        ([("P-SRV-1", 0, "7000")], "whole number"),
        ([("P-SRV-1", "x", "7000")], "whole number"),
        ([("P-SRV-1", 1, "7500")], "no special price is needed"),
        ([("P-SRV-1", 1, "7000"), ("p-srv-1", 1, "7000")], "already on line 1"),
    ]
    for lines, message in cases:
        r = client.post("/exceptions/new", data=form(world.pdeal, lines))
        assert r.status_code == 422, lines
        assert message in r.get_data(as_text=True), lines
    # another dealer's registration, and a registration that is not approved
    r = client.post("/exceptions/new", data=form(world.pdeal_b, [("P-SRV-1", 1, "7000")]))
    assert r.status_code == 422 and "Choose one of your approved registrations" in r.get_data(as_text=True)
    submitted = make_deal(world.dealer_a, world.dealer_sales, status="submitted", name="未批客户有限公司")
    r = client.post("/exceptions/new", data=form(submitted, [("P-SRV-1", 1, "7000")]))
    assert r.status_code == 422 and "not approved and protected" in r.get_data(as_text=True)
    assert count_exceptions(db) == before


def test_no_list_in_force_is_a_clear_message(client, login_as, world, db):
    world.cat.current.effective_to = clock.today() - timedelta(days=1)
    db.session.commit()
    login_as(world.dealer_admin)
    before = count_exceptions(db)
    r = client.post("/exceptions/new", data=form(world.pdeal, [("P-SRV-1", 1, "7000")]))
    assert r.status_code == 422 and "No price list is in force" in r.get_data(as_text=True)
    assert count_exceptions(db) == before
    r = client.get("/prices/")
    assert r.status_code == 200 and "No price list is in force" in r.get_data(as_text=True)


def test_scope_of_exceptions(client, login_as, world, db):
    exc = world.exception
    for role, status in [("other_dealer", 404), ("other_region_cm", 404), ("channel_manager", 200),
                         ("finance", 200), ("dealer_admin", 200), ("dealer_sales", 200)]:
        login_as(world.users[role])
        assert client.get(f"/exceptions/{exc.id}").status_code == status, role
    login_as(world.other_region_cm)
    assert exc.number not in client.get("/exceptions/?view=all").get_data(as_text=True)
    login_as(world.other_dealer)
    assert exc.number not in client.get("/exceptions/").get_data(as_text=True)
    # a second salesperson of dealer A sees only its own requests; its admin sees all
    from tests.factories import UserFactory

    colleague = UserFactory(role="dealer_sales", dealer_id=world.dealer_a.id)
    login_as(colleague)
    assert exc.number not in client.get("/exceptions/").get_data(as_text=True)
    assert client.get(f"/exceptions/{exc.id}").status_code == 404
    login_as(world.dealer_admin)
    assert exc.number in client.get("/exceptions/").get_data(as_text=True)


def test_queue_shows_ageing_against_the_target(client, login_as, world, db):
    exc = world.exception
    started = exc.steps[0].started_at
    login_as(world.channel_manager)
    with clock.frozen(started + timedelta(days=7)):
        page = client.get("/exceptions/").get_data(as_text=True)
    assert exc.number in page and "5 of 2 business days" in page and "overdue" in page
    login_as(world.sales_director)   # not yet the director's turn
    assert exc.number not in client.get("/exceptions/").get_data(as_text=True)
    assert exc.number in client.get("/exceptions/?view=all").get_data(as_text=True)


def test_wrong_approver_and_stale_step(client, login_as, world, db):
    exc = world.exception
    step_id = exc.steps[0].id
    login_as(world.sales_director)
    assert decide(client, exc).status_code == 403
    login_as(world.channel_manager)
    assert decide(client, exc).status_code == 302
    # the same step again (a second tab): already decided, by whom
    r = client.post(f"/exceptions/{exc.id}/decide", data={"step_id": str(step_id),
                                                          "decision": "approve"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 409 and "Already decided by" in r.get_data(as_text=True)
    assert world.channel_manager.name in r.get_data(as_text=True)


def test_expire_due_marks_past_validity(world, db):
    from portal.pricing import workflow
    from tests.test_pricing_price import approve_all

    exc = approve_all(world, world.exception)
    assert workflow.expire_due(exc.valid_until) == 0
    assert workflow.expire_due(exc.valid_until + timedelta(days=1)) == 1
    db.session.refresh(exc)
    assert exc.status == "expired"


def test_a_salesperson_requests_only_on_its_own_registrations(client, login_as, world, db):
    colleagues = make_deal(world.dealer_a, world.dealer_admin, name="管理员的客户有限公司")
    login_as(world.dealer_sales)
    page = client.get("/exceptions/new").get_data(as_text=True)
    assert f'value="{world.pdeal.id}"' in page and f'value="{colleagues.id}"' not in page
    before = count_exceptions(db)
    r = client.post("/exceptions/new", data=form(colleagues, [("P-SRV-1", 1, "7000")]))
    assert r.status_code == 422 and count_exceptions(db) == before


def test_approver_sees_live_figures_while_typing_a_counter_offer(client, login_as, world, db):
    exc = world.exception          # ¥6,700 requested; floor ¥6,000; net ¥7,500
    line = exc.lines[0]
    login_as(world.channel_manager)
    page = client.get(f"/exceptions/{exc.id}").get_data(as_text=True)
    assert 'id="counter-figures"' in page and "8.00 pp" in page
    r = client.post(f"/exceptions/{exc.id}/decide", headers={"HX-Request": "true"},
                    data={"step_id": str(exc.steps[0].id), "decision": "preview",
                          f"price-{line.id}": "5,950"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body
    assert "Below floor" in body and "15.50 pp" in body and "¥59,500.00" in body
    assert exc.status == "pending" and line.approved_price_fen is None and exc.steps[0].status == "pending"
    login_as(world.dealer_admin)
    assert 'id="counter-figures"' not in client.get(f"/exceptions/{exc.id}").get_data(as_text=True)
    r = client.post(f"/exceptions/{exc.id}/decide", headers={"HX-Request": "true"},
                    data={"step_id": str(exc.steps[0].id), "decision": "preview"})
    assert r.status_code == 403


def test_dashboard_counts_open_requests_in_the_right_number(client, login_as, world, db):
    login_as(world.dealer_admin)  # the world holds one of dealer A's requests, open
    assert "1 open request<" in client.get("/").text
    lines = [("P-SRV-1", 4, "6,800.00")]
    assert client.post("/exceptions/new", data=form(world.pdeal, lines)).status_code == 302
    assert "2 open requests<" in client.get("/").text
    world.dealer_admin.locale = "zh_CN"
    db.session.commit()
    assert "2 个进行中的申请<" in client.get("/").text
