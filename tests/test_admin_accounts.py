"""Admin pages: create, edit and suspend dealers and users; a dealer admin's own team only."""
from __future__ import annotations

import html

from sqlalchemy import func, select

from portal.accounts.models import Dealer, User
from portal.core.audit import AuditEntry
from tests.conftest import log_in


def text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- dealers -------------------------------------------------------------------------------------

def test_admin_creates_a_dealer(client, login_as, world, db):
    login_as(world.admin)
    resp = client.post("/admin/dealers/new", data={
        "code": " d0100 ", "name": "深圳测试科技有限公司", "tier": "silver",
        "region_id": world.east.id, "city": "深圳", "uscc": ""})
    assert resp.status_code == 302
    dealer = db.session.scalar(select(Dealer).where(Dealer.code == "D0100"))
    assert dealer.name == "深圳测试科技有限公司" and dealer.tier == "silver"
    assert dealer.region_id == world.east.id and dealer.status == "active"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dealer.created"))
    assert entry.actor_id == world.admin.id and entry.object_id == dealer.id
    assert "Dealer D0100 saved." in text(client.get(resp.headers["Location"]))


def test_dealer_form_errors_are_clear_and_change_nothing(client, login_as, world, db):
    login_as(world.admin)
    before = count(db, Dealer)
    resp = client.post("/admin/dealers/new", data={
        "code": "", "name": "", "tier": "gold", "region_id": world.north.id})
    assert resp.status_code == 422
    body = text(resp)
    assert "Please correct the marked fields." in body
    assert "Enter the dealer's legal name." in body and "Enter the dealer code." in body
    resp = client.post("/admin/dealers/new", data={
        "code": "da001", "name": "Copy", "tier": "gold", "region_id": 999999})
    assert resp.status_code == 422
    body = text(resp)
    assert "Another dealer already has this code." in body
    assert "Choose a region." in body
    resp = client.post("/admin/dealers/new", data={
        "code": "D0200", "name": "Copy", "tier": "diamond", "region_id": world.north.id})
    assert resp.status_code == 422
    assert "Not a valid choice" in text(resp)
    assert count(db, Dealer) == before


def test_admin_edits_a_dealer_with_audit_before_and_after(client, login_as, world, db):
    login_as(world.admin)
    resp = client.post(f"/admin/dealers/{world.dealer_b.id}", data={
        "code": "DB002", "name": "上海乙方信息有限公司", "tier": "platinum",
        "region_id": world.east.id, "city": "上海"})
    assert resp.status_code == 302
    assert world.dealer_b.tier == "platinum"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dealer.updated"))
    assert entry.before["tier"] == "gold" and entry.after["tier"] == "platinum"


def test_admin_suspends_and_reactivates_a_dealer(client, login_as, world, db):
    login_as(world.admin)
    resp = client.post(f"/admin/dealers/{world.dealer_a.id}/status",
                       data={"status": "suspended", "reason": "overdue"})
    assert resp.status_code == 302
    assert world.dealer_a.status == "suspended"
    page = text(client.get(f"/admin/dealers/{world.dealer_a.id}"))
    assert "Reactivate dealer" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dealer.suspended"))
    assert entry.comment == "overdue" and entry.after == {"status": "suspended"}
    client.post(f"/admin/dealers/{world.dealer_a.id}/status", data={"status": "active"})
    assert world.dealer_a.status == "active"
    assert client.post(f"/admin/dealers/{world.dealer_a.id}/status",
                       data={"status": "closed"}).status_code == 400
    assert world.dealer_a.status == "active"


def test_dealer_list_filters(client, login_as, world):
    login_as(world.admin)
    body = text(client.get("/admin/dealers/?tier=platinum"))
    assert "DA001" in body and "DB002" not in body
    body = text(client.get(f"/admin/dealers/?region={world.east.id}"))
    assert "DB002" in body and "DA001" not in body
    body = text(client.get("/admin/dealers/?q=乙方"))
    assert "DB002" in body and "DA001" not in body


# --- users ---------------------------------------------------------------------------------------

def test_admin_creates_a_head_office_user_with_regions(client, login_as, world, db):
    login_as(world.admin)
    resp = client.post("/admin/users/new", data={
        "email": "New.CM@Test.Example", "name": "新经理", "role": "channel_manager",
        "dealer_id": 0, "region_ids": [world.north.id, world.east.id], "locale": "zh_CN",
        "password": "long-enough-pass", "active": "y"})
    assert resp.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.cm@test.example"))
    assert user.role == "channel_manager" and sorted(user.region_ids) == sorted(
        [world.north.id, world.east.id])
    assert user.dealer_id is None and user.password_hash.startswith("$argon2id$")


def test_admin_creates_a_dealer_user(client, login_as, world, db):
    login_as(world.admin)
    resp = client.post("/admin/users/new", data={
        "email": "b.new@test.example", "name": "B New", "role": "dealer_sales",
        "dealer_id": world.dealer_b.id, "region_ids": [world.north.id], "locale": "en",
        "password": "long-enough-pass"})
    assert resp.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "b.new@test.example"))
    assert user.dealer_id == world.dealer_b.id and user.regions == []


def test_user_form_validation_messages(client, login_as, world, db):
    login_as(world.admin)
    before = count(db, User)
    cases = [
        ({"role": "channel_manager", "dealer_id": 0}, "Choose at least one region."),
        ({"role": "dealer_sales", "dealer_id": 0}, "A dealer user needs a dealer."),
        ({"role": "finance", "dealer_id": world.dealer_a.id}, "Head-office users do not belong to a dealer."),
        ({"role": "finance", "dealer_id": 0, "email": "a.sales@test.example"},
         "A user with this e-mail already exists."),
        ({"role": "finance", "dealer_id": 0, "password": "short"}, "Use at least 10 characters."),
        ({"role": "finance", "dealer_id": 0, "password": ""}, "Use at least 10 characters."),
        ({"role": "finance", "dealer_id": 0, "email": "not-an-email"}, "Enter a valid e-mail address."),
        ({"role": "finance", "dealer_id": 0, "name": ""}, "Enter the person's name."),
        ({"role": "superuser", "dealer_id": 0}, "Not a valid choice"),
    ]
    for overrides, message in cases:
        data = {"email": "someone@test.example", "name": "Someone", "locale": "en",
                "password": "long-enough-pass", **overrides}
        resp = client.post("/admin/users/new", data=data)
        assert resp.status_code == 422, (overrides, resp.status_code)
        body = text(resp)
        assert message in body, (overrides, message)
        assert "Please correct the marked fields." in body
    assert count(db, User) == before


def test_admin_deactivates_a_user_and_cannot_deactivate_itself(client, login_as, world, db):
    login_as(world.admin)
    token = world.dealer_sales.session_token
    resp = client.post(f"/admin/users/{world.dealer_sales.id}", data={
        "email": "a.sales@test.example", "name": "A Sales", "role": "dealer_sales",
        "dealer_id": world.dealer_a.id, "locale": "en"})
    assert resp.status_code == 302
    assert world.dealer_sales.active is False and world.dealer_sales.session_token != token
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_id == world.dealer_sales.id,
        AuditEntry.action == "user.deactivated")) == "user.deactivated"
    resp = client.post(f"/admin/users/{world.admin.id}", data={
        "email": "admin@test.example", "name": "Admin", "role": "admin", "dealer_id": 0,
        "locale": "en"})
    assert resp.status_code == 422
    assert "You cannot deactivate yourself." in text(resp)
    assert world.admin.active is True


def test_admin_cannot_demote_itself(client, login_as, world):
    login_as(world.admin)
    resp = client.post(f"/admin/users/{world.admin.id}", data={
        "email": "admin@test.example", "name": "Admin", "role": "finance", "dealer_id": 0,
        "locale": "en", "active": "y"})
    assert resp.status_code == 422
    assert "You cannot change your own role." in text(resp)
    assert world.admin.role == "admin"


def test_user_list_filters(client, login_as, world):
    login_as(world.admin)
    body = text(client.get("/admin/users/?role=finance"))
    assert "finance@test.example" in body and "a.sales@test.example" not in body
    body = text(client.get(f"/admin/users/?dealer={world.dealer_b.id}"))
    assert "b.admin@test.example" in body and "a.admin@test.example" not in body
    body = text(client.get("/admin/users/?q=cm.east"))
    assert "cm.east@test.example" in body and "finance@test.example" not in body


def test_admin_user_page_preselects_dealer_and_regions(client, login_as, world):
    login_as(world.admin)
    body = text(client.get(f"/admin/users/{world.channel_manager.id}"))
    assert f'<option selected value="{world.north.id}">' in body or \
        f'value="{world.north.id}" selected' in body


def test_settings_validation(client, login_as, world, db):
    from portal.core.settings import DEFAULTS, get_setting

    login_as(world.admin)
    key = next(iter(DEFAULTS))
    before = get_setting(key)
    resp = client.post("/admin/settings", data={k: "0" for k in DEFAULTS})
    assert resp.status_code == 422
    assert "Enter a whole number between 1 and 3650." in text(resp)
    assert get_setting(key) == before


# --- a dealer admin's own team ---------------------------------------------------------------------

def test_team_lists_only_own_dealer_users(client, login_as, world):
    login_as(world.dealer_admin)
    body = text(client.get("/team/"))
    assert "a.sales@test.example" in body and "b.sales@test.example" not in body


def test_team_admin_adds_a_salesperson_to_its_own_dealer(client, login_as, world, db):
    login_as(world.dealer_admin)
    resp = client.post("/team/new", data={
        "email": "a.new@test.example", "name": "A New", "role": "dealer_sales",
        "dealer_id": world.dealer_b.id,  # tampered: ignored, the own dealer is used
        "locale": "zh_CN", "password": "long-enough-pass"})
    assert resp.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "a.new@test.example"))
    assert user.dealer_id == world.dealer_a.id and user.role == "dealer_sales"


def test_team_admin_cannot_create_head_office_roles(client, login_as, world, db):
    login_as(world.dealer_admin)
    before = count(db, User)
    for role in ("admin", "channel_manager", "finance", "sales_director", "sales_rep"):
        resp = client.post("/team/new", data={
            "email": f"x.{role}@test.example", "name": "X", "role": role, "locale": "en",
            "password": "long-enough-pass"})
        assert resp.status_code in (403, 422), role
    assert count(db, User) == before


def test_team_admin_cannot_promote_its_users_to_head_office(client, login_as, world):
    login_as(world.dealer_admin)
    resp = client.post(f"/team/{world.dealer_sales.id}", data={
        "email": "a.sales@test.example", "name": "A Sales", "role": "admin", "locale": "en",
        "active": "y"})
    assert resp.status_code in (403, 422)
    assert world.dealer_sales.role == "dealer_sales"


def test_team_admin_cannot_touch_another_dealers_user(client, login_as, world):
    login_as(world.dealer_admin)
    target = world.other_dealer_sales
    assert client.get(f"/team/{target.id}").status_code == 404
    resp = client.post(f"/team/{target.id}", data={
        "email": target.email, "name": "Hijacked", "role": "dealer_sales", "locale": "en"})
    assert resp.status_code == 404
    assert target.active is True and target.name != "Hijacked"
    # a head-office user is not on any team either
    assert client.get(f"/team/{world.admin.id}").status_code == 404


def test_team_admin_deactivates_own_user_and_its_sessions_end(client, login_as, world, app):
    sales = app.test_client()
    log_in(sales, world.dealer_sales)
    assert sales.get("/").status_code == 200
    login_as(world.dealer_admin)
    resp = client.post(f"/team/{world.dealer_sales.id}", data={
        "email": "a.sales@test.example", "name": "A Sales", "role": "dealer_sales",
        "locale": "en"})
    assert resp.status_code == 302
    assert world.dealer_sales.active is False
    assert sales.get("/").status_code == 302


def test_team_admin_cannot_deactivate_itself(client, login_as, world):
    login_as(world.dealer_admin)
    resp = client.post(f"/team/{world.dealer_admin.id}", data={
        "email": "a.admin@test.example", "name": "A Admin", "role": "dealer_admin",
        "locale": "en"})
    assert resp.status_code == 422
    assert "You cannot deactivate yourself." in text(resp)
    assert world.dealer_admin.active is True


def test_team_form_errors_in_chinese(client, login_as, world, db):
    world.dealer_admin.locale = "zh_CN"
    db.session.flush()
    login_as(world.dealer_admin)
    resp = client.post("/team/new", data={
        "email": "a.sales@test.example", "name": "", "role": "dealer_sales", "locale": "en",
        "password": "long-enough-pass"})
    assert resp.status_code == 422
    body = text(resp)
    assert '<small class="field-error" role="alert">请输入姓名。</small>' in body
    assert '<label for="name">姓名' in body
    assert "Please correct the marked fields." not in body and "Enter the person" not in body


def test_admin_index_links_each_role_to_the_back_office_pages_it_may_open(client, login_as, world):
    login_as(world.finance)
    page = text(client.get("/admin/"))
    assert 'href="/rebates/programs/"' in page and "Rebate programs" in page
    assert 'href="/admin/catalog/products/"' not in page
    login_as(world.admin)
    page = text(client.get("/admin/"))
    assert 'href="/admin/catalog/products/"' in page and 'href="/rebates/programs/"' in page


def test_admin_user_form_refuses_a_dealer_or_region_that_does_not_exist(client, login_as, world, db):
    """The dealer and region selects are not checked against their choices by the form: an id
    of no dealer (sent twice, or crafted) is a field message, never a 409 or a changed user."""
    login_as(world.admin)
    missing = (db.session.scalar(select(func.max(Dealer.id))) or 0) + 1000
    resp = client.post(f"/admin/users/{world.dealer_sales.id}", data={
        "email": "a.sales@test.example", "name": "Renamed", "role": "dealer_sales",
        "dealer_id": [str(missing), str(world.dealer_a.id)], "locale": "en", "active": "y"})
    assert resp.status_code == 422
    assert "Choose a dealer from the list." in text(resp)
    db.session.expire_all()
    assert world.dealer_sales.name != "Renamed" and world.dealer_sales.dealer_id == world.dealer_a.id

    users_before = count(db, User)
    resp = client.post("/admin/users/new", data={
        "email": "new.cm@test.example", "name": "New CM", "role": "channel_manager",
        "dealer_id": 0, "region_ids": [str(world.north.id), "999999"], "password": "a-long-password",
        "locale": "en"})
    assert resp.status_code == 422
    assert "Choose regions from the list." in text(resp)
    assert count(db, User) == users_before
