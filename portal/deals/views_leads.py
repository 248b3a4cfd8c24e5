"""`/leads/` — direct leads of the vendor's reps; they take part in conflict detection."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, raiseload, selectinload

from portal.core import audit
from portal.core.capabilities import requires
from portal.core.errors import ValidationError
from portal.core.htmx import render_page
from portal.core.money import MoneyError, parse_yuan
from portal.core.pagination import paginate, sort_clause
from portal.core.parse import to_id
from portal.core.permissions import Role, roles_required
from portal.core.unit_of_work import on_invalid
from portal.db import contains_any
from portal.deals import forms, services, signals
from portal.deals.blueprint import bp
from portal.deals.models import Customer, DirectLead, LeadLine, LeadStatus
from portal.extensions import db

LEAD_VIEWERS = (Role.SALES_REP, Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN)


@bp.route("/leads/")
@roles_required(*LEAD_VIEWERS)
def leads():
    stmt = (services.leads_query(current_user).join(Customer, DirectLead.customer_id == Customer.id)
            .options(contains_eager(DirectLead.customer).raiseload("*"),
                     joinedload(DirectLead.rep).raiseload("*"),
                     selectinload(DirectLead.lines).options(joinedload(LeadLine.line), raiseload("*")),
                     raiseload("*")))
    status = request.args.get("status", "")
    if status in {s.value for s in LeadStatus}:
        stmt = stmt.where(DirectLead.status == status)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains_any((DirectLead.number, Customer.name, DirectLead.project_name), q))
    stmt = stmt.order_by(*sort_clause({"number": DirectLead.id, "customer": Customer.name}, "-number",
                                     DirectLead.id))
    return render_page("deals/leads.html", block="results", page=paginate(db.session, stmt),
                       statuses=list(LeadStatus))


def _head_office_customers():
    return list(db.session.scalars(services.customers_query(current_user)
                                   .where(Customer.dealer_id.is_(None))
                                   .order_by(Customer.name).limit(500)))


@bp.route("/leads/new", methods=["GET", "POST"])
@requires("lead.record")
def lead_new():
    form = forms.LeadForm()
    data = form.values() if request.method == "POST" else {}
    line_ids = form.line_ids() if request.method == "POST" else []

    def page(errors):
        product_lines, _products = forms.catalogue_choices()
        return render_template("deals/lead_form.html", data=data, errors=errors, line_ids=line_ids,
                               product_lines=product_lines, customers=_head_office_customers(),
                               customer_labels=forms.CUSTOMER_LABELS)

    def invalid(exc):
        errors = {k: str(v) for k, v in exc.errors.items()} or {"form": str(exc.message)}
        return page({("customer_" + k if k in services.CUSTOMER_FIELDS else k): v
                     for k, v in errors.items()})

    if request.method != "POST":
        return page({})
    on_invalid(invalid)
    value_text = (data.get("estimated_value") or "").strip()
    try:
        value = parse_yuan(value_text) if value_text else 0
    except MoneyError as exc:
        raise ValidationError(_("Enter the estimated value in yuan, e.g. 1,250,000.00."),
                              {"estimated_value": _("Enter the estimated value in yuan, "
                                                    "e.g. 1,250,000.00.")}) from exc
    cid = data.get("customer_id", "")
    if cid and cid != "new":
        customer = db.session.scalar(services.customers_query(current_user).where(
            Customer.id == to_id(cid))) if to_id(cid) else None
        if customer is None:
            raise ValidationError(_("Choose a customer."), {"customer_id": _("Choose a customer.")})
    else:
        customer = services.save_customer(
            current_user, None, {f: data.get(f"customer_{f}", "") for f in services.CUSTOMER_FIELDS},
            key_account=data.get("key_account") == "y", owner_rep_id=current_user.id)
    lead, cases = services.create_lead(current_user, customer, data.get("project_name", ""),
                                       line_ids, value, data.get("notes", ""))
    if cases:
        flash(_("Lead %(number)s recorded; it overlaps an active registration and is held "
                "for the channel manager's decision.", number=lead.number), "warning")
    else:
        flash(_("Lead %(number)s recorded.", number=lead.number), "success")
    return redirect(url_for("deals.lead", lead_id=lead.id))


@bp.route("/leads/<int:lead_id>")
@roles_required(*LEAD_VIEWERS)
def lead(lead_id: int):
    obj = services.get_lead_or_404(lead_id, current_user)
    cases = signals.collect(signals.related_cases, current_user, lead=obj)
    return render_template("deals/lead.html", lead=obj, cases=cases,
                           history=audit.history("direct_lead", obj.id))


@bp.route("/leads/<int:lead_id>/close", methods=["POST"])
@requires("lead.close")
def lead_close(lead_id: int):
    obj = services.get_lead_or_404(lead_id, current_user)
    services.close_lead(current_user, obj, forms.CloseForm().reason.data)
    flash(_("Lead %(number)s closed.", number=obj.number), "success")
    return redirect(url_for("deals.lead", lead_id=obj.id))
