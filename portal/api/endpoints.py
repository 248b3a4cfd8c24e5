"""`/api/v1/` — the token-authenticated JSON endpoints of the integration API (DESIGN §3.10).

Cookies are not read and CSRF does not apply here. The endpoints load through the same scoped
loaders and call the same services as the pages; a POST with an `Idempotency-Key` runs once
(`portal.api.idempotency`). The blueprint is a child of `api` (`portal.api.views`).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

from flask import Blueprint, Response, abort, current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from portal.accounts.models import Dealer
from portal.api import auth, framework, schemas
from portal.api.framework import bad_cursor, decode_cursor, json_response, operation, page_of, problem
from portal.api.idempotency import PointerErrors, idempotent
from portal.api.serialize import order_out, order_summary, price_rows, registration_out, statement_out, yuan
from portal.catalog.models import Product, ProductLine
from portal.catalog.services import price_list_in_force
from portal.core import clock
from portal.core.cache import per_app
from portal.core.capabilities import roles_of
from portal.core.money import apply_discount
from portal.core.permissions import (
    ALL_ROLES,
    DEALER_ROLES,
    HEAD_OFFICE_ROLES,
    Role,
    is_dealer,
    scope_region,
)
from portal.deals import services as deals
from portal.deals.models import DealRegistration, DealStatus
from portal.deals.services import deals_query, protected_clause
from portal.extensions import csrf, db
from portal.orders import services as order_services
from portal.orders.models import SalesOrder
from portal.orders.services import orders_query
from portal.pricing.services import tier_discounts
from portal.rebates import documents
from portal.rebates.models import RebateStatement
from portal.rebates.services import statements_query

v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
csrf.exempt(v1)
v1.before_request(auth.authenticate_request)
v1.teardown_request(auth.end_request)

PRICE_VIEWERS = (*DEALER_ROLES, *HEAD_OFFICE_ROLES)
ORDER_VIEWERS = (Role.DEALER_ADMIN, Role.DEALER_SALES, Role.CHANNEL_MANAGER,
                 Role.SALES_DIRECTOR, Role.FINANCE, Role.ADMIN)
DEAL_VIEWERS = roles_of("deal.view")
STATEMENT_VIEWERS = roles_of("statement.download")


@v1.errorhandler(404)
def _not_found(_err):
    return problem(404, _("Not found."), kind="not-found")


@v1.errorhandler(405)
def _not_allowed(_err):
    return problem(405, _("This action is not allowed here."), kind="method-not-allowed")


# --- the document --------------------------------------------------------------------------------

@v1.route("/openapi.json")
@operation("GET", "The OpenAPI 3.1 document of this API", roles=ALL_ROLES, response=None,
           errors=(401, 429), tags=("meta",))
def openapi(actor):
    return json_response(document())


def document() -> dict:
    cache = per_app("api")
    if "openapi" not in cache:
        framework.register_operations(current_app, "api.v1")
        cache["openapi"] = framework.openapi_document(current_app)
    return cache["openapi"]


# --- prices --------------------------------------------------------------------------------------

def _dealer_in_scope(actor, code: str | None):
    """The dealer `code` if `actor` may see it (head office by region), else None."""
    if not code:
        return None
    return db.session.scalar(scope_region(select(Dealer).where(Dealer.code == code.upper()),
                                          Dealer.region_id, actor))


@v1.route("/prices")
@operation("GET", "The caller's net prices on the price list in force", roles=PRICE_VIEWERS,
           query=schemas.PricesQuery, response=schemas.PriceList, errors=(401, 403, 404, 422, 429),
           tags=("prices",))
def prices(actor, query: schemas.PricesQuery):
    """A dealer's token gets its dealer's prices; a head-office token names the dealer with
    `?dealer=` (a channel manager only dealers of its regions). Sorted by SKU."""
    if is_dealer(actor):
        dealer = actor.dealer
    elif not query.dealer:
        return problem(422, _("The query string has invalid parameters."), kind="validation",
                       errors=[{"parameter": "dealer",
                                "detail": _("Head office names the dealer: ?dealer=<code>.")}])
    else:
        dealer = _dealer_in_scope(actor, query.dealer)
        if dealer is None:
            return problem(404, _("Not found."), kind="not-found")
    try:
        after = decode_cursor(query.cursor, (str, int))
    except ValueError:
        return bad_cursor()
    today = clock.today()
    plist = price_list_in_force(today)
    if plist is None:
        return problem(404, _("No price list is in force on %(date)s.", date=today.isoformat()),
                       kind="no-price-list")
    discounts = tier_discounts(dealer.tier)
    with _no_cycle_collection():
        rows = price_rows(plist.id, query, after)
        rows, cursor = page_of(rows, query.limit, lambda r: [r[1], r[0]])
        return json_response({"dealer": dealer.code, "tier": dealer.tier,
                              "price_list": plist.name, "on_date": today.isoformat(),
                              "items": _priced(rows, discounts), "next_cursor": cursor})


@contextmanager
def _no_cycle_collection():
    """Up to 5,000 rows become some 60,000 short-lived objects, none in a reference cycle (freed
    by reference counting). Left on, the cycle collector would traverse the process's whole heap
    several times while they are made (tens of milliseconds each time); it runs afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _priced(rows, discounts: dict[int, int]) -> list[dict]:
    items = []
    append = items.append
    for _id, sku, name, unit, line_id, line_code, list_fen in rows:
        bp_ = discounts.get(line_id, 0)
        net = apply_discount(list_fen, bp_)
        append({"sku": sku, "name": name, "unit": unit, "product_line": line_code,
                "list_price": yuan(list_fen), "list_price_fen": list_fen, "discount_bp": bp_,
                "net_price": yuan(net), "net_price_fen": net})
    return items


def _newest_first(actor, stmt, model, query, out):
    """One page of a list endpoint: `stmt` narrowed to the dealer whose code head office asked
    for, newest first after the cursor, each row as `out` gives it, and the next page's cursor."""
    try:
        after = decode_cursor(query.cursor, (int,))
    except ValueError:
        return bad_cursor()
    if query.dealer and not is_dealer(actor):
        stmt = stmt.where(model.dealer_id.in_(
            select(Dealer.id).where(Dealer.code == query.dealer.upper())))
    if after:
        stmt = stmt.where(model.id < after[0])
    rows = list(db.session.scalars(stmt.order_by(model.id.desc()).limit(query.limit + 1)).unique())
    rows, cursor = page_of(rows, query.limit, lambda row: [row.id])
    return json_response({"items": [out(row) for row in rows], "next_cursor": cursor})


# --- orders --------------------------------------------------------------------------------------

@v1.route("/orders")
@operation("GET", "Orders the caller may see, newest first", roles=ORDER_VIEWERS,
           query=schemas.OrdersQuery, response=schemas.OrderList, tags=("orders",))
def orders(actor, query: schemas.OrdersQuery):
    stmt = orders_query(actor).options(lazyload(SalesOrder.lines))
    if query.status:
        stmt = stmt.where(SalesOrder.status == query.status)
    if query.date_from:
        stmt = stmt.where(SalesOrder.order_date >= query.date_from)
    if query.date_to:
        stmt = stmt.where(SalesOrder.order_date <= query.date_to)
    if query.contract_no:
        stmt = stmt.where(func.lower(SalesOrder.contract_no) == query.contract_no.lower())
    return _newest_first(actor, stmt, SalesOrder, query, order_summary)


def _order_by_number(actor, number: str):
    if len(number) > 20:
        abort(404)
    order = db.session.scalar(orders_query(actor).where(SalesOrder.number == number))
    if order is None:
        abort(404)
    return order


@v1.route("/orders/<number>")
@operation("GET", "One order with its lines", roles=ORDER_VIEWERS, response=schemas.OrderOut,
           errors=(401, 403, 404, 429), tags=("orders",))
def order(actor, number: str):
    return json_response(order_out(_order_by_number(actor, number)))


ORDER_FIELDS = {"deal_id": "/registration", "lines": "/lines", "product": "/lines"}


@v1.route("/orders", methods=["POST"])
@operation("POST", "Register an order (priced like the order form)", roles=DEALER_ROLES,
           body=schemas.OrderIn, response=schemas.OrderOut, status=201, idempotent=True,
           errors=(401, 403, 409, 422, 429), tags=("orders",))
def create_order(actor, body: schemas.OrderIn):
    """The same validation and the same computed prices as `/orders/new`: the net price, or the
    approved exception price of the named registration while quantity is left. The order is
    submitted for the channel manager's confirmation."""
    def run():
        deal_id = ""
        if body.registration:
            deal_id = db.session.scalar(select(DealRegistration.id).where(
                DealRegistration.number == body.registration,
                DealRegistration.dealer_id == actor.dealer_id)) or "0"
        data = {"contract_no": body.contract_no, "order_date": body.order_date.isoformat(),
                "deal_id": str(deal_id), "customer_id": str(body.customer_id or ""),
                "customer_name": body.customer_name or "", "notes": body.notes}
        lines = [{"sku": ln.sku, "quantity": str(ln.quantity)} for ln in body.lines]
        draft = order_services.clean_order(actor, data, lines)
        created = order_services.create_order(actor, draft)
        return 201, order_out(created), url_for("api.v1.order", number=created.number)

    return idempotent(actor, "POST /api/v1/orders", run, ORDER_FIELDS)


# --- registrations -------------------------------------------------------------------------------

@v1.route("/registrations")
@operation("GET", "Registrations the caller may see, newest first", roles=DEAL_VIEWERS,
           query=schemas.RegistrationsQuery, response=schemas.RegistrationList,
           tags=("registrations",))
def registrations(actor, query: schemas.RegistrationsQuery):
    stmt = deals_query(actor)
    today = clock.today()
    if query.status == DealStatus.APPROVED:
        stmt = stmt.where(protected_clause(today))
    elif query.status == DealStatus.EXPIRED:
        stmt = stmt.where((DealRegistration.status == DealStatus.EXPIRED)
                          | ((DealRegistration.status == DealStatus.APPROVED)
                             & (DealRegistration.protected_until < today)))
    elif query.status:
        stmt = stmt.where(DealRegistration.status == query.status)
    return _newest_first(actor, stmt, DealRegistration, query, registration_out)


REGISTRATION_FIELDS = {"customer_id": "/customer_id", "lines": "/lines",
                       **{f"customer_{f}": f"/customer/{f}" for f in
                          ("name", "uscc", "domain", "phone", "province", "city", "industry")}}


@v1.route("/registrations", methods=["POST"])
@operation("POST", "Register a deal; submitting runs the conflict check", roles=DEALER_ROLES,
           body=schemas.RegistrationIn, response=schemas.RegistrationOut, status=201,
           idempotent=True, errors=(401, 403, 409, 422, 429), tags=("registrations",))
def create_registration(actor, body: schemas.RegistrationIn):
    """The same rules as `/deals/new`. With `submit` (the default) the registration is submitted
    and the conflict check runs: when it finds a possible overlap the registration is
    `in_conflict` — under review — and the answer says no more than that."""
    def run():
        line_ids = dict(db.session.execute(select(ProductLine.code, ProductLine.id)).all())
        skus = {ln.sku.strip().upper() for ln in body.lines if ln.sku}
        products = {p.sku.upper(): p for p in db.session.scalars(
            select(Product).where(func.upper(Product.sku).in_(skus)))} if skus else {}
        errors, rows = {}, []
        for i, ln in enumerate(body.lines):
            line_id = line_ids.get(ln.product_line)
            if line_id is None:
                errors[f"/lines/{i}/product_line"] = _("Unknown product line %(code)s.",
                                                       code=ln.product_line)
                continue
            product = products.get((ln.sku or "").strip().upper()) if ln.sku else None
            if ln.sku and product is None:
                errors[f"/lines/{i}/sku"] = _("Unknown SKU %(sku)s.", sku=ln.sku)
                continue
            rows.append({"line_id": str(line_id), "product_id": str(product.id) if product else "",
                         "quantity": str(ln.quantity)})
        if errors:
            raise PointerErrors(errors)
        data = {"project_name": body.project_name, "stage": body.stage,
                "customer_id": str(body.customer_id) if body.customer_id else "new",
                "estimated_value": body.estimated_value or "",
                "expected_close_date": body.expected_close_date.isoformat(),
                "competitors": body.competitors, "notes": body.notes}
        if body.customer_id is None:
            if body.customer is None:
                raise PointerErrors({"/customer": _("Give customer_id or a new customer.")})
            for f, v in body.customer.model_dump().items():
                data[f"customer_{f}"] = v or ""
        deal = deals.save_deal(actor, None, data, rows)
        if body.submit:
            deals.submit_deal(actor, deal)
        return 201, registration_out(deal), None

    return idempotent(actor, "POST /api/v1/registrations", run, REGISTRATION_FIELDS)



# --- statements ----------------------------------------------------------------------------------

@v1.route("/statements")
@operation("GET", "Rebate statements the caller may see, newest first",
           roles=STATEMENT_VIEWERS, query=schemas.StatementsQuery,
           response=schemas.StatementList, tags=("statements",))
def statements(actor, query: schemas.StatementsQuery):
    stmt = statements_query(actor)
    if query.status:
        stmt = stmt.where(RebateStatement.status == query.status)
    return _newest_first(actor, stmt, RebateStatement, query, statement_out)


@v1.route("/statements/<number>.pdf")
@operation("GET", "A statement's PDF", roles=STATEMENT_VIEWERS, produces="application/pdf",
           errors=(401, 403, 404, 429, 503), tags=("statements",))
def statement_pdf(actor, number: str):
    if len(number) > 40:
        abort(404)
    obj = db.session.scalar(statements_query(actor).where(RebateStatement.number == number))
    if obj is None:
        abort(404)
    data = documents.stored_pdf(obj) if obj.has_pdf else None
    if data is None:  # the batch renders it; a GET never writes
        return problem(503, _("The PDF of this statement is being prepared. Please try again "
                              "in a minute."), kind="not-ready", headers={"Retry-After": "60"})
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{obj.number}.pdf"',
        "Cache-Control": "private, no-store"})

