"""`/notifications/` — the user's own notifications; mark read; open one (mark read, follow link)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.core.htmx import is_htmx, render_page
from portal.core.pagination import paginate
from portal.core.permissions import ALL_ROLES, roles_required
from portal.extensions import db
from portal.notifications import services
from portal.notifications.forms import MarkReadForm
from portal.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@roles_required(*ALL_ROLES)
def index():
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread"):
        stmt = stmt.where(Notification.read_at.is_(None))
    page = paginate(db.session, stmt.order_by(Notification.id.desc()))
    return render_page("notifications/index.html", block="results", page=page,
                       render=services.render)


@bp.route("/read", methods=["POST"])
@roles_required(*ALL_ROLES)
def mark_read():
    ids = MarkReadForm().ids()
    services.mark_read(current_user, ids)
    if is_htmx():
        return render_template("notifications/_badge.html", unread_count=0 if ids is None
                               else services.unread_count(current_user))
    return redirect(url_for("notifications.index"))


@bp.route("/<int:note_id>/open", methods=["POST"])
@roles_required(*ALL_ROLES)
def open_note(note_id: int):
    """Mark one of the user's own notifications read and go where it points (a portal path)."""
    note = db.session.scalar(select(Notification).where(Notification.id == note_id,
                                                        Notification.user_id == current_user.id))
    if note is None:
        abort(404)
    services.mark_read(current_user, [note.id])
    target = note.link if services.is_portal_path(note.link) else url_for("notifications.index")
    return redirect(target)
