"""`/` — the role dashboard; `/healthz` — database (and Redis) check for load balancers."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from portal.core.cache import per_app
from portal.core.permissions import ALL_ROLES, roles_required
from portal.extensions import db
from portal.main.dashboard import widgets_for

bp = Blueprint("main", __name__)


@bp.route("/")
@roles_required(*ALL_ROLES)
def dashboard():
    return render_template("main/dashboard.html", widgets=widgets_for(current_user))


@bp.route("/healthz")
def healthz():
    checks, status = {}, 200
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # the point is to report it, whatever it is
        checks["database"] = f"error: {type(exc).__name__}"
        status = 503
    if current_app.config.get("REDIS_URL"):
        try:
            _redis().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
            status = 503
    return jsonify(status="ok" if status == 200 else "error", checks=checks), status


def _redis():
    """One client (and its connection pool) per app: a health check every few seconds from each
    load balancer should not open a new connection each time."""
    clients = per_app("health")
    if "redis" not in clients:
        import redis

        clients["redis"] = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2,
                                                socket_connect_timeout=2)
    return clients["redis"]
