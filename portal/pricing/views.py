"""`/prices/` — a dealer's net prices; `/exceptions/` — price exceptions and their approval;
`/admin/approval-matrix` — the routing rules of exceptions (admins)."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import BigInteger, case, cast, select
from sqlalchemy.orm import raiseload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import TIER_LABELS, Dealer, Tier
from portal.catalog.models import PriceListItem, Product
from portal.catalog.services import lines as product_lines
from portal.catalog.services import next_price_list, price_list_in_force
from portal.core import audit, clock
from portal.core.capabilities import requires
from portal.core.export import export_response
from portal.core.htmx import is_htmx, render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.labels import status_label
from portal.core.money import fen_to_decimal, format_bp
from portal.core.pagination import paginate, sort_clause
from portal.core.parse import to_id
from portal.core.permissions import (
    DEALER_ROLES,
    HEAD_OFFICE_ROLES,
    ROLE_LABELS,
    Role,
    is_dealer,
    roles_required,
)
from portal.core.unit_of_work import on_error, on_invalid
from portal.db import contains, contains_any
from portal.deals.models import DealRegistration
from portal.extensions import db
from portal.main.dashboard import count_of, register_figures
from portal.pricing import forms, workflow
from portal.pricing.models import ExceptionStatus, PriceException, StepStatus
from portal.pricing.services import price_many, tier_discounts

bp = Blueprint("pricing", __name__)

#: Pages of pricing listed on /admin/.
ADMIN_PAGES = [("pricing.rules", _l("Approval matrix"))]

PRICE_VIEWERS = (*DEALER_ROLES, *HEAD_OFFICE_ROLES)
EXCEPTION_VIEWERS = (Role.DEALER_ADMIN, Role.DEALER_SALES, Role.CHANNEL_MANAGER,
                     Role.SALES_DIRECTOR, Role.FINANCE, Role.ADMIN)
EXPORT_LIMIT = 20_000


# --- /prices/ ------------------------------------------------------------------------------------

def _price_viewer():
    """Whose prices are shown: a dealer's own; head office picks a dealer or a tier."""
    if is_dealer(current_user):
        return current_user.dealer, None
    code = (request.args.get("dealer") or "").strip().upper()
    if code:
        dealer = db.session.scalar(select(Dealer).where(Dealer.code == code))
        if dealer is not None:
            return dealer, dealer
    tier = request.args.get("tier") if request.args.get("tier") in {t.value for t in Tier} \
        else Tier.PLATINUM.value
    return SimpleNamespace(id=None, tier=tier, unknown_code=code[:40]), None


@bp.route("/prices/")
@roles_required(*PRICE_VIEWERS)
def prices():
    head_office = not is_dealer(current_user)
    viewer, as_dealer = _price_viewer()
    today = clock.today()
    plist = price_list_in_force(today)
    upcoming = next_price_list(today) if head_office else None
    showing_next = head_office and request.args.get("list") == "next" and upcoming is not None
    if showing_next:
        plist = upcoming
    context = dict(viewer=viewer, as_dealer=as_dealer, head_office=head_office, plist=plist,
                   upcoming=upcoming, showing_next=showing_next, lines=product_lines(),
                   tiers=list(Tier), tier_labels=TIER_LABELS, quotes={}, page=None)
    if plist is None:
        return render_page("pricing/prices.html", block="results", **context)
    discounts = tier_discounts(viewer.tier)
    stmt = (select(Product).join(PriceListItem, PriceListItem.product_id == Product.id)
            .where(PriceListItem.price_list_id == plist.id, Product.active.is_(True)))
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains_any((Product.sku, Product.name), q))
    if to_id(request.args.get("line")):
        stmt = stmt.where(Product.line_id == to_id(request.args["line"]))
    # list × (10,000 − discount bp) orders like the net price; BIGINT: it overflows int4.
    net_order = cast(PriceListItem.list_price_fen, BigInteger) * (
        10_000 - case(discounts, value=Product.line_id, else_=0)) if discounts \
        else PriceListItem.list_price_fen
    sort = request.args.get("sort", "")
    if sort.lstrip("-") == "net":   # an expression: sort_clause only takes plain columns
        order = ((net_order.desc(), Product.id.desc()) if sort.startswith("-")
                 else (net_order.asc(), Product.id.asc()))
    else:
        order = sort_clause({"sku": Product.sku, "name": Product.name, "line": Product.line_id,
                             "list": PriceListItem.list_price_fen}, "sku", Product.id)
    stmt = stmt.order_by(*order)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        products = list(db.session.scalars(stmt.limit(EXPORT_LIMIT)))
        quotes = price_many(viewer, products, today, price_list=plist, discounts=discounts)
        return _export_prices(fmt, products, quotes, head_office)
    page = paginate(db.session, stmt, per_page=50)
    context.update(page=page, quotes=price_many(viewer, page.items, today, price_list=plist,
                                                 discounts=discounts))
    return render_page("pricing/prices.html", block="results", **context)


def _export_prices(fmt, products, quotes, head_office):
    locale = str(get_locale())
    header = [_("SKU"), _("Product name"), _("Product line"), _("Unit"), _("List price"),
              _("Tier discount"), _("Net price")]
    if head_office:
        header.append(_("Floor price"))
    rows = []
    for p in products:
        qt = quotes[p.id]
        row = [p.sku, p.name, p.line.label(locale), p.unit, fen_to_decimal(qt.list_price_fen),
               format_bp(qt.discount_bp), fen_to_decimal(qt.net_price_fen)]
        if head_office:
            row.append(fen_to_decimal(p.floor_price_fen) if p.floor_price_fen is not None else "")
        rows.append([str(v) if isinstance(v, Decimal) and fmt == "csv" else v for v in row])
    return export_response(fmt, f"prices-{clock.today().isoformat()}", header, rows)


# --- /exceptions/ --------------------------------------------------------------------------------

def _ageing(exc: PriceException):
    """(business days the open step has waited, its target) or None."""
    step = next((s for s in exc.steps if s.round == exc.round and s.seq == exc.current_step), None)
    if exc.status != ExceptionStatus.PENDING or step is None or step.started_at is None:
        return None
    return clock.business_days_between(step.started_at, clock.now()), step.target_business_days


@bp.route("/exceptions/")
@roles_required(*EXCEPTION_VIEWERS)
def exceptions():
    approver = current_user.role in workflow.APPROVER_ROLES
    view = request.args.get("view") or ("queue" if approver else "all")
    stmt = workflow.scoped(select(PriceException), current_user)
    if view == "queue" and approver:
        stmt = stmt.where(PriceException.status == ExceptionStatus.PENDING,
                          PriceException.current_role == current_user.role)
    status = request.args.get("status")
    if status in {s.value for s in ExceptionStatus}:
        stmt = stmt.where(PriceException.status == status)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains(PriceException.number, q))
    order = sort_clause({"number": PriceException.id, "submitted": PriceException.submitted_at,
                         "total": PriceException.total_requested_fen,
                         "depth": PriceException.max_depth_bp},
                        "submitted" if view == "queue" else "-number", PriceException.id)
    # Ids first (a narrow, indexed sort), then the page's rows with what the list shows: sorting
    # 10,000 wide rows joined to their dealer is what made this page slow.
    ids_stmt = stmt.with_only_columns(PriceException.id).order_by(*order)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        items = _load_exceptions(list(db.session.scalars(ids_stmt.limit(EXPORT_LIMIT))))
        return _export_exceptions(fmt, items)
    page = paginate(db.session, ids_stmt)
    page.items = _load_exceptions(page.items)
    return render_page("pricing/exceptions.html", block="results", page=page, view=view,
                       approver=approver, ageing=_ageing, statuses=list(ExceptionStatus),
                       role_labels=ROLE_LABELS, today=clock.today())


def _load_exceptions(ids: list[int]) -> list[PriceException]:
    """The exceptions `ids`, in that order, with their steps (for ageing) and, as `deal_info`,
    the registration's number and project name (two columns, not the whole registration)."""
    if not ids:
        return []
    stmt = (select(PriceException).where(PriceException.id.in_(ids))
            .options(selectinload(PriceException.steps), raiseload(PriceException.lines)))
    found = {e.id: e for e in db.session.scalars(stmt)}
    info = {row.id: row for row in db.session.execute(
        select(DealRegistration.id, DealRegistration.number, DealRegistration.project_name)
        .where(DealRegistration.id.in_({e.deal_id for e in found.values()})))}
    for exc in found.values():
        exc.deal_info = info.get(exc.deal_id)
    return [found[i] for i in ids if i in found]


def _export_exceptions(fmt, items):
    header = [_("Number"), _("Dealer"), _("Registration"), _("Status"), _("Requested total"),
              _("Net total"), _("Deepest extra discount"), pgettext("column", "Submitted"), _("Valid until")]

    rows = [[e.number, e.dealer.name, e.deal_info.number if e.deal_info else "", status_label(e.status),
             fen_to_decimal(e.total_requested_fen), fen_to_decimal(e.total_net_fen),
             format_bp(e.max_depth_bp), e.submitted_at, e.valid_until] for e in items]
    if fmt == "csv":
        rows = [[str(v) if isinstance(v, Decimal) else v for v in r] for r in rows]
    return export_response(fmt, f"exceptions-{clock.today().isoformat()}", header, rows)


def _request_form(exc: PriceException | None):
    """The request form (new or edit): preview, add a line, save as draft, or submit."""
    deals = workflow.eligible_deals(current_user)

    def page(values, evaluation=None, errors=None):
        return render_page("pricing/exception_form.html", exc=exc, deals=deals, values=values,
                           errors=errors or {}, ev=evaluation, head_office=False,
                           catalogue=_sku_choices(), role_labels=ROLE_LABELS)

    if request.method == "POST":
        form = forms.ExceptionRequestForm()
        action = form.action.data
        raw = form.lines()
        deal_value = next((d.estimated_value_fen or 0 for d in deals
                           if str(d.id) == form.deal_id.data), 0)

        def evaluated(errors=None):
            evaluation = workflow.evaluate(current_user.dealer, raw, deal_value_fen=deal_value)
            if action == "preview" and is_htmx():
                return render_page("pricing/exception_form.html", block="figures", ev=evaluation,
                                   head_office=False, role_labels=ROLE_LABELS)
            values = {"deal_id": form.deal_id.data, "reason": form.reason.data, "lines": raw}
            return page(values, evaluation, errors)

        if action in ("draft", "submit"):
            on_invalid(lambda err: evaluated(dict(err.errors) or {"form": err.message}))
            saved = workflow.save_request(current_user, exc, deal_id=form.deal_id.data,
                                          reason=form.reason.data, raw_lines=raw,
                                          submit=action == "submit")
            flash(_("Request %(number)s submitted for approval.", number=saved.number)
                  if action == "submit" else _("Draft %(number)s saved.", number=saved.number),
                  "success")
            return redirect(url_for("pricing.exception", exception_id=saved.id))
        return evaluated()
    preset = request.args.get("deal", "")
    if exc is None:
        return page({"deal_id": preset, "reason": "",
                     "lines": [{"index": i, "sku": "", "quantity": "", "price": ""} for i in range(3)]})
    raw = [{"index": i, "sku": ln.product.sku, "quantity": str(ln.quantity),
            "price": str(fen_to_decimal(ln.requested_price_fen))}
           for i, ln in enumerate(exc.lines)]
    raw.append({"index": len(raw), "sku": "", "quantity": "", "price": ""})
    return page({"deal_id": str(exc.deal_id), "reason": exc.reason, "lines": raw},
                workflow.evaluate(current_user.dealer, raw,
                                  deal_value_fen=exc.deal.estimated_value_fen or 0))


def _sku_choices(limit: int = 1000):
    plist = price_list_in_force(clock.today())
    if plist is None:
        return []
    return list(db.session.execute(
        select(Product.sku, Product.name, Product.name_en).join(PriceListItem, PriceListItem.product_id == Product.id)
        .where(PriceListItem.price_list_id == plist.id, Product.active.is_(True))
        .order_by(Product.sku).limit(limit)).all())


@bp.route("/exceptions/new", methods=["GET", "POST"])
@roles_required(Role.DEALER_ADMIN, Role.DEALER_SALES)
def exception_new():
    return _request_form(None)


@bp.route("/exceptions/<int:exception_id>/edit", methods=["GET", "POST"])
@roles_required(Role.DEALER_ADMIN, Role.DEALER_SALES)
def exception_edit(exception_id: int):
    exc = workflow.get_exception_or_404(exception_id, current_user)
    if exc.status not in (ExceptionStatus.DRAFT, ExceptionStatus.RETURNED):
        flash(_("Only a draft or a returned request can be changed."), "error")
        return redirect(url_for("pricing.exception", exception_id=exc.id))
    return _request_form(exc)


@bp.route("/exceptions/<int:exception_id>")
@roles_required(*EXCEPTION_VIEWERS)
def exception(exception_id: int):
    exc = workflow.get_exception_or_404(exception_id, current_user)
    return _detail(exc)


def _detail(exc: PriceException, errors: dict | None = None, form=None, status: int = 200):
    head_office = not is_dealer(current_user)
    return render_page(
        "pricing/exception.html", exc=exc, head_office=head_office,
        can_decide=workflow.can_decide(current_user, exc),
        step=workflow.current_step(exc), ageing=_ageing(exc),
        counter=workflow.counter_figures(exc, {ln.id: (form or {}).get(f"price-{ln.id}", "")
                                               for ln in exc.lines}),
        expired=workflow.is_effectively_expired(exc), errors=errors or {}, form=form or {},
        history=audit.history("price_exception", exc.id), role_labels=ROLE_LABELS,
        step_statuses=StepStatus), status


@bp.route("/exceptions/<int:exception_id>/decide", methods=["POST"])
@requires("exception.decide")
def decide(exception_id: int):
    exc = workflow.get_exception_or_404(exception_id, current_user)
    form = forms.ExceptionDecisionForm()
    step_id = form.step_id.data or 0
    prices = form.prices(exc.lines)
    if form.decision.data == "preview":   # live figures while typing counter-offers; no write
        if not workflow.can_decide(current_user, exc):
            raise workflow.already_decided(exc, step_id)
        return render_page("pricing/exception.html", block="counter_figures",
                           counter=workflow.counter_figures(exc, prices), exc=exc)
    def invalid(err):
        reloaded = workflow.get_exception_or_404(exception_id, current_user)
        return _detail(reloaded, errors=dict(err.errors) or {"form": err.message},
                       form=form.shown(reloaded.lines), status=422)

    def lost_race(_err):
        # Another approver committed first (PostgreSQL: our UPDATE matched no row of our version).
        reloaded = workflow.get_exception_or_404(exception_id, current_user)
        raise workflow.already_decided(reloaded, step_id) from None

    on_invalid(invalid)
    on_error(StaleDataError, lost_race)
    workflow.decide(current_user, exc, step_id=step_id, decision=form.decision.data,
                    comment=form.comment.data, prices=prices, floor_reason=form.floor_reason.data)
    flash(_("Decision recorded for %(number)s.", number=exc.number), "success")
    target = url_for("pricing.exception", exception_id=exc.id)
    if is_htmx():
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


@bp.route("/exceptions/<int:exception_id>/cancel", methods=["POST"])
@roles_required(Role.DEALER_ADMIN, Role.DEALER_SALES)
def cancel(exception_id: int):
    exc = workflow.get_exception_or_404(exception_id, current_user)
    workflow.cancel(current_user, exc)
    flash(_("Request %(number)s cancelled.", number=exc.number), "success")
    return redirect(url_for("pricing.exception", exception_id=exc.id))


# --- /admin/approval-matrix ----------------------------------------------------------------------

RULE_ROWS = forms.RULE_ROWS


@bp.route("/admin/approval-matrix", methods=["GET", "POST"])
@requires("admin.manage")
def rules():
    def page(values, errors=None):
        values = values + [{"level": "", "depth": "", "value": "", "days": "", "approvers": []}] * \
            max(0, RULE_ROWS - len(values))
        return render_page("pricing/rules.html", rows=values, errors=errors or {},
                           approver_roles=workflow.APPROVER_ROLES, role_labels=ROLE_LABELS)

    if request.method == "POST":
        rows, parsed, errors = forms.rules_matrix()
        if errors:
            return page(rows, errors), 422
        on_invalid(lambda err: page(rows, {k: str(v) for k, v in err.errors.items()}))
        workflow.save_rules(current_user, parsed)
        flash(_("Approval matrix saved."), "success")
        return redirect(url_for("pricing.rules"))
    return page([{"level": str(r.level),
                  "depth": "" if r.depth_above_bp < 0 else str(Decimal(r.depth_above_bp) / 100),
                  "value": "" if r.value_from_fen is None else str(fen_to_decimal(r.value_from_fen)),
                  "days": str(r.target_business_days), "approvers": list(r.approvers)}
                 for r in workflow.rules()])


def register_widget():
    def figures(actor, _today):
        if not is_dealer(actor):
            return None  # an approver's steps are counted, with their due times, by the inbox's widget
        stmt = workflow.scoped(select(PriceException), actor).where(
            PriceException.status.in_([ExceptionStatus.PENDING, ExceptionStatus.RETURNED]))
        return {"count": count_of(stmt), "approver": False}

    register_figures("pricing/_widget.html", figures, order=40)
