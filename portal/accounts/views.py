"""Login, logout, language switch, own profile, and a dealer admin's team."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.auth import SESSION_ID, begin_session
from portal.accounts.forms import LOCALE_CHOICES, LanguageForm, LoginForm, PasswordForm, UserForm
from portal.accounts.models import User
from portal.core.permissions import ALL_ROLES, DEALER_ROLES, Role, roles_required
from portal.core.unit_of_work import on_invalid
from portal.core.urls import safe_next
from portal.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _login_account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302


def _per_account():
    from flask import current_app
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _per_ip():
    from flask import current_app
    return current_app.config["LOGIN_LIMIT_PER_IP"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_account, key_func=_login_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(_per_ip, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginRefused as refused:
            flash(str(refused.message), "error")
            status = 401
        else:
            begin_session(user)
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login"))
        return render_template("accounts/logout.html")
    if current_user.is_authenticated:
        services.logout(current_user, session.get(SESSION_ID))
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    locale = form.locale.data
    if locale not in dict(LOCALE_CHOICES):
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        services.set_own_locale(current_user, locale)
    return redirect(safe_next(form.next.data))


@bp.route("/account", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def profile():
    form = PasswordForm()

    def page():
        return render_template("accounts/profile.html", form=form), 422 if form.errors else 200

    if form.validate_on_submit():
        on_invalid(lambda exc: page(), form=form)
        services.change_password(current_user, form.current.data, form.new.data)
        login_user(current_user._get_current_object())  # the token rotated: keep this session, end the others
        flash(_("Your password has been changed. Other sessions have been logged out."), "success")
        return redirect(url_for("accounts.profile"))
    return page()


# --- a dealer admin manages its own dealer's users --------------------------------------------

@bp.route("/team/")
@roles_required(Role.DEALER_ADMIN)
def team():
    users = db.session.scalars(select(User).where(User.dealer_id == current_user.dealer_id)
                               .order_by(User.name))
    return render_template("accounts/team.html", users=list(users))


def _team_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.role.choices = [c for c in form.role.choices if c[0] in {r.value for r in DEALER_ROLES}]
    form.dealer_id.choices = [(current_user.dealer_id, current_user.dealer.name)]
    return form


def get_team_user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id,
                                                User.dealer_id == current_user.dealer_id))
    if user is None:
        abort(404)
    return user


@bp.route("/team/new", methods=["GET", "POST"])
@bp.route("/team/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.DEALER_ADMIN)
def team_user(user_id: int | None = None):
    user = get_team_user_or_404(user_id) if user_id else None
    form = _team_form(user)

    def page():
        return render_template("accounts/team_user.html", form=form, user=user), \
            422 if form.errors else 200

    if form.validate_on_submit():
        on_invalid(lambda exc: page(), form=form)
        if user is None:
            services.create_user(
                current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data or "", dealer_id=current_user.dealer_id,
                locale=form.locale.data)
        else:
            services.update_user(current_user, user, name=form.name.data, role=form.role.data,
                                 dealer_id=current_user.dealer_id, active=form.active.data,
                                 locale=form.locale.data)
        flash(_("Saved."), "success")
        return redirect(url_for("accounts.team"))
    return page()
