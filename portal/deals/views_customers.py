"""`/customers/` — end customers: a dealer's own records; head office sees all and links or
unlinks records of different owners that are the same company."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, raiseload

from portal.accounts.models import User
from portal.core import audit
from portal.core.capabilities import can, requires, roles_of
from portal.core.htmx import render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.pagination import matching_any, paginate, sort_clause
from portal.core.permissions import DEALER_ROLES, Role, is_dealer, roles_required
from portal.core.unit_of_work import back_to, on_invalid
from portal.db import contains
from portal.deals import forms, services
from portal.deals.blueprint import bp
from portal.deals.customers import SEARCH_LIMIT, add_alias, link_names, refresh_keys, remove_alias
from portal.deals.models import Customer, CustomerAlias, CustomerLink, DealRegistration
from portal.extensions import db
from portal.matching.names import normalize_name

CUSTOMER_ROLES = roles_of("customer.view")
ALIAS_SOURCES = {"former": _l("former name"), "manual": _l("added by hand"),
                 "link": _l("from linked records"), "case": _l("from a conflict decision")}


@bp.route("/customers/")
@roles_required(*CUSTOMER_ROLES)
def customers():
    stmt = services.customers_query(current_user)
    if request.args.get("key_account") == "1":
        stmt = stmt.where(Customer.key_account.is_(True))
    order = sort_clause({"name": Customer.name, "created": Customer.id}, "name", Customer.id)
    q = (request.args.get("q") or "").strip()
    if q:
        norm = normalize_name(q) or q
        # The two names in one candidate list (one table: its indexes combine with OR, and a
        # common value is found in one walk of the name order), the USCC in another.
        stmt = stmt.where(matching_any(stmt, Customer.id, [
            or_(contains(Customer.name, q, bigrams=True),
                contains(Customer.name_norm, norm, bigrams=True, case_sensitive=True)),
            Customer.uscc == q.upper()], order))
    stmt = stmt.options(
        joinedload(Customer.dealer).raiseload("*"), joinedload(Customer.owner_rep).raiseload("*"),
        raiseload("*")).order_by(*order)
    return render_page("deals/customers.html", block="results", page=paginate(db.session, stmt),
                       head_office=not is_dealer(current_user))


@bp.route("/customers/search")
@roles_required(*DEALER_ROLES)
def customer_search():
    """The customer search of the registration and order forms, as the dealer types: at most
    `SEARCH_LIMIT` of the dealer's own customers, as choices (`customer_id` radios)."""
    q = (request.args.get("customer_q") or request.args.get("customer_name")
         or request.args.get("q") or "").strip()[:100]
    found = services.find_customers(current_user, q, limit=SEARCH_LIMIT + 1)
    return render_template("deals/_customer_choices.html", q=q, choices=found[:SEARCH_LIMIT],
                           more=len(found) > SEARCH_LIMIT, chosen=None,
                           new_choice=request.args.get("new") != "0")


def _reps():
    return list(db.session.scalars(select(User).where(User.role == Role.SALES_REP,
                                                      User.active.is_(True)).order_by(User.name)))


@bp.route("/customers/new", methods=["GET", "POST"])
@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@roles_required(*CUSTOMER_ROLES)
def customer(customer_id: int | None = None):
    obj = services.get_customer_or_404(customer_id, current_user) if customer_id else None
    head_office = not is_dealer(current_user)
    if obj is not None and head_office is False and obj.dealer_id != current_user.dealer_id:
        abort(404)
    data = {f: getattr(obj, f) or "" for f in services.CUSTOMER_FIELDS} if obj else {}
    if request.method == "POST":
        if obj is not None and head_office and obj.dealer_id is not None:
            abort(403)  # head office does not edit a dealer's own record
        form = forms.CustomerForm()
        data = form.fields(services.CUSTOMER_FIELDS)
        on_invalid(lambda exc: _customer_page(obj, data, {k: str(v) for k, v in exc.errors.items()},
                                              head_office))
        saved = services.save_customer(
            current_user, obj, data, key_account=form.key_account.data == "y",
            owner_rep_id=form.owner_rep())
        flash(_("Customer %(name)s saved.", name=saved.name), "success")
        return redirect(url_for("deals.customer", customer_id=saved.id))
    return _customer_page(obj, data, {}, head_office)


def _customer_page(obj, data, errors, head_office):
    links, deals = [], []
    if obj is not None:
        deals = list(db.session.scalars(services.deals_query(current_user).where(
            DealRegistration.customer_id == obj.id).order_by(DealRegistration.id.desc()).limit(50)))
        if head_office:
            links = _links(obj)
    return render_template("deals/customer.html", customer=obj, data=data, errors=errors,
                           labels=forms.CUSTOMER_LABELS, head_office=head_office, links=links,
                           aliases=_aliases(obj) if obj is not None and head_office else [],
                           deals=deals, reps=_reps() if head_office else [],
                           can_link=can(current_user, "customer.link"), alias_sources=ALIAS_SOURCES), \
        422 if errors else 200


def _links(obj):
    rows = list(db.session.scalars(select(CustomerLink).where(
        or_(CustomerLink.a_id == obj.id, CustomerLink.b_id == obj.id))))
    other_ids = [r.b_id if r.a_id == obj.id else r.a_id for r in rows]
    # Only records the actor may see: a link never shows another region's customer.
    others = {c.id: c for c in db.session.scalars(
        services.customers_query(current_user).where(Customer.id.in_(other_ids)))}
    return [(r, others[other_id]) for r, other_id in zip(rows, other_ids, strict=True)
            if other_id in others]


@bp.route("/customers/<int:customer_id>/links", methods=["POST"])
@requires("customer.link")
def customer_link(customer_id: int):
    """Head office links (or unlinks) two records of the same company; never merges them."""
    obj = services.get_customer_or_404(customer_id, current_user)
    form = forms.CustomerLinkForm()
    # Scoped like the record in the URL: a channel manager cannot reach (or reveal, on the linked
    # page) a customer outside its regions by typing its number.
    other = db.session.scalar(services.customers_query(current_user).where(
        Customer.id == form.other_id.data)) if form.other_id.data else None
    if other is None or other.id == obj.id:
        flash(_("Enter the number of another customer record."), "error")
        return redirect(url_for("deals.customer", customer_id=obj.id)), 303
    linked = form.action.data != "unlink"
    a, b = sorted((obj.id, other.id))
    link = db.session.scalar(select(CustomerLink).where(CustomerLink.a_id == a, CustomerLink.b_id == b))
    if link is None:
        link = CustomerLink(a_id=a, b_id=b)
        db.session.add(link)
    link.linked, link.source, link.changed_by_id = linked, "manual", current_user.id
    audit.record(current_user, "customer.linked" if linked else "customer.unlinked", obj,
                 dealer_id=None, after={"other": other.id})
    if linked:
        link_names(current_user, obj, other, "link")  # the desk teaches the matcher
    flash(_("Records linked.") if linked else _("Records unlinked."), "success")
    return redirect(url_for("deals.customer", customer_id=obj.id))


def _aliases(obj):
    return list(db.session.scalars(select(CustomerAlias).where(CustomerAlias.customer_id == obj.id)
                                   .order_by(CustomerAlias.id)))


@bp.route("/customers/<int:customer_id>/aliases", methods=["POST"])
@requires("customer.link")
def customer_alias_add(customer_id: int):
    """Give a customer another name (a short name, an English name, a former name) that the
    conflict check matches on."""
    obj = services.get_customer_or_404(customer_id, current_user)
    on_invalid(back_to(url_for("deals.customer", customer_id=obj.id)))
    if add_alias(current_user, obj, forms.AliasForm().name.data, "manual"):
        refresh_keys(obj)
        flash(_("Alias added."), "success")
    else:
        flash(_("The customer already has that name."), "info")
    return redirect(url_for("deals.customer", customer_id=obj.id), 303)


@bp.route("/customers/<int:customer_id>/aliases/<int:alias_id>/remove", methods=["POST"])
@requires("customer.link")
def customer_alias_remove(customer_id: int, alias_id: int):
    obj = services.get_customer_or_404(customer_id, current_user)
    on_invalid(lambda _exc: abort(404))
    remove_alias(current_user, obj, alias_id)
    flash(_("Alias removed."), "success")
    return redirect(url_for("deals.customer", customer_id=obj.id), 303)
