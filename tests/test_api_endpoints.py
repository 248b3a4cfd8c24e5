"""The integration API (DESIGN §3.10): every endpoint × role with tokens, scoping, money, errors."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.api import schemas, services
from portal.core import clock
from portal.extensions import db
from portal.orders.models import SalesOrder

ROLES = ["dealer_admin", "dealer_sales", "other_dealer", "sales_rep", "channel_manager",
         "other_region_cm", "sales_director", "finance", "admin"]


@pytest.fixture
def tokens(world):
    """A live token for every role of the world: {role: headers}."""
    out = {}
    for role in ROLES:
        _token, secret = services.create_token(world.users[role], f"ERP {role}")
        out[role] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return out


def get(client, url, headers):
    return client.get(url, headers=headers)


def post(client, url, headers, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body, ensure_ascii=False)
    return client.post(url, data=data, headers={**headers, "Content-Type": "application/json",
                                                **extra})


# --- authentication -------------------------------------------------------------------------------

def test_a_session_cookie_alone_is_refused(client, world, login_as):
    login_as(world.dealer_admin)
    assert client.get("/prices/").status_code == 200  # the cookie works on pages …
    response = client.get("/api/v1/prices")           # … but not on the API
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("header", ["Bearer dp_not-a-real-token", "Basic abc", "Bearer ",
                                    "Bearer " + "dp_" + "x" * 5000])
def test_a_bad_token_is_401(client, world, header):
    assert client.get("/api/v1/orders", headers={"Authorization": header}).status_code == 401


def test_a_revoked_token_dies_at_once(client, world, tokens):
    token = db.session.scalar(select(services.ApiToken).where(
        services.ApiToken.user_id == world.dealer_admin.id,
        services.ApiToken.name == "ERP dealer_admin"))
    assert get(client, "/api/v1/orders", tokens["dealer_admin"]).status_code == 200
    services.revoke_token(world.dealer_admin, token)
    db.session.commit()
    assert get(client, "/api/v1/orders", tokens["dealer_admin"]).status_code == 401


def test_a_token_dies_with_its_user_and_with_its_dealer(client, world, tokens):
    from portal.accounts.services import set_dealer_status, update_user

    update_user(world.admin, world.dealer_sales, name=world.dealer_sales.name, role="dealer_sales",
                dealer_id=world.dealer_a.id, active=False)
    db.session.commit()
    assert get(client, "/api/v1/orders", tokens["dealer_sales"]).status_code == 401
    assert get(client, "/api/v1/orders", tokens["dealer_admin"]).status_code == 200
    set_dealer_status(world.admin, world.dealer_a, "suspended")
    db.session.commit()
    assert get(client, "/api/v1/orders", tokens["dealer_admin"]).status_code == 401
    assert get(client, "/api/v1/orders", tokens["other_dealer"]).status_code == 200


def test_each_token_has_its_own_rate_limit(app, client, world, tokens, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    for _ in range(3):
        assert get(client, "/api/v1/orders", tokens["dealer_admin"]).status_code == 200
    limited = get(client, "/api/v1/orders", tokens["dealer_admin"])
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert limited.mimetype == "application/problem+json"
    assert get(client, "/api/v1/orders", tokens["dealer_sales"]).status_code == 200


# --- the role of each endpoint --------------------------------------------------------------------

def _urls(world):
    return {
        "prices": ("/api/v1/prices?dealer=DA001", set(ROLES)),
        "orders": ("/api/v1/orders", set(ROLES) - {"sales_rep"}),
        "registrations": ("/api/v1/registrations", set(ROLES)),
        "statements": ("/api/v1/statements", set(ROLES) - {"sales_rep"}),
        "openapi": ("/api/v1/openapi.json", set(ROLES)),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_list_endpoint_answers_by_role(client, world, tokens, role):
    for name, (url, allowed) in _urls(world).items():
        response = get(client, url, tokens[role])
        if role in allowed:
            expected = 404 if (name == "prices" and role == "other_region_cm") else 200
        else:
            expected = 403
        assert response.status_code == expected, (name, role, response.json)


@pytest.mark.parametrize("role", ROLES)
def test_one_order_and_one_statement_pdf_follow_the_pages_scope(client, world, tokens, role):
    order_url = f"/api/v1/orders/{world.order_submitted.number}"
    pdf_url = f"/api/v1/statements/{world.statement.number}.pdf"
    sees = {"dealer_admin", "dealer_sales", "channel_manager", "sales_director", "finance",
            "admin"}
    expected = 200 if role in sees else 403 if role == "sales_rep" else 404
    assert get(client, order_url, tokens[role]).status_code == expected
    pdf = get(client, pdf_url, tokens[role])
    # the dealer's salesperson sees no statements (as on the pages)
    pdf_expected = 404 if role == "dealer_sales" else expected
    assert pdf.status_code == pdf_expected
    if pdf_expected == 200:
        assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("role", ["dealer_admin", "dealer_sales", "other_dealer"])
def test_only_dealer_users_post(client, world, tokens, role):
    for url in ("/api/v1/orders", "/api/v1/registrations"):
        assert post(client, url, tokens[role], {}).status_code == 422
    for head_office in ("channel_manager", "finance", "admin", "sales_rep"):
        assert post(client, "/api/v1/orders", tokens[head_office], {}).status_code == 403


# --- prices ---------------------------------------------------------------------------------------

def test_a_dealer_gets_its_net_prices_in_fen_and_yuan(client, world, tokens):
    cat = world.order_catalogue
    response = get(client, "/api/v1/prices?limit=5000", tokens["dealer_sales"])
    assert response.status_code == 200
    schemas.PriceList.model_validate(response.json)
    assert response.json["dealer"] == "DA001" and response.json["tier"] == "platinum"
    server = next(i for i in response.json["items"] if i["sku"] == cat.server.sku)
    assert server["list_price_fen"] == 10_000_000 and server["list_price"] == "100000.00"
    assert server["net_price_fen"] == cat.server_net == 8_000_000
    assert server["net_price"] == "80000.00" and server["discount_bp"] == 2000


def test_head_office_names_the_dealer_within_its_regions(client, world, tokens):
    missing = get(client, "/api/v1/prices", tokens["channel_manager"])
    assert missing.status_code == 422 and missing.json["errors"][0]["parameter"] == "dealer"
    mine = get(client, "/api/v1/prices?dealer=da001", tokens["channel_manager"])
    assert mine.status_code == 200 and mine.json["dealer"] == "DA001"
    assert get(client, "/api/v1/prices?dealer=DA001", tokens["other_region_cm"]).status_code == 404
    gold = get(client, "/api/v1/prices?dealer=DB002", tokens["finance"])
    assert gold.status_code == 200 and gold.json["tier"] == "gold"
    # a dealer's token cannot ask for another dealer's prices: it always gets its own
    own = get(client, "/api/v1/prices?dealer=DB002", tokens["dealer_admin"])
    assert own.json["dealer"] == "DA001"


def test_price_pages_walk_with_the_cursor(client, world, tokens):
    seen, url = [], "/api/v1/prices?limit=1"
    for _ in range(100):
        page = get(client, url, tokens["dealer_admin"]).json
        seen += [i["sku"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        url = f"/api/v1/prices?limit=1&cursor={page['next_cursor']}"
    everything = get(client, "/api/v1/prices", tokens["dealer_admin"]).json["items"]
    assert seen == [i["sku"] for i in everything] and len(seen) >= 2
    assert seen == sorted(seen)


# --- orders ---------------------------------------------------------------------------------------

def test_order_lists_are_scoped_filtered_and_paginated(client, world, tokens):
    mine = get(client, "/api/v1/orders", tokens["dealer_admin"]).json
    schemas.OrderList.model_validate(mine)
    numbers = {o["number"] for o in mine["items"]}
    assert world.order_submitted.number in numbers and world.order_confirmed.number in numbers
    assert get(client, "/api/v1/orders", tokens["other_dealer"]).json["items"] == []
    assert get(client, "/api/v1/orders", tokens["other_region_cm"]).json["items"] == []
    confirmed = get(client, "/api/v1/orders?status=confirmed", tokens["channel_manager"]).json
    assert world.order_confirmed.number in [o["number"] for o in confirmed["items"]]
    assert {o["status"] for o in confirmed["items"]} == {"confirmed"}
    first = get(client, "/api/v1/orders?limit=2", tokens["dealer_admin"]).json
    second = get(client, f"/api/v1/orders?limit=2&cursor={first['next_cursor']}",
                 tokens["dealer_admin"]).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert not {o["number"] for o in first["items"]} & {o["number"] for o in second["items"]}
    future = (clock.today() + timedelta(days=1)).isoformat()
    assert get(client, f"/api/v1/orders?from={future}", tokens["dealer_admin"]).json["items"] == []


def test_one_order_shows_its_lines_and_money(client, world, tokens):
    order = get(client, f"/api/v1/orders/{world.order_submitted.number}",
                tokens["dealer_admin"]).json
    schemas.OrderOut.model_validate(order)
    assert order["total_fen"] == world.order_catalogue.server_net
    assert order["lines"][0]["unit_price"] == "80000.00"
    assert get(client, "/api/v1/orders/SO2026-99999", tokens["dealer_admin"]).status_code == 404
    assert get(client, "/api/v1/orders/" + "9" * 5000, tokens["dealer_admin"]).status_code == 404


def _order(world, contract="ERP-0001", lines=None, **extra):
    return {"contract_no": contract, "order_date": clock.today().isoformat(),
            "customer_name": "北京接口测试最终用户有限公司",
            "lines": lines or [{"sku": world.order_catalogue.server.sku, "quantity": 2},
                               {"sku": world.order_catalogue.storage.sku, "quantity": 1}],
            **extra}


def test_posting_an_order_prices_it_like_the_form_and_names_the_token_in_the_audit(
        client, world, tokens, login_as):
    from portal.core.audit import AuditEntry

    cat = world.order_catalogue
    response = post(client, "/api/v1/orders", tokens["dealer_sales"], _order(world))
    assert response.status_code == 201, response.json
    body = response.json
    schemas.OrderOut.model_validate(body)
    assert body["status"] == "submitted" and body["dealer"] == "DA001"
    assert body["total_fen"] == 2 * cat.server_net + cat.storage_net
    assert response.headers["Location"].endswith(f"/api/v1/orders/{body['number']}")
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.number == body["number"]))
    assert order.created_by_id == world.dealer_sales.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order.submitted",
                                                       AuditEntry.object_id == order.id))
    assert entry.api_token.startswith("ERP dealer_sales (#")
    login_as(world.admin)
    page = client.get("/admin/audit/?object_type=sales_order").get_data(as_text=True)
    assert "via API token ERP dealer_sales (#" in page


def test_an_order_on_a_registration_gets_the_exception_price(client, world, tokens):
    from tests.routes.orders import EXCEPTION_PRICE_FEN, approved_deal_with_exception

    deal = approved_deal_with_exception(world, world.order_catalogue, quantity=5)
    db.session.commit()
    body = _order(world, "ERP-EXC", lines=[{"sku": world.order_catalogue.server.sku,
                                            "quantity": 3}], registration=deal.deal.number)
    body.pop("customer_name")
    response = post(client, "/api/v1/orders", tokens["dealer_sales"], body)
    assert response.status_code == 201, response.json
    line = response.json["lines"][0]
    assert line["price_source"] == "exception" and line["unit_price_fen"] == EXCEPTION_PRICE_FEN
    too_many = _order(world, "ERP-EXC-2", lines=[{"sku": world.order_catalogue.server.sku,
                                                  "quantity": 3}], registration=deal.deal.number)
    # Beyond the approved quantity the order is split, as on the form (DESIGN §3.5): the 2 units
    # left at the exception price, the third at the dealer's net price.
    split = post(client, "/api/v1/orders", tokens["dealer_sales"], too_many)
    assert split.status_code == 201, split.json
    by_source = {ln["price_source"]: ln for ln in split.json["lines"]}
    assert by_source["exception"]["quantity"] == 2
    assert by_source["exception"]["unit_price_fen"] == EXCEPTION_PRICE_FEN
    assert by_source["net"]["quantity"] == 1


@pytest.mark.parametrize("change, pointer", [
    ({"lines": [{"sku": "NOPE-1", "quantity": 1}]}, "/lines/0"),
    ({"contract_no": "HT-A-SUBMITTED"}, "/contract_no"),
    ({"order_date": "2099-01-01"}, "/order_date"),
    ({"registration": "R2026-99999"}, "/registration"),
])
def test_service_errors_point_at_the_field(client, world, tokens, change, pointer):
    before = db.session.scalar(select(func.count(SalesOrder.id)))
    response = post(client, "/api/v1/orders", tokens["dealer_admin"], _order(world, **{
        k: v for k, v in change.items() if k != "lines"}, **(
        {"lines": change["lines"]} if "lines" in change else {})))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert pointer in [e["pointer"] for e in response.json["errors"]]
    assert db.session.scalar(select(func.count(SalesOrder.id))) == before


@pytest.mark.parametrize("raw", [
    '{"contract_no": "X", "order_date": "2026-02-30", "lines": [{"sku": "A", "quantity": 1}]}',
    '{"contract_no": "X", "order_date": "yesterday", "lines": [{"sku": "A", "quantity": 1}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "lines": [{"sku": "A", "quantity": "1"}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "lines": [{"sku": "A", "quantity": 1e309}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "lines": [{"sku": "A", "quantity": 1.5}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "lines": [{"sku": "A", "quantity": '
    + "9" * 5000 + '}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "lines": [{"sku": "A", "quantity": 0}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "lines": [], "price": 1}',
    '{"contract_no": 12, "order_date": "2026-01-01", "lines": [{"sku": "A", "quantity": 1}]}',
    '{"contract_no": "X", "order_date": "2026-01-01", "customer_id": 99999999999999999999, '
    '"lines": [{"sku": "A", "quantity": 1}]}',
    '[1, 2]', 'not json', '', '{"contract_no": "X"',
])
def test_bad_bodies_are_422_never_500(client, world, tokens, raw):
    response = post(client, "/api/v1/orders", tokens["dealer_admin"], raw)
    assert response.status_code == 422, response.data[:300]
    assert response.json["errors"]


@pytest.mark.parametrize("query", ["limit=1e309", "limit=²", "limit=0", "limit=100000",
                                   "from=2026-13-45", "status=bogus", "cursor=%%%", "cursor=WzFd1",
                                   "cursor=WyJ4Il0", "unknown=1", "limit=" + "9" * 5000])
def test_bad_query_strings_are_422(client, world, tokens, query):
    response = get(client, f"/api/v1/orders?{query}", tokens["dealer_admin"])
    assert response.status_code == 422, (query, response.data[:200])
    assert response.mimetype == "application/problem+json"


def test_a_body_that_is_not_json_is_415(client, world, tokens):
    response = client.post("/api/v1/orders", data={"contract_no": "X"},
                           headers=tokens["dealer_admin"])
    assert response.status_code == 415


# --- idempotency ----------------------------------------------------------------------------------

def test_a_retry_with_the_same_key_returns_the_first_order(client, world, tokens):
    body = _order(world, "ERP-IDEM")
    first = post(client, "/api/v1/orders", tokens["dealer_admin"], body, **{"Idempotency-Key": "k-1"})
    again = post(client, "/api/v1/orders", tokens["dealer_admin"], body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(SalesOrder.id)).where(
        SalesOrder.contract_no == "ERP-IDEM")) == 1
    other = post(client, "/api/v1/orders", tokens["dealer_admin"], _order(world, "ERP-IDEM-2"),
                 **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    # keys belong to a user: another user's same key is a new request
    mine = post(client, "/api/v1/orders", tokens["dealer_sales"], _order(world, "ERP-IDEM-3"),
                **{"Idempotency-Key": "k-1"})
    assert mine.status_code == 201 and mine.json["number"] != first.json["number"]


def test_a_refused_request_leaves_its_key_free(client, world, tokens):
    bad = _order(world, "ERP-RETRY", lines=[{"sku": "NOPE", "quantity": 1}])
    assert post(client, "/api/v1/orders", tokens["dealer_admin"], bad,
                **{"Idempotency-Key": "k-2"}).status_code == 422
    good = post(client, "/api/v1/orders", tokens["dealer_admin"], bad | {
        "lines": [{"sku": world.order_catalogue.server.sku, "quantity": 1}]},
        **{"Idempotency-Key": "k-2"})
    assert good.status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 101, "ключ"])
def test_a_bad_idempotency_key_is_422(client, world, tokens, key):
    response = client.post("/api/v1/orders", data=json.dumps(_order(world)), headers={
        **tokens["dealer_admin"], "Content-Type": "application/json",
        "Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert response.status_code == 422


# --- registrations --------------------------------------------------------------------------------

def _registration(world, **extra):
    return {"project_name": "接口报备项目", "customer": {"name": "北京接口新客户有限公司"},
            "estimated_value": "250000.00",
            "expected_close_date": (clock.today() + timedelta(days=30)).isoformat(),
            "lines": [{"product_line": world.lines[0].code, "quantity": 3}], **extra}


def test_registration_lists_follow_the_scope(client, world, tokens):
    mine = get(client, "/api/v1/registrations", tokens["dealer_sales"]).json
    schemas.RegistrationList.model_validate(mine)
    assert {d["number"] for d in mine["items"]} >= {world.deal_approved.number,
                                                    world.deal_held.number}
    for outsider in ("other_dealer", "other_region_cm"):
        theirs = get(client, "/api/v1/registrations", tokens[outsider]).json["items"]
        assert {d["dealer"] for d in theirs} <= {"DB002"}
    approved = get(client, "/api/v1/registrations?status=approved", tokens["dealer_admin"]).json
    assert world.deal_approved.number in {d["number"] for d in approved["items"]}
    assert {d["status"] for d in approved["items"]} == {"approved"}
    held = next(d for d in mine["items"] if d["number"] == world.deal_held.number)
    assert held["status"] == "in_conflict" and held["status_note"].startswith("under review")


def test_posting_a_registration_submits_it(client, world, tokens):
    response = post(client, "/api/v1/registrations", tokens["dealer_sales"], _registration(world))
    assert response.status_code == 201, response.json
    body = response.json
    schemas.RegistrationOut.model_validate(body)
    assert body["status"] == "submitted" and body["estimated_value_fen"] == 25_000_000
    assert body["customer_name"] == "北京接口新客户有限公司"
    draft = post(client, "/api/v1/registrations", tokens["dealer_sales"],
                 _registration(world, project_name="草稿项目", submit=False,
                               customer={"name": "北京接口另一客户有限公司"}))
    assert draft.json["status"] == "draft"


def test_a_conflicting_registration_is_under_review_without_naming_the_other_party(
        client, world, tokens):
    from portal.deals.models import DealRegistration

    # dealer B already holds an approved registration for the same company (same USCC)
    from tests.routes.deals import make_customer, make_deal

    uscc = "91110000100000000A"
    from portal.core.uscc import UsccError, validate_uscc
    try:
        uscc = validate_uscc(uscc)
    except UsccError:
        uscc = None
    theirs = make_customer(world.dealer_b, "上海丙方机密客户有限公司", uscc=uscc)
    rival = make_deal(world.dealer_b, world.other_dealer, theirs, world.lines[0], "approved",
                      project_name="乙方的机密项目")
    db.session.commit()
    body = _registration(world, customer={"name": "上海丙方机密客户有限公司", "uscc": uscc})
    response = post(client, "/api/v1/registrations", tokens["dealer_admin"], body)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "in_conflict"
    assert response.json["status_note"].startswith("under review")
    text = response.get_data(as_text=True)
    for secret in (world.dealer_b.code, world.dealer_b.name, rival.number, "乙方的机密项目",
                   world.other_dealer.name):
        assert secret not in text
    assert db.session.scalar(select(DealRegistration.status).where(
        DealRegistration.number == response.json["number"])) == "in_conflict"


@pytest.mark.parametrize("change, pointer", [
    ({"lines": [{"product_line": "NOPE", "quantity": 1}]}, "/lines/0/product_line"),
    ({"lines": [{"product_line": "X", "sku": "NOPE", "quantity": 1}]}, "/lines/0/product_line"),
    ({"customer": None}, "/customer"),
    ({"customer": {"name": "北京接口新客户有限公司", "uscc": "123"}}, "/customer/uscc"),
    ({"expected_close_date": "2099-01-01"}, "/expected_close_date"),
    ({"customer_id": 2_000_000_000, "customer": None}, "/customer_id"),
])
def test_registration_errors_point_at_the_field(client, world, tokens, change, pointer):
    response = post(client, "/api/v1/registrations", tokens["dealer_admin"],
                    _registration(world, **change))
    assert response.status_code == 422, response.json
    assert pointer in [e["pointer"] for e in response.json["errors"]], response.json


def test_a_registration_retry_creates_one_registration(client, world, tokens):
    from portal.deals.models import DealRegistration

    body = _registration(world, project_name="幂等报备")
    a = post(client, "/api/v1/registrations", tokens["dealer_admin"], body,
             **{"Idempotency-Key": "r-1"})
    b = post(client, "/api/v1/registrations", tokens["dealer_admin"], body,
             **{"Idempotency-Key": "r-1"})
    assert a.status_code == b.status_code == 201 and a.json["number"] == b.json["number"]
    assert db.session.scalar(select(func.count(DealRegistration.id)).where(
        DealRegistration.project_name == "幂等报备")) == 1


# --- statements -----------------------------------------------------------------------------------

def test_statements_list_with_money_and_scope(client, world, tokens):
    mine = get(client, "/api/v1/statements", tokens["dealer_admin"]).json
    schemas.StatementList.model_validate(mine)
    assert [s["number"] for s in mine["items"]] == [world.statement.number]
    item = mine["items"][0]
    assert item["net_payable_fen"] == world.statement.net_payable_fen
    assert item["pdf"] == f"/api/v1/statements/{world.statement.number}.pdf"
    assert get(client, "/api/v1/statements", tokens["dealer_sales"]).json["items"] == []
    assert get(client, "/api/v1/statements", tokens["other_dealer"]).json["items"] == []
    assert get(client, "/api/v1/statements", tokens["other_region_cm"]).json["items"] == []
    assert len(get(client, "/api/v1/statements?status=issued", tokens["finance"]).json["items"]) == 1
    assert get(client, "/api/v1/statements?status=paid", tokens["finance"]).json["items"] == []


def test_money_as_strings_is_exact():
    from portal.api.serialize import yuan

    assert [yuan(v) for v in (0, 1, 99, 100, 123456789, -5, -12345)] == [
        "0.00", "0.01", "0.99", "1.00", "1234567.89", "-0.05", "-123.45"]


def test_an_order_total_beyond_the_column_is_422_not_500(client, world, tokens):
    """¥80,000 × 1,000,000 units: each number is within its bounds, the total is not."""
    body = _order(world, "ERP-HUGE", lines=[{"sku": world.order_catalogue.server.sku,
                                             "quantity": 1_000_000}])
    response = post(client, "/api/v1/orders", tokens["dealer_admin"], body)
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/lines"
    assert db.session.scalar(select(func.count(SalesOrder.id)).where(
        SalesOrder.contract_no == "ERP-HUGE")) == 0


def test_an_unknown_api_path_answers_problem_json(client, world, tokens):
    for url in ("/api/v1/nothing-here", "/api/v2/prices", "/api/"):
        response = get(client, url, tokens["dealer_admin"])
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 404
