"""`/inbox/` — everything awaiting this head-office user's decision, and bulk decisions on it."""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import Region
from portal.core import clock
from portal.core.htmx import render_page
from portal.core.money import MoneyError, parse_yuan
from portal.core.pagination import COUNT_PAGES_AHEAD, Page, page_number
from portal.core.parse import plain, to_id
from portal.core.permissions import roles_required, sees_all_regions
from portal.core.unit_of_work import on_invalid
from portal.extensions import db
from portal.inbox import services
from portal.inbox.forms import BulkDecisionForm
from portal.inbox.queue import INBOX_ROLES, KINDS, count, first_due

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
PER_PAGE = 25


_COUNT = "portal.inbox.count"


def inbox_count() -> int:
    """The navigation's count of items awaiting the user: one COUNT per request (the inbox page
    reads it with its own figures)."""
    user = current_user
    if not user.is_authenticated or user.role not in INBOX_ROLES:
        return 0
    env = request.environ  # with the request: an app context, and its `g`, outlive it in tests
    if _COUNT not in env:
        env[_COUNT] = count(user)
    return env[_COUNT]


@bp.app_context_processor
def _navigation_count():
    return {"inbox_count": inbox_count}


def _filters(args) -> tuple[dict, dict]:
    """The filters of the query string, and the errors of those that cannot be read."""
    errors, f = {}, {}
    kind = args.get("kind") or ""
    f["kind"] = kind if kind in KINDS else ""
    f["dealer"] = plain(args.get("dealer"))[:60]
    f["region"] = to_id(args.get("region"))
    for name in ("min", "max"):
        raw = plain(args.get(name))
        f[name] = None
        if raw:
            try:
                f[name] = parse_yuan(raw)
            except MoneyError:
                errors[name] = _("Enter an amount in yuan, e.g. 100000.")
    return f, errors


def _regions(user) -> list[tuple[int, str]]:
    from flask_babel import get_locale
    from sqlalchemy import select


    stmt = select(Region).order_by(Region.code)
    if not sees_all_regions(user):
        stmt = stmt.where(Region.id.in_(user.region_ids))
    english = get_locale().language == "en"
    return [(r.id, r.name_en if english else r.name_zh) for r in db.session.scalars(stmt)]


def _render(results=None, errors=None, status=200, reason=""):
    f, filter_errors = _filters(request.args)
    errors = {**filter_errors, **(errors or {})}
    number = page_number()
    upto = number * PER_PAGE
    # counted as the other lists count: at most COUNT_PAGES_AHEAD pages beyond this one
    cap = upto + COUNT_PAGES_AHEAD * PER_PAGE
    shown, total = count(current_user, f, upto=cap + 1)
    request.environ[_COUNT] = total
    items = first_due(current_user, f, upto, upto - PER_PAGE, matching=shown) \
        if (number - 1) * PER_PAGE < shown else []
    page = Page(items=items, page=number, per_page=PER_PAGE,
                total=min(shown, cap), exact=shown <= cap)
    body = render_page("inbox/index.html", block="results",
                       page=page, filters=f, kinds=KINDS, regions=_regions(current_user),
                       errors=errors, results=results, now=clock.now(), reason=reason,
                       total=total or 0)
    return body, 422 if filter_errors else status


@bp.route("/")
@roles_required(*INBOX_ROLES)
def index():
    return _render()


@bp.route("/bulk", methods=["POST"])
@roles_required(*INBOX_ROLES)
def bulk():
    form = BulkDecisionForm()
    reason = form.reason.data or ""
    on_invalid(lambda exc: _render(results=[], errors={"bulk": exc.message, **exc.errors},
                                   status=422, reason=reason[:2000]))
    results = services.bulk_decide(current_user, form.item.data or [], form.action.data or "", reason)
    return _render(results=results)
