"""`/orders/` — order registration, the channel manager's confirmation queue, bulk upload."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, raiseload

from portal.catalog.models import Product
from portal.core import audit, clock
from portal.core.capabilities import can, requires
from portal.core.errors import NotFound
from portal.core.export import EXPORT_ROWS, export_response, export_rows, exporting
from portal.core.htmx import is_htmx, render_page
from portal.core.importer import ImportRejected, template_response
from portal.core.labels import status_label
from portal.core.money import fen_to_decimal
from portal.core.pagination import matching_any, paginate, sort_clause
from portal.core.parse import to_id, to_int
from portal.core.permissions import Role, roles_required
from portal.core.unit_of_work import on_error, on_invalid
from portal.core.urls import safe_next
from portal.db import contains, contains_any, number_matches
from portal.deals.models import Customer, DealRegistration
from portal.deals.services import approved_deals_for, find_customers
from portal.extensions import db
from portal.orders import importing, services
from portal.orders.forms import FIRST_ROWS, MAX_LINES, DecisionForm, OrderForm, ReturnForm
from portal.orders.models import OrderReturn, OrderStatus, SalesOrder
from portal.pricing.services import price_many

bp = Blueprint("orders", __name__, url_prefix="/orders")

VIEWERS = (Role.DEALER_ADMIN, Role.DEALER_SALES, Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR,
           Role.FINANCE, Role.ADMIN)
DEALERS = (Role.DEALER_ADMIN, Role.DEALER_SALES)
#: An order list shows each order's own columns and its dealer: nothing else is loaded (the
#: model's default loads add the creator, the decider with their regions, and every line).
LIST_LOADS = (joinedload(SalesOrder.dealer).raiseload("*"), raiseload("*"))
#: The start of an order number (`SO2026-00012`), as a user types it from its beginning.
NUMBER_START = re.compile(r"SO[0-9]{4}-[0-9]*", re.IGNORECASE)


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    args = request.args.copy()
    q = (args.pop("q", "") or "").strip()
    stmt = services.filtered_orders(current_user, args)
    order = sort_clause({"date": SalesOrder.order_date, "number": SalesOrder.id,
                         "total": SalesOrder.total_fen - SalesOrder.returned_fen, "status": SalesOrder.status},
                        "-date", SalesOrder.id)
    if q:  # each column's candidates apart (see matching_any), not one OR
        stmt = stmt.where(matching_any(stmt, SalesOrder.id, [number_matches(SalesOrder.number, q, NUMBER_START)] + [
            contains(column, q, bigrams=True)
            for column in (SalesOrder.contract_no, SalesOrder.customer_name)],
            order, rows=EXPORT_ROWS if exporting() else None))
    stmt = stmt.options(*LIST_LOADS).order_by(*order)
    fmt = request.args.get("format")
    if exporting():
        return _export(stmt, fmt)
    return render_page("orders/index.html", block="results", page=paginate(db.session, stmt),
                       statuses=list(OrderStatus))


def _export(stmt, fmt):
    header = [_("Number"), _("Dealer code"), _("Dealer"), _("Contract number"), _("Order date"),
              _("End customer"), _("Status"), _("Total (yuan)"), _("Returned (yuan)"),
              _("Net (yuan)")]

    rows = export_rows(stmt.limit(EXPORT_ROWS), lambda o: [
        o.number, o.dealer.code, o.dealer.name, o.contract_no, o.order_date, o.customer_name,
        status_label(o.status), fen_to_decimal(o.total_fen), fen_to_decimal(o.returned_fen),
        fen_to_decimal(o.net_fen)])
    return export_response(fmt, "orders", header, rows)


@bp.route("/queue")
@requires("order.confirm")
def queue():
    stmt = (services.orders_query(current_user).options(*LIST_LOADS)
            .where(SalesOrder.status == OrderStatus.SUBMITTED)
            .order_by(SalesOrder.created_at, SalesOrder.id))
    return render_template("orders/queue.html", page=paginate(db.session, stmt))


def _choices(data: dict) -> list:
    """The customers offered again when the form comes back: the chosen one (the dealer's own
    only), else those the typed name finds."""
    customer_id = to_id(data.get("customer_id"))
    if customer_id is not None:
        return list(db.session.scalars(select(Customer).where(
            Customer.id == customer_id, Customer.dealer_id == current_user.dealer_id)))
    return find_customers(current_user, data.get("customer_name") or "")


def _deals():
    return list(db.session.scalars(approved_deals_for(current_user.dealer_id)))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*DEALERS)
def new():
    """The order form: any number of lines ("Add a line" / "Remove" re-render it, by htmx or as a
    plain post), SKU search in each line, prices shown before the order is submitted."""
    form = OrderForm(data=None if request.method == "POST" else {
        "order_date": clock.today(), "deal_id": to_id(request.args.get("deal"))})
    lines = form.line_rows() if request.method == "POST" else []
    focus = None

    def page(errors=None, draft=None, status=200):
        rows = lines[:MAX_LINES] or [{"sku": "", "quantity": ""} for _ in range(FIRST_ROWS)]
        partial = form.previewing or form.adding_line or form.removed_row is not None
        data = form.texts()
        return render_page("orders/new.html", block="form" if partial else None,
                           data=data, lines=rows, errors=errors or {}, draft=draft,
                           deals=_deals(), choices=_choices(data), focus=focus,
                           max_lines=MAX_LINES), status

    def invalid(exc):
        if not exc.errors:
            flash(str(exc.message), "error")
        return page(exc.errors, status=422)

    if request.method == "POST":
        if form.adding_line:
            if len(lines) >= MAX_LINES:
                return page({"lines": _("At most %(n)d lines per order: split it into several "
                                        "orders.", n=MAX_LINES)}, status=422)
            lines.append({"sku": "", "quantity": ""})
            focus = len(lines) - 1
            return page()
        if form.removed_row is not None:
            del lines[form.removed_row:form.removed_row + 1]
            return page()
        on_invalid(invalid)
        draft = services.clean_order(current_user, form.order_input())
        if not form.previewing:
            order = services.create_order(current_user, draft)
            flash(_("Order %(number)s submitted for confirmation.", number=order.number),
                  "success")
            return redirect(url_for("orders.detail", order_id=order.id))
        return page(draft=draft)
    return page()


def _sku_matches(q: str, limit: int = 20) -> list:
    if not q:
        return []
    q = q[:60]
    return list(db.session.scalars(
        select(Product).where(Product.active.is_(True),
                              contains_any((Product.sku, Product.name, Product.name_en), q))
        .order_by(Product.sku).limit(limit)))


@bp.route("/skus")
@roles_required(*DEALERS)
def sku_search():
    """Live SKU search for the order form (htmx), a plain page without JavaScript."""
    q = (request.args.get("q") or "").strip()
    products, quotes = _sku_matches(q), {}
    if products:
        try:
            quotes = price_many(current_user.dealer, products, clock.today())
        except NotFound:
            quotes = {}
    return render_page("orders/sku_search.html", block="results", q=q, products=products,
                       quotes=quotes)


@bp.route("/skus/options")
@roles_required(*DEALERS)
def sku_options():
    """The suggestions of one line's SKU field as the dealer types (`row`: the line's number,
    its text comes as `sku-<row>`): a <datalist> of at most 12 active products."""
    row = to_int(request.args.get("row"), 0, MAX_LINES * 10) or 0
    q = (request.args.get(f"sku-{row}") or request.args.get("q") or "").strip()
    return render_template("orders/_sku_options.html", row=row,
                           products=_sku_matches(q, 12) if len(q) >= 1 else [])


@bp.route("/<int:order_id>")
@roles_required(*VIEWERS)
def detail(order_id: int):
    order = services.get_order_or_404(order_id, current_user)
    deal = None
    if order.deal_id:
        deal = db.session.get(DealRegistration, order.deal_id)

    returns = list(db.session.scalars(select(OrderReturn).where(OrderReturn.order_id == order.id)
                                      .order_by(OrderReturn.id)))
    return render_template("orders/detail.html", order=order, deal=deal, returns=returns,
                           history=audit.history("sales_order", order.id),
                           can_decide=_can_decide(order), can_cancel=_can_cancel(order),
                           can_return=services.can_return(current_user, order))


def _can_decide(order) -> bool:
    return order.status == OrderStatus.SUBMITTED and can(current_user, "order.confirm", order)


def _can_cancel(order) -> bool:
    return order.status == OrderStatus.SUBMITTED and can(current_user, "order.cancel", order)


def _decided(order, message):
    if is_htmx():
        return render_template("orders/_decision.html", order=order, message=message)
    flash(message, "success")
    return redirect(safe_next(DecisionForm().next.data, url_for("orders.detail", order_id=order.id)))


@bp.route("/<int:order_id>/confirm", methods=["POST"])
@requires("order.confirm")
def confirm(order_id: int):
    order = services.get_order_or_404(order_id, current_user)
    services.confirm_order(current_user, order)
    return _decided(order, _("Order %(number)s confirmed.", number=order.number))


@bp.route("/<int:order_id>/reject", methods=["POST"])
@requires("order.confirm")
def reject(order_id: int):
    order = services.get_order_or_404(order_id, current_user)
    services.reject_order(current_user, order, DecisionForm().reason.data)
    return _decided(order, _("Order %(number)s rejected.", number=order.number))


@bp.route("/<int:order_id>/cancel", methods=["POST"])
@requires("order.cancel")
def cancel(order_id: int):
    order = services.get_order_or_404(order_id, current_user)
    services.cancel_order(current_user, order)
    flash(_("Order %(number)s cancelled.", number=order.number), "success")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:order_id>/returns/new", methods=["GET", "POST"])
@requires("order.return")
def new_return(order_id: int):
    """Record a return (credit note) of some units of a confirmed order's lines."""
    order = services.get_order_or_404(order_id, current_user)
    form = ReturnForm(data=None if request.method == "POST" else {
        "return_date": clock.today()})
    if not services.can_return(current_user, order):
        flash(_("Order %(number)s has nothing that can be returned.", number=order.number), "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    if request.method == "POST":
        on_invalid(lambda exc: render_template("orders/return_new.html", order=order,
                                               data=form.values(order.lines), errors=exc.errors))
        record = services.record_return(current_user, order, form.return_input(order.lines))
        flash(_("Return %(number)s recorded.", number=record.number), "success")
        return redirect(url_for("orders.detail", order_id=order.id))
    return render_template("orders/return_new.html", order=order, data=form.values(order.lines),
                           errors={})


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*DEALERS)
def upload():
    if request.method == "GET" and request.args.get("template") in ("csv", "xlsx"):
        return template_response(importing.SPEC, request.args["template"], "orders-template",
                                 importing.EXAMPLE_ROWS)
    def page(errors=()):
        return render_template("orders/upload.html", errors=list(errors),
                               fields=importing.SPEC.fields)

    def rejected(exc):
        flash(str(exc.message), "error")
        return page(exc.errors)

    if request.method == "POST":
        on_error(ImportRejected, rejected)
        orders = importing.import_orders(current_user, request.files.get("file"))
        flash(_("%(n)d order(s) imported and submitted for confirmation.", n=len(orders)),
              "success")
        return redirect(url_for("orders.index", status="submitted"))
    return page()
