"""`/admin/` — dealers, users, the audit log and policy settings (admins; audit also for the
director and finance, who answer for decisions)."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.forms import DealerForm, UserForm
from portal.accounts.models import Dealer, DealerStatus, Region, User
from portal.admin import forms
from portal.core.audit import AuditEntry
from portal.core.capabilities import requires
from portal.core.htmx import render_page
from portal.core.pagination import paginate, sort_clause
from portal.core.parse import to_id
from portal.core.permissions import Role, can_open, roles_required
from portal.core.settings import DEFAULTS, SETTING_LABELS, get_setting, set_setting
from portal.core.unit_of_work import on_invalid
from portal.db import contains, contains_any
from portal.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Admin pages that other domains add (endpoint, label); shown on /admin/ when present.
EXTRA_PAGES: list[tuple[str, object]] = []


def add_page(endpoint: str, label) -> None:
    """Show the page of `endpoint` on /admin/ to those who may open it (a domain's `init_app`)."""
    if (endpoint, label) not in EXTRA_PAGES:
        EXTRA_PAGES.append((endpoint, label))


@bp.route("/")
@roles_required(Role.ADMIN, Role.SALES_DIRECTOR, Role.FINANCE)
def index():
    pages = [(ep, label) for ep, label in EXTRA_PAGES if can_open(current_user, ep)]
    return render_template("admin/index.html", extra_pages=pages)


# --- dealers -----------------------------------------------------------------------------------

@bp.route("/dealers/")
@requires("admin.manage")
def dealers():
    stmt = select(Dealer)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains_any((Dealer.code, Dealer.name), q))
    for field in ("tier", "status"):
        if request.args.get(field):
            stmt = stmt.where(getattr(Dealer, field) == request.args[field])
    if to_id(request.args.get("region")):
        stmt = stmt.where(Dealer.region_id == to_id(request.args["region"]))
    stmt = stmt.order_by(*sort_clause({"code": Dealer.code, "name": Dealer.name,
                                       "tier": Dealer.tier}, "code", Dealer.id))
    return render_page("admin/dealers.html", block="results", page=paginate(db.session, stmt),
                       regions=_regions())


def _regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.id)))


@bp.route("/dealers/new", methods=["GET", "POST"])
@bp.route("/dealers/<int:dealer_id>", methods=["GET", "POST"])
@requires("admin.manage")
def dealer(dealer_id: int | None = None):
    obj = db.get_or_404(Dealer, dealer_id) if dealer_id else None
    form = DealerForm(obj=obj)
    form.region_id.choices = [(r.id, r.label(str(_locale()))) for r in _regions()]

    def page():
        users = list(db.session.scalars(select(User).where(User.dealer_id == obj.id))) if obj else []
        return render_template("admin/dealer.html", form=form, dealer=obj, users=users), \
            422 if form.errors else 200

    if form.validate_on_submit():
        on_invalid(lambda exc: page(), form=form)
        saved = services.save_dealer(current_user, obj, code=form.code.data, name=form.name.data,
                                     tier=form.tier.data, region_id=form.region_id.data,
                                     city=form.city.data, uscc=form.uscc.data)
        flash(_("Dealer %(code)s saved.", code=saved.code), "success")
        return redirect(url_for("admin.dealer", dealer_id=saved.id))
    return page()


@bp.route("/dealers/<int:dealer_id>/status", methods=["POST"])
@requires("admin.manage")
def dealer_status(dealer_id: int):
    obj = db.get_or_404(Dealer, dealer_id)
    form = forms.DealerStatusForm()
    status = form.status.data
    if status not in {s.value for s in DealerStatus}:
        abort(400)
    services.set_dealer_status(current_user, obj, status, form.reason.data)
    flash(_("Dealer %(code)s is now %(status)s.", code=obj.code,
            status=_("suspended") if status == "suspended" else _("active")), "success")
    return redirect(url_for("admin.dealer", dealer_id=obj.id))


# --- users -------------------------------------------------------------------------------------

@bp.route("/users/")
@requires("admin.manage")
def users():
    stmt = select(User)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains_any((User.email, User.name), q))
    if request.args.get("role"):
        stmt = stmt.where(User.role == request.args["role"])
    if to_id(request.args.get("dealer")):
        stmt = stmt.where(User.dealer_id == to_id(request.args["dealer"]))
    stmt = stmt.order_by(*sort_clause({"email": User.email, "name": User.name,
                                       "role": User.role}, "email", User.id))
    return render_page("admin/users.html", block="results", page=paginate(db.session, stmt))


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("admin.manage")
def user(user_id: int | None = None):
    obj = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=obj)
    form.dealer_id.choices = [(0, "—")] + [
        (d.id, f"{d.code} {d.name}") for d in db.session.scalars(select(Dealer).order_by(Dealer.code))]
    form.region_ids.choices = [(r.id, r.label(str(_locale()))) for r in _regions()]
    if request.method == "GET" and obj:
        form.region_ids.data = obj.region_ids
        form.dealer_id.data = obj.dealer_id or 0

    def page():
        return render_template("admin/user.html", form=form, user=obj), 422 if form.errors else 200

    if form.validate_on_submit():
        on_invalid(lambda exc: page(), form=form)
        if obj is None:
            saved = services.create_user(
                current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data or "", dealer_id=form.dealer_id.data or None,
                region_ids=form.region_ids.data, locale=form.locale.data)
        else:
            saved = services.update_user(current_user, obj, name=form.name.data, role=form.role.data,
                                         dealer_id=form.dealer_id.data or None,
                                         region_ids=form.region_ids.data, active=form.active.data,
                                         locale=form.locale.data)
        flash(_("User %(email)s saved.", email=saved.email), "success")
        return redirect(url_for("admin.user", user_id=saved.id))
    return page()


# --- audit log -----------------------------------------------------------------------------------

@bp.route("/audit/")
@roles_required(Role.ADMIN, Role.SALES_DIRECTOR, Role.FINANCE)
def audit():
    stmt = select(AuditEntry)
    args = request.args
    if args.get("actor"):
        actor = args["actor"].strip().lower()
        stmt = stmt.join(User, User.id == AuditEntry.actor_id).where(contains_any((User.email, User.name), actor))
    if args.get("object_type"):
        stmt = stmt.where(AuditEntry.object_type == args["object_type"])
    if to_id(args.get("object_id")):
        stmt = stmt.where(AuditEntry.object_id == to_id(args["object_id"]))
    if args.get("action"):
        stmt = stmt.where(contains(AuditEntry.action, args["action"].strip()))
    for name, op in (("from", "ge"), ("to", "le")):
        day = _parse_day(args.get(name))
        if day:
            bound = datetime.combine(day, time.min if op == "ge" else time.max, tzinfo=UTC)
            stmt = stmt.where(AuditEntry.at >= bound if op == "ge" else AuditEntry.at <= bound)
    page = paginate(db.session, stmt.order_by(AuditEntry.id.desc()), per_page=50)
    types = db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type))
    return render_page("admin/audit.html", block="results", page=page, object_types=list(types))


def _parse_day(value):
    from datetime import date

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- settings ------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@requires("admin.manage")
def settings():
    form = forms.settings_form(DEFAULTS, {key: get_setting(key) for key in DEFAULTS})
    errors = form.cell_errors() if request.method == "POST" else {}
    if request.method == "POST" and not errors:
        for key, value in form.values().items():
            if value != get_setting(key):
                set_setting(current_user, key, value)
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.settings"))
    current = form.texts()

    return render_template("admin/settings.html", values=current, errors=errors,
                           setting_labels=SETTING_LABELS), \
        422 if errors else 200


def _locale():
    from flask_babel import get_locale

    return get_locale()
