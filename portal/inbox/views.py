"""`/inbox/` — everything awaiting this head-office user's decision, and bulk decisions on it."""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import clock
from portal.core.errors import ValidationError
from portal.core.htmx import render_page
from portal.core.money import MoneyError, parse_yuan
from portal.core.pagination import Page, page_number
from portal.core.parse import plain, to_id
from portal.core.permissions import roles_required
from portal.extensions import db
from portal.inbox import services
from portal.inbox.queue import INBOX_ROLES, KINDS, awaiting, count_statement

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
PER_PAGE = 25


_ITEMS, _COUNT = "portal.inbox.items", "portal.inbox.count"


def waiting_items(user) -> list:
    """The items awaiting `user`, read once per request (the page and its navigation count;
    kept with the request, as an app context, and its `g`, may outlive one in tests)."""
    if _ITEMS not in request.environ:
        request.environ[_ITEMS] = awaiting(user)
    return request.environ[_ITEMS]


def inbox_count() -> int:
    """The navigation's count: the items already read on this request, else one COUNT query."""
    user = current_user
    if not user.is_authenticated or user.role not in INBOX_ROLES:
        return 0
    env = request.environ
    if _ITEMS in env:
        return len(env[_ITEMS])
    if _COUNT not in env:
        from sqlalchemy import select

        env[_COUNT] = db.session.scalar(select(count_statement(user))) or 0
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


def _matches(item, f) -> bool:
    if f["kind"] and item.kind != f["kind"]:
        return False
    if f["dealer"]:
        needle = f["dealer"].casefold()
        if needle not in (item.dealer_code or "").casefold() and \
                needle not in (item.dealer_name or "").casefold():
            return False
    if f["region"] and item.region_id != f["region"]:
        return False
    if f["min"] is not None and (item.value_fen is None or item.value_fen < f["min"]):
        return False
    return not (f["max"] is not None and (item.value_fen is None or item.value_fen > f["max"]))


def _page(items, f) -> Page:
    shown = [i for i in items if _matches(i, f)]
    page = page_number()
    start = (page - 1) * PER_PAGE
    return Page(items=shown[start:start + PER_PAGE], page=page, per_page=PER_PAGE, total=len(shown))


def _render(results=None, errors=None, status=200, reason=""):
    items = waiting_items(current_user)
    f, filter_errors = _filters(request.args)
    errors = {**filter_errors, **(errors or {})}
    from flask_babel import get_locale

    english = get_locale().language == "en"
    regions = sorted({(i.region_id, i.region_en if english else i.region_zh)
                      for i in items if i.region_id}, key=lambda r: r[1] or "")
    body = render_page("inbox/index.html", block="results",
                       page=_page(items, f), filters=f, kinds=KINDS, regions=regions,
                       errors=errors, results=results, now=clock.now(), reason=reason,
                       total=len(items))
    return body, 422 if filter_errors else status


@bp.route("/")
@roles_required(*INBOX_ROLES)
def index():
    return _render()


@bp.route("/bulk", methods=["POST"])
@roles_required(*INBOX_ROLES)
def bulk():
    keys = request.form.getlist("item")
    action = request.form.get("action", "")
    reason = request.form.get("reason", "")
    try:
        results = services.bulk_decide(current_user, keys, action, reason)
    except ValidationError as exc:
        db.session.rollback()
        return _render(results=[], errors={"bulk": exc.message, **exc.errors}, status=422,
                       reason=reason[:2000])
    db.session.commit()
    request.environ.pop(_ITEMS, None)  # read again: the decided items have left the inbox
    return _render(results=results)
