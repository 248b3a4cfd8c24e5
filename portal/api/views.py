"""The account pages of the integration API: create and revoke tokens, read the API's
documentation. Blueprint `api` holds them and, as its child `api.v1`, the JSON endpoints
(`portal.api.endpoints`).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.api import services
from portal.api.endpoints import document, v1
from portal.api.forms import TokenForm
from portal.api.models import ApiToken
from portal.core.permissions import ALL_ROLES, roles_required
from portal.core.unit_of_work import on_invalid
from portal.extensions import db

bp = Blueprint("api", __name__)
bp.register_blueprint(v1)


# --- account pages: tokens and the documentation -------------------------------------------------

@bp.app_template_global()
def api_tokens_of(user) -> list[dict]:
    """The user's tokens for the account page, with their last use (noted or stored)."""
    pending = services.pending_use()
    return [{"token": t, "last_used": services.last_used(t, pending)}
            for t in services.tokens_of(user)]


@bp.route("/account/tokens", methods=["POST"])
@roles_required(*ALL_ROLES)
def create_token():
    def invalid(exc):
        flash(str(next(iter(exc.errors.values()), exc.message)), "error")
        return redirect(url_for("accounts.profile") + "#api-tokens"), 303

    on_invalid(invalid)
    token, secret = services.create_token(current_user, TokenForm().name.data)
    # Shown on this answer only: never put into the session cookie or a redirect.
    response = current_app.make_response(render_template("api/token_created.html", token=token,
                                                         secret=secret))
    response.headers["Cache-Control"] = "no-store"
    return response


def get_own_token_or_404(token_id: int) -> ApiToken:
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                     ApiToken.user_id == current_user.id))
    if token is None:
        abort(404)
    return token


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(*ALL_ROLES)
def revoke_token(token_id: int):
    token = get_own_token_or_404(token_id)
    services.revoke_token(current_user, token)
    flash(_("Token %(name)s revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("accounts.profile") + "#api-tokens")


@bp.route("/account/api")
@roles_required(*ALL_ROLES)
def docs():
    """The API's operations, listed from the generated OpenAPI document (no script, no CDN)."""
    doc = document()
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if current_user.role in op.get("x-roles", []):
                operations.append({"method": method.upper(), "path": path, "op": op})
    return render_template("api/docs.html", doc=doc, operations=operations,
                           schemas=doc["components"]["schemas"])
