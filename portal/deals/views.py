"""`/deals/` — deal registrations: list, form, page, submission, approval queue, decisions,
extension, won/lost. Customers (`/customers/`) and direct leads (`/leads/`) live in
`views_customers.py` and `views_leads.py` on the same blueprint."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import contains_eager, joinedload, raiseload

from portal.accounts.models import Dealer
from portal.core import audit, clock
from portal.core.capabilities import can, requires, roles_of
from portal.core.errors import ValidationError
from portal.core.export import EXPORT_ROWS, export_response, export_rows, exporting
from portal.core.htmx import is_htmx, render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.i18n import lazy_pgettext as pgettext  # the name the extractor knows (context first)
from portal.core.labels import status_label
from portal.core.money import fen_to_decimal
from portal.core.pagination import matching_any, paginate, sort_clause
from portal.core.parse import to_id
from portal.core.permissions import DEALER_ROLES, is_dealer, roles_required
from portal.core.settings import setting_value
from portal.core.unit_of_work import back_to, on_invalid
from portal.db import contains, days_after
from portal.deals import forms, services, signals
from portal.deals.blueprint import bp
from portal.deals.models import STAGE_LABELS, Customer, DealExtension, DealRegistration, DealStatus
from portal.extensions import db
from portal.main.dashboard import count_of

LABELS = dict(
    # Status labels carry the context "status": the same English word is a column header elsewhere
    # ("Submitted" = submitted at), and catalogues of all domains are merged.
    statuses={
        "draft": pgettext("status", "Draft"), "submitted": pgettext("status", "Submitted"),
        "approved": pgettext("status", "Approved"), "won": pgettext("status", "Won"),
        "lost": pgettext("status", "Lost"), "expired": pgettext("status", "Expired"),
        "rejected": pgettext("status", "Rejected"), "in_conflict": pgettext("status", "Under review"),
        "assisting": pgettext("status", "Assisting (co-sell)"), "closed": pgettext("status", "Closed"),
        "pending": pgettext("status", "Pending"),
        **{s.value: label for s, label in STAGE_LABELS.items()},
    },
    actions={
        "customer.created": _l("Customer created"), "customer.updated": _l("Customer changed"),
        "customer.linked": _l("Customer records linked"),
        "customer.unlinked": _l("Customer records unlinked"),
        "customer.alias_added": _l("Alias added"), "customer.alias_removed": _l("Alias removed"),
        "deal.created": _l("Registration created"), "deal.updated": _l("Registration changed"),
        "deal.submitted": _l("Registration submitted"),
        "deal.held": _l("Held for review (possible overlap)"),
        "deal.released": _l("Review closed, back in the approval queue"),
        "deal.conflict_cleared": _l("Overlap review closed in its favour"),
        "deal.co_sell": _l("Co-sell: a direct rep assists"),
        "deal.approved": _l("Registration approved"), "deal.rejected": _l("Registration rejected"),
        "deal.extension_requested": _l("Extension requested"),
        "deal.extension_approved": _l("Extension approved"),
        "deal.extension_rejected": _l("Extension declined"),
        "deal.won": _l("Registration won"), "deal.lost": _l("Registration lost"),
        "deal.expired": _l("Protection expired"),
        "lead.created": _l("Lead recorded"), "lead.held": _l("Lead held for review"),
        "lead.released": _l("Lead review closed"), "lead.rejected": _l("Lead rejected"),
        "lead.assisting": _l("Lead assists a dealer (co-sell)"), "lead.closed": _l("Lead closed"),
    })

#: Actions whose comment a dealer never sees on its registration's history: they come from the
#: overlap review, where a manager's words may name the other party.
DEALER_HIDDEN_COMMENTS = {"deal.held", "deal.released", "deal.conflict_cleared", "deal.co_sell",
                          "deal.rejected"}


def dealer_safe_history(deal: DealRegistration, actor) -> list:
    entries = audit.history("deal_registration", deal.id)
    if not is_dealer(actor):
        return entries
    safe = []
    for e in entries:
        if e.action in DEALER_HIDDEN_COMMENTS or (e.actor is not None and e.actor.dealer_id
                                                  not in (None, actor.dealer_id)):
            safe.append(_Masked(e))
        else:
            safe.append(e)
    return safe


class _Masked:
    """An audit entry shown to a dealer without its comment (see DEALER_HIDDEN_COMMENTS)."""

    def __init__(self, entry):
        self.at, self.action, self.actor = entry.at, entry.action, entry.actor
        self.comment = _("conflict") if entry.comment == "conflict" else None


def _errors(exc: ValidationError) -> dict:
    return {k: str(v) for k, v in exc.errors.items()}


# --- list ----------------------------------------------------------------------------------------

def _filtered(actor):
    """The list (and its export): each registration with its customer (from the join the search
    and the sort use) and its dealer, nothing else. The models' default eager loads (creator,
    rep, lines, extension, the customer's owner) would make the page's query a ten-table join
    whose planning alone took longer than its rows."""
    stmt = services.deals_query(actor).join(Customer, DealRegistration.customer_id == Customer.id)
    status = request.args.get("status", "")
    today = clock.today()
    if status == DealStatus.EXPIRED:
        stmt = stmt.where(or_(DealRegistration.status == DealStatus.EXPIRED,
                              (DealRegistration.status == DealStatus.APPROVED)
                              & (DealRegistration.protected_until < today)))
    elif status == DealStatus.APPROVED:
        stmt = stmt.where(services.protected_clause(today))
    elif status in {s.value for s in DealStatus}:
        stmt = stmt.where(DealRegistration.status == status)
    order = sort_clause({
        "number": DealRegistration.id, "project": DealRegistration.project_name,
        "customer": Customer.name, "value": DealRegistration.estimated_value_fen,
        "close": DealRegistration.expected_close_date, "status": DealRegistration.status,
        "until": DealRegistration.protected_until}, "-number", DealRegistration.id)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(matching_any(stmt, DealRegistration.id, [
            contains(DealRegistration.number, q, bigrams=True),
            contains(DealRegistration.project_name, q, bigrams=True),
            contains(Customer.name, q, bigrams=True)], order,
            rows=EXPORT_ROWS if exporting() else None))
    # Of the customer and the dealer, only the name and the code the list shows (their other
    # columns, 20 per row, cost CPU to read and load on every view; they load if ever read).
    return stmt.options(contains_eager(DealRegistration.customer).load_only(Customer.name).raiseload("*"),
                        joinedload(DealRegistration.dealer).load_only(Dealer.code).raiseload("*"),
                        raiseload("*")).order_by(*order)


@bp.route("/deals/")
@requires("deal.view")
def index():
    stmt = _filtered(current_user)
    fmt = request.args.get("format")
    if exporting():
        head_office = not is_dealer(current_user)
        header = [_("Number"), _("Project"), _("Customer")] + ([_("Dealer")] if head_office else []) + [
            _("Status"), _("Estimated value"), _("Expected close"), _("Protected until")]
        rows = export_rows(stmt.limit(EXPORT_ROWS), lambda d: (
            [d.number, d.project_name, d.customer.name] + ([d.dealer.code] if head_office else [])
            + [str(status_text(d)), fen_to_decimal(d.estimated_value_fen), d.expected_close_date,
               d.protected_until]))
        return export_response(fmt, "registrations", header, rows)
    return render_page("deals/index.html", block="results", page=paginate(db.session, stmt),
                       statuses=list(DealStatus), today=clock.today(),
                       effective_status=services.effective_status)


def status_text(deal) -> str:
    return status_label(services.effective_status(deal))


@bp.route("/deals/queue")
@requires("deal.approve")
def queue():
    """The approval queue of the manager's regions, oldest first, with ageing."""
    stmt = (services.deals_query(current_user)
            .where(DealRegistration.status == DealStatus.SUBMITTED)
            .order_by(DealRegistration.submitted_at.asc(), DealRegistration.id.asc()))
    page = paginate(db.session, stmt)

    ext_stmt = (services.deals_query(current_user).join(DealExtension)
                .where(DealExtension.status == "pending").order_by(DealExtension.requested_at))
    extensions = list(db.session.scalars(ext_stmt.limit(100)).unique())
    now = clock.now()
    return render_template("deals/queue.html", page=page, extensions=extensions,
                           age=lambda t: clock.business_days_between(t, now) if t else 0)


# --- create, edit, submit --------------------------------------------------------------------------

def _form_context(data, rows, errors, choices=(), focus=None):
    lines, products = forms.catalogue_choices()
    rows = list(rows)[:forms.MAX_ROWS] or [{} for _ in range(forms.FIRST_ROWS)]
    chosen = to_id(data.get("customer_id"))
    if not choices:  # the matches of the typed text again, and the chosen one among them
        choices = services.find_customers(current_user, data.get("customer_q") or "")
        if chosen and chosen not in {c.id for c in choices}:
            choices = list(db.session.scalars(
                services.customers_query(current_user).where(Customer.id == chosen))) + choices
    return dict(data=data, rows=rows, errors=errors, product_lines=lines, products=products,
                choices=list(choices), stages=forms.stage_choices(), focus=focus,
                customer_labels=forms.CUSTOMER_LABELS, max_rows=forms.MAX_ROWS,
                latest_close=services.latest_close_date(), today=clock.today())


@bp.route("/deals/new", methods=["GET", "POST"])
@bp.route("/deals/<int:deal_id>/edit", methods=["GET", "POST"], endpoint="edit")
@roles_required(*DEALER_ROLES)
def new(deal_id: int | None = None):
    deal = services.get_deal_or_404(deal_id, current_user) if deal_id else None
    if deal is not None and deal.status != DealStatus.DRAFT:
        flash(_("Only a draft can be changed."), "error")
        return redirect(url_for("deals.detail", deal_id=deal.id))

    def page(data, rows, errors=None, choices=(), focus=None, status=200):
        context = _form_context(data, rows, errors or {}, choices, focus)
        return render_page("deals/form.html", block="form" if is_htmx() else None, deal=deal,
                           **context), status

    if request.method == "POST":
        form = forms.DealForm()
        data, rows = form.texts(), form.rows()
        if form.adding_line:
            if len(rows) >= forms.MAX_ROWS:
                return page(data, rows, {"lines": _("At most %(n)d product lines per "
                                                    "registration.", n=forms.MAX_ROWS)}, status=422)
            return page(data, rows + [{}], focus=len(rows))
        if form.removed_row is not None:
            del rows[form.removed_row:form.removed_row + 1]
            return page(data, rows)
        on_invalid(lambda exc: page(data, rows, _errors(exc), getattr(exc, "choices", ()),
                                    status=422))
        saved = services.save_deal(current_user, deal, form.deal_input())
        if form.action.data == "submit":
            services.submit_deal(current_user, saved)
        if saved.status == DealStatus.IN_CONFLICT:
            flash(_("Registration %(number)s is under review — possible overlap with an "
                    "existing registration.", number=saved.number), "warning")
        elif saved.status == DealStatus.SUBMITTED:
            flash(_("Registration %(number)s submitted for approval.", number=saved.number),
                  "success")
        else:
            flash(_("Draft %(number)s saved.", number=saved.number), "success")
        return redirect(url_for("deals.detail", deal_id=saved.id))
    data, rows = forms.deal_as_input(deal) if deal else ({"stage": "qualifying"}, [])
    if not deal and to_id(request.args.get("customer")):
        data["customer_id"] = request.args["customer"]
    return page(data, rows)


@bp.route("/deals/<int:deal_id>")
@requires("deal.view")
def detail(deal_id: int):
    deal = services.get_deal_or_404(deal_id, current_user)
    cases = []
    if not is_dealer(current_user):
        cases = signals.collect(signals.related_cases, current_user, deal=deal)
    return render_template(
        "deals/detail.html", deal=deal, status=services.effective_status(deal),
        protected=services.is_protected(deal), history=dealer_safe_history(deal, current_user),
        cases=cases, stage_labels=STAGE_LABELS, is_dealer_view=is_dealer(current_user),
        can_manage=can(current_user, "deal.approve", deal), errors={})


def _back(deal, message: str | None = None, category: str = "success"):
    if message:
        flash(message, category)
    return redirect(url_for("deals.detail", deal_id=deal.id))


def _back_on_invalid(deal):
    """A refused action goes back to the registration with the message."""
    on_invalid(back_to(url_for("deals.detail", deal_id=deal.id)))


@bp.route("/deals/<int:deal_id>/submit", methods=["POST"])
@roles_required(*DEALER_ROLES)
def submit(deal_id: int):
    deal = services.get_deal_or_404(deal_id, current_user)
    _back_on_invalid(deal)
    services.submit_deal(current_user, deal)
    if deal.status == DealStatus.IN_CONFLICT:
        return _back(deal, _("Registration %(number)s is under review — possible overlap with an "
                             "existing registration.", number=deal.number), "warning")
    return _back(deal, _("Registration %(number)s submitted for approval.", number=deal.number))


@bp.route("/deals/<int:deal_id>/decide", methods=["POST"])
@requires("deal.approve")
def decide(deal_id: int):
    deal = services.get_deal_or_404(deal_id, current_user)
    form = forms.DealActionForm()
    action = form.action.data
    _back_on_invalid(deal)
    if action == "approve":
        services.approve_deal(current_user, deal, form.comment.data)
        message = _("Registration %(number)s approved.", number=deal.number)
    elif action == "reject":
        services.reject_deal(current_user, deal, form.comment.data)
        message = _("Registration %(number)s rejected.", number=deal.number)
    else:
        raise ValidationError(_l("Choose approve or reject."))
    return _back(deal, message)


@bp.route("/deals/<int:deal_id>/extension", methods=["POST"])
@roles_required(*DEALER_ROLES, *roles_of("deal.approve"))
def extension(deal_id: int):
    deal = services.get_deal_or_404(deal_id, current_user)
    _back_on_invalid(deal)
    form = forms.DealActionForm()
    if is_dealer(current_user):
        services.request_extension(current_user, deal, form.reason.data)
        message = _("Extension requested.")
    else:
        approve = form.action.data == "approve"
        services.decide_extension(current_user, deal, approve, form.comment.data)
        message = _("Extension approved.") if approve else _("Extension declined.")
    return _back(deal, message)


@bp.route("/deals/<int:deal_id>/close", methods=["POST"])
@roles_required(*DEALER_ROLES)
def close(deal_id: int):
    deal = services.get_deal_or_404(deal_id, current_user)
    form = forms.DealActionForm()
    outcome = form.outcome.data
    if outcome == "won":
        services.mark_won(current_user, deal)
    elif outcome == "lost":
        services.mark_lost(current_user, deal, form.reason.data)
    else:
        flash(_("Choose won or lost."), "error")
        return redirect(url_for("deals.detail", deal_id=deal.id)), 303
    return _back(deal, _("Registration %(number)s closed.", number=deal.number))


def dashboard_figures(actor, today):
    """Dashboard: a dealer's protected registrations and those expiring within the reminder
    setting. Head office sees what awaits it, with due times, in the inbox's widget."""
    if not is_dealer(actor):
        return None
    protected = services.deals_query(actor).where(services.protected_clause(today))
    days = setting_value("deal_reminder_days")
    return {"dealer": True, "protected": count_of(protected), "days": days,
            "expiring": count_of(protected.where(
                DealRegistration.protected_until <= days_after(today, days)))}
