"""Deal registration: form, validation, states, approval, protection, extension, expiry."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.settings import set_setting
from portal.deals import services
from portal.deals.models import Customer, DealRegistration
from portal.notifications.models import Notification
from tests.routes.deals import make_customer, make_deal


@pytest.fixture(autouse=True)
def _committed(world, db):
    """Views roll back on bad input: commit the setup first (the test's outer transaction still
    rolls everything back afterwards)."""
    db.session.commit()


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def form(world, **overrides):
    data = {"project_name": "华东数据中心二期", "customer_id": "new",
            "customer_name": "杭州示例网络科技有限公司", "customer_uscc": "91330100MA27XL0E2G",
            "line_0": str(world.lines[0].id), "qty_0": "8", "estimated_value": "1,250,000.50",
            "expected_close_date": (clock.today() + timedelta(days=90)).isoformat(),
            "stage": "solution", "competitors": "华为, 浪潮", "notes": "", "action": "save"}
    data.update(overrides)
    return data


def test_dealer_saves_a_draft_then_submits_it(world, client, login_as, db):
    login_as(world.dealer_sales)
    resp = client.post("/deals/new", data=form(world))
    assert resp.status_code == 302
    deal = db.session.scalar(select(DealRegistration).where(
        DealRegistration.project_name == "华东数据中心二期"))
    assert deal.status == "draft" and deal.number.startswith(f"R{clock.today().year}-")
    assert deal.estimated_value_fen == 125_000_050
    assert [(ln.line_id, ln.quantity) for ln in deal.lines] == [(world.lines[0].id, 8)]
    assert deal.customer.dealer_id == world.dealer_a.id and deal.region_id == world.north.id
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "¥1,250,000.50" in page and deal.number in page
    assert client.post(f"/deals/{deal.id}/submit").status_code == 302
    db.session.expire_all()
    assert deal.status == "submitted" and deal.submitted_at is not None
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == world.channel_manager.id)).all()
    assert any(n.kind == "approval_needed" for n in notes)


def test_submit_from_the_form_directly(world, client, login_as, db):
    login_as(world.dealer_admin)
    client.post("/deals/new", data=form(world, action="submit"))
    deal = db.session.scalar(select(DealRegistration).where(
        DealRegistration.project_name == "华东数据中心二期"))
    assert deal.status == "submitted"


@pytest.mark.parametrize("code, message", [
    ("91330100MA27XL0E2", "has 18 characters; this one has 17"),
    ("91330100MA27XL0EIY", "never uses"),
    ("91330100MA27XL0E2X", "fails its check"),
])
def test_invalid_credit_code_gets_its_own_message_and_changes_nothing(
        world, client, login_as, db, code, message):
    login_as(world.dealer_sales)
    before = (count(db, DealRegistration), count(db, Customer))
    resp = client.post("/deals/new", data=form(world, customer_uscc=code))
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert (count(db, DealRegistration), count(db, Customer)) == before


@pytest.mark.parametrize("days, message", [
    (-1, "The expected close date is in the past."),
    (200, "at most 6 months ahead"),
])
def test_close_date_out_of_range_is_refused(world, client, login_as, db, days, message):
    login_as(world.dealer_sales)
    before = count(db, DealRegistration)
    resp = client.post("/deals/new", data=form(
        world, expected_close_date=(clock.today() + timedelta(days=days)).isoformat()))
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert count(db, DealRegistration) == before


def test_another_dealers_customer_by_id_is_refused(world, client, login_as, db):
    theirs = make_customer(world.dealer_b, "上海乙方的秘密客户有限公司")
    db.session.commit()
    login_as(world.dealer_sales)
    before = count(db, DealRegistration)
    resp = client.post("/deals/new", data=form(world, customer_id=str(theirs.id)))
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "Choose one of your customers" in body
    assert "上海乙方的秘密客户有限公司" not in body
    assert count(db, DealRegistration) == before


def test_a_registration_needs_a_product_line(world, client, login_as, db):
    login_as(world.dealer_sales)
    resp = client.post("/deals/new", data=form(world, line_0="", qty_0=""))
    assert resp.status_code == 422 and "Add at least one product line." in resp.get_data(as_text=True)


def test_approval_protects_for_the_configured_days(world, client, login_as, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "submitted")
    login_as(world.channel_manager)
    assert client.post(f"/deals/{deal.id}/decide", data={"action": "approve"}).status_code == 302
    db.session.expire_all()
    assert deal.status == "approved"
    assert deal.protected_until == clock.today() + timedelta(days=90)
    assert services.is_protected(deal, deal.protected_until)
    assert not services.is_protected(deal, deal.protected_until + timedelta(days=1))
    other = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "submitted")
    set_setting(world.admin, "deal_protection_days", 60)
    client.post(f"/deals/{other.id}/decide", data={"action": "approve"})
    db.session.expire_all()
    assert other.protected_until == clock.today() + timedelta(days=60)


def test_approving_twice_names_the_state_in_words(world, client, login_as, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    login_as(world.channel_manager)
    resp = client.post(f"/deals/{deal.id}/decide", data={"action": "approve"}, follow_redirects=True)
    assert "(this one is Approved)" in resp.get_data(as_text=True)
    assert "(this one is approved)" not in resp.get_data(as_text=True)


def test_reject_needs_a_reason(world, client, login_as, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "submitted")
    db.session.commit()
    login_as(world.channel_manager)
    resp = client.post(f"/deals/{deal.id}/decide", data={"action": "reject", "comment": ""},
                       follow_redirects=True)
    assert "Give a reason for the rejection." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert deal.status == "submitted"
    client.post(f"/deals/{deal.id}/decide", data={"action": "reject", "comment": "客户信息不实"})
    db.session.expire_all()
    assert deal.status == "rejected"


def test_manager_of_another_region_cannot_approve(world, client, login_as, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "submitted")
    login_as(world.other_region_cm)
    assert client.post(f"/deals/{deal.id}/decide", data={"action": "approve"}).status_code == 404
    db.session.expire_all()
    assert deal.status == "submitted"


def test_one_extension_per_registration_decided_by_the_manager(world, client, login_as, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    until = deal.protected_until
    db.session.commit()
    login_as(world.dealer_admin)
    resp = client.post(f"/deals/{deal.id}/extension", data={"reason": ""}, follow_redirects=True)
    assert "Give a reason for the extension." in resp.get_data(as_text=True)
    assert client.post(f"/deals/{deal.id}/extension", data={"reason": "招标推迟"}).status_code == 302
    second = client.post(f"/deals/{deal.id}/extension", data={"reason": "再延一次"})
    assert second.status_code == 409
    assert "each registration may ask once" in second.get_data(as_text=True)
    login_as(world.channel_manager)
    assert "招标推迟" in client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert deal.number in client.get("/deals/queue").get_data(as_text=True)
    client.post(f"/deals/{deal.id}/extension", data={"action": "approve"})
    db.session.expire_all()
    assert deal.protected_until == until + timedelta(days=30)
    assert deal.extension.status == "approved"


def test_expiry_is_applied_on_read_and_by_the_daily_command(world, app, client, login_as, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    later = datetime.combine(deal.protected_until + timedelta(days=1), datetime.min.time(),
                             tzinfo=UTC) + timedelta(hours=4)
    login_as(world.dealer_sales)
    with clock.frozen(later):
        page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        assert "Expired" in page
        assert deal.id not in [d.id for d in db.session.scalars(
            services.approved_deals_for(world.dealer_a.id))]
        result = app.test_cli_runner().invoke(args=["deals", "expire"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert deal.status == "expired"


def test_reminder_goes_out_seven_days_before_expiry_once(world, db):
    deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    from portal.deals.services import send_reminders

    assert deal not in send_reminders(deal.protected_until - timedelta(days=8))
    assert deal in send_reminders(deal.protected_until - timedelta(days=7))
    assert deal not in send_reminders(deal.protected_until - timedelta(days=6))
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == world.dealer_sales.id,
        Notification.kind == "protection_expiring")).all()
    assert len([n for n in notes if n.params.get("number") == deal.number]) == 1


def test_won_and_lost(world, client, login_as, db):
    won = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    lost = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    services.mark_won(world.channel_manager, won)
    assert won.status == "won"
    login_as(world.dealer_sales)
    client.post(f"/deals/{lost.id}/close", data={"outcome": "lost", "reason": "价格"})
    db.session.expire_all()
    assert lost.status == "lost"


def test_dealer_sales_sees_only_registrations_it_created(world, client, login_as, db):
    mine = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
                     project_name="销售自己的项目")
    admins = make_deal(world.dealer_a, world.dealer_admin, world.customer_a, world.lines[0],
                       project_name="管理员的项目")
    login_as(world.dealer_sales)
    page = client.get("/deals/").get_data(as_text=True)
    assert mine.number in page and admins.number not in page
    login_as(world.dealer_admin)
    page = client.get("/deals/").get_data(as_text=True)
    assert mine.number in page and admins.number in page


def test_approval_queue_shows_ageing(world, client, login_as, db):
    monday = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
    with clock.frozen(monday):
        deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
                         "submitted")
    login_as(world.channel_manager)
    with clock.frozen(monday + timedelta(days=3)):
        page = client.get("/deals/queue").get_data(as_text=True)
    assert deal.number in page and "3 business days" in page and "overdue" in page


def test_export_escapes_formulas(world, client, login_as, db):
    make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
              project_name="=HYPERLINK(\"x\")")
    login_as(world.dealer_admin)
    resp = client.get("/deals/?format=csv")
    assert resp.status_code == 200
    assert "'=HYPERLINK" in resp.get_data(as_text=True)


def waiting_registrations(page: str) -> int:
    """The count of registrations awaiting the user in the dashboard's "awaiting your decision"."""
    row = re.search(r'<tr id="waiting-registration">.*?<strong>(\d+)</strong>', page, re.S)
    return int(row.group(1)) if row else 0


def test_dashboard_counts_only_own_protected_registrations(world, client, login_as, db):
    make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    expiring = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
                         "approved")
    expiring.protected_until = clock.today() + timedelta(days=3)
    db.session.commit()
    mine = len(db.session.scalars(services.approved_deals_for(world.dealer_a.id)).all())
    theirs = len(db.session.scalars(services.approved_deals_for(world.dealer_b.id)).all())
    login_as(world.dealer_admin)
    page = client.get("/").get_data(as_text=True)
    assert f"{mine} protected" in page and "1 expiring within 7 days" in page
    login_as(world.other_dealer)
    assert f"{theirs} protected" in client.get("/").get_data(as_text=True)
    login_as(world.channel_manager)
    assert waiting_registrations(client.get("/").get_data(as_text=True)) >= 1


@pytest.mark.parametrize("days, expiring, words", [
    (None, 2, "2 expiring within 7 days"), (5, 1, "1 expiring within 5 days"),
    (1, 1, "1 expiring within 1 day"), (2, 1, "1 expiring within 2 days"), (30, 3, None)])
def test_dashboard_expiring_count_follows_the_reminder_setting(world, client, login_as, db, days,
                                                               expiring, words):
    for ahead in (1, 6, 20):  # protected for 1, 6 and 20 more days; 20 only counts with 30
        deal = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0],
                         "approved")
        deal.protected_until = clock.today() + timedelta(days=ahead)
    far = make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    far.protected_until = clock.today() + timedelta(days=60)
    if days is not None:
        set_setting(world.admin, "deal_reminder_days", days)
    db.session.commit()
    login_as(world.dealer_admin)
    page = client.get("/").get_data(as_text=True)
    assert f"{expiring} expiring within {days or 7} day" in page
    if words:
        assert words in page
    world.dealer_admin.locale = "zh_CN"
    db.session.commit()
    assert f"{expiring} 个将在 {days or 7} 天内到期" in client.get("/").get_data(as_text=True)


def test_dashboard_reads_every_widget_figure_in_one_query(world, client, login_as, queries_of):
    login_as(world.dealer_admin)
    client.get("/")
    response, statements = queries_of(lambda: client.get("/"))
    assert response.status_code == 200
    figures = [s for s in statements if "deal_registration" in s or "price_exception" in s]
    assert len(figures) == 1, figures
    assert "deal_registration" in figures[0] and "price_exception" in figures[0]
    # the unread count comes with the user's load; the newest unread are figures of the one SELECT
    unread = [s for s in statements if "notification" in s and s not in figures]
    assert len(unread) == 1 and "password_hash" in unread[0], unread


def test_dashboard_figures_are_each_users_own_in_turn(world, client, login_as, db):
    """The figures' statements are built once per role; each user's own id, dealer and regions
    fill them on every view, whoever came before."""
    customer_b = make_customer(world.dealer_b, "上海乙方客户数据有限公司", uscc=None)
    for creator, dealer, customer, status, n in [
            (world.dealer_sales, world.dealer_a, world.customer_a, "approved", 1),
            (world.dealer_admin, world.dealer_a, world.customer_a, "approved", 2),
            (world.other_dealer_sales, world.dealer_b, customer_b, "approved", 6),
            (world.dealer_admin, world.dealer_a, world.customer_a, "submitted", 2),
            (world.other_dealer, world.dealer_b, customer_b, "submitted", 1)]:
        for _ in range(n):
            make_deal(dealer, creator, customer, world.lines[0], status)
    db.session.commit()

    def expected(user, status):
        stmt = services.deals_query(user).where(DealRegistration.status == status)
        if status == "approved":
            stmt = stmt.where(DealRegistration.protected_until >= clock.today())
        return len(db.session.scalars(stmt).all())

    seen = set()
    for user in [world.dealer_sales, world.dealer_admin, world.other_dealer_sales,
                 world.dealer_sales, world.other_dealer, world.dealer_admin]:
        login_as(user)
        mine = expected(user, "approved")
        seen.add(mine)
        assert f"{mine} protected" in client.get("/").get_data(as_text=True), user.email
    assert len(seen) >= 4  # the users' counts differ, so a figure carried over would show
    waiting = {}
    for user in [world.channel_manager, world.other_region_cm, world.channel_manager]:
        login_as(user)
        waiting[user.email] = expected(user, "submitted")
        page = client.get("/").get_data(as_text=True)
        assert waiting_registrations(page) == waiting[user.email], user.email
    assert len(set(waiting.values())) == 2


@pytest.mark.parametrize("role", ["dealer_admin", "channel_manager", "sales_director"])
@pytest.mark.parametrize("query", ["", "?status=approved", "?status=expired", "?q=客户",
                                   "?sort=customer", "?sort=-until", "?format=csv",
                                   "?format=xlsx"])
def test_registration_list_loads_customer_and_dealer_in_few_queries(world, client, login_as, db,
                                                                    queries_of, role, query):
    for _ in range(3):
        make_deal(world.dealer_a, world.dealer_sales, world.customer_a, world.lines[0], "approved")
    db.session.commit()
    login_as(world.users[role])
    client.get("/deals/")
    response, statements = queries_of(lambda: client.get("/deals/" + query))
    assert response.status_code == 200
    if "format" not in query and "expired" not in query:  # (none of them has expired)
        page = response.get_data(as_text=True)
        assert "北京甲方客户信息技术有限公司" in page
        assert ("DA001" in page) == (role != "dealer_admin")
    # the user, the count and the page; nothing loaded row by row
    assert len(statements) <= 4, statements
