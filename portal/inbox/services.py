"""Bulk decisions from the inbox: the same services, scoping and audit as one decision at a time.

Each selected item is decided on its own, inside a savepoint: a refusal (not waiting for this user,
already decided, outside the user's regions, over the user's limit, …) rolls back that item only
and becomes its own result line; the others stand. Two managers deciding the same item at once:
the version check of the row (`version_id_col`) makes the second UPDATE fail (PostgreSQL), or the
second waits for the first's write lock and reads its decision (SQLite) — either way the second is
told that the item was already decided, and nothing of it is written twice. An extension request
has no version of its own: `deals.decide_extension` reads it again under a row lock, for a single
decision as for a bulk one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from portal.core.errors import DomainError, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.parse import to_id
from portal.deals import services as deals
from portal.extensions import db
from portal.inbox.queue import (
    BULK_KINDS,
    EXCEPTION,
    EXTENSION,
    KINDS,
    ORDER,
    REGISTRATION,
    awaiting_keys,
)
from portal.orders import services as orders
from portal.pricing import workflow

APPROVE, REJECT = "approve", "reject"
#: At most this many items per bulk request (a page of the inbox holds fewer).
MAX_ITEMS = 100


@dataclass
class Result:
    key: str
    kind: str | None
    number: str | None
    done: bool
    message: object


def parse_key(raw: str) -> tuple[str, int, int | None] | None:
    """`kind:id` or `exception:id:step` → (kind, id, step id), or None for anything else."""
    parts = str(raw or "")[:60].split(":")
    if len(parts) not in (2, 3) or parts[0] not in KINDS:
        return None
    ids = [to_id(p) for p in parts[1:]]
    if any(i is None for i in ids):
        return None
    if (parts[0] == EXCEPTION) != (len(ids) == 2):
        return None
    return parts[0], ids[0], ids[1] if len(ids) == 2 else None


def bulk_decide(actor, keys: list[str], action: str, reason: str = "") -> list[Result]:
    """Approve (registrations, extension requests, exception steps) / confirm (orders), or reject
    with `reason`, each of `keys`. Returns one result per key, in the order given; never commits."""
    reason = (reason or "").strip()
    if action not in (APPROVE, REJECT):
        raise ValidationError(_l("Choose approve or reject."),
                              {"action": _l("Choose approve or reject.")})
    if not keys:
        raise ValidationError(_l("Select at least one item."),
                              {"item": _l("Select at least one item.")})
    if len(keys) > MAX_ITEMS:
        raise ValidationError(_l("Decide at most %(n)d items at once.", n=MAX_ITEMS),
                              {"item": _l("Decide at most %(n)d items at once.", n=MAX_ITEMS)})
    if action == REJECT and not reason:
        raise ValidationError(_l("Give a reason for the rejection."),
                              {"reason": _l("Give a reason for the rejection.")})
    if len(reason) > 2000:
        raise ValidationError(_l("At most 2,000 characters."),
                              {"reason": _l("At most 2,000 characters.")})
    parsed_keys = [parse_key(str(raw or "")[:60]) for raw in keys]
    waiting = awaiting_keys(actor, [(p[0], p[1]) for p in parsed_keys if p])
    results, seen = [], set()
    for raw in keys:
        key = str(raw or "")[:60]
        if key in seen:
            continue
        seen.add(key)
        parsed = parse_key(key)
        item = waiting.get(key) if parsed else None
        if item is None:
            results.append(Result(key, parsed[0] if parsed else None, None, False,
                                  _l("This item does not await your decision.")))
            continue
        if item.kind not in BULK_KINDS:
            results.append(Result(key, item.kind, item.number, False,
                                  _l("Open it to decide: this kind needs reading.")))
            continue
        results.append(_decide_one(actor, item, action, reason))
    return results


def _decide_one(actor, item, action: str, reason: str) -> Result:
    decision = DECISIONS[item.kind]
    savepoint = db.session.begin_nested()
    try:
        obj = decision.load(actor, item)
        if action == APPROVE:
            decision.approve(actor, obj, item)
            message = decision.approved(obj)
        else:
            decision.reject(actor, obj, item, reason)
            message = decision.rejected
        db.session.flush()
        savepoint.commit()
        return Result(item.key, item.kind, item.number, True, message)
    except StaleDataError:
        savepoint.rollback()
        return Result(item.key, item.kind, item.number, False,
                      _l("Already decided by someone else."))
    except DomainError as exc:
        savepoint.rollback()
        return Result(item.key, item.kind, item.number, False, exc.message)
    except NotFound:  # left the user's scope since the inbox was read
        savepoint.rollback()
        return Result(item.key, item.kind, item.number, False,
                      _l("This item does not await your decision."))


@dataclass(frozen=True)
class Decision:
    """How one kind is decided in bulk, through its domain's services: `load(actor, item)` reads
    the object through the domain's scoped query (404 outside the user's scope), `approve` and
    `reject` decide it, `approved(obj)` and `rejected` say the result."""

    load: Callable
    approve: Callable
    reject: Callable
    approved: Callable
    rejected: object


def _exception_approved(exc):
    return _l("Approved.") if exc.status == "approved" else \
        _l("Approved; passed to the next approver.")


DECISIONS = {
    REGISTRATION: Decision(
        load=lambda actor, item: deals.get_deal_or_404(item.id, actor),
        approve=lambda actor, deal, _item: deals.approve_deal(actor, deal),
        reject=lambda actor, deal, _item, reason: deals.reject_deal(actor, deal, reason),
        approved=lambda _deal: _l("Approved."), rejected=_l("Rejected.")),
    EXTENSION: Decision(
        load=lambda actor, item: deals.get_deal_or_404(item.id, actor),
        approve=lambda actor, deal, _item: deals.decide_extension(actor, deal, True),
        reject=lambda actor, deal, _item, reason: deals.decide_extension(actor, deal, False, reason),
        approved=lambda _deal: _l("Approved."), rejected=_l("Rejected.")),
    ORDER: Decision(
        load=lambda actor, item: orders.get_order_or_404(item.id, actor),
        approve=lambda actor, order, _item: orders.confirm_order(actor, order),
        reject=lambda actor, order, _item, reason: orders.reject_order(actor, order, reason),
        approved=lambda _order: _l("Confirmed."), rejected=_l("Rejected.")),
    EXCEPTION: Decision(
        load=lambda actor, item: workflow.get_exception_or_404(item.id, actor),
        approve=lambda actor, exc, item: workflow.decide(actor, exc, step_id=item.step_id,
                                                         decision=APPROVE),
        reject=lambda actor, exc, item, reason: workflow.decide(
            actor, exc, step_id=item.step_id, decision=REJECT, comment=reason),
        approved=_exception_approved, rejected=_l("Rejected.")),
}
