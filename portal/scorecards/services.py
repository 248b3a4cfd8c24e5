"""Targets, scoring policy, tier changes, and who sees which dealer's scorecard (DESIGN §3.8).

Services take the acting user, validate, change state, flush and write the audit entry; they never
commit. Scope: a dealer admin sees its own dealer; a channel manager the dealers of its regions;
the director, finance and admin every dealer. Another dealer's code answers 404, as does a dealer
outside a channel manager's regions.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal.accounts.models import Dealer, Tier
from portal.catalog.models import ProductLine
from portal.core import audit
from portal.core.capabilities import can, roles_of
from portal.core.errors import PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.importer import (
    CellError,
    Field,
    ImportSpec,
    RowError,
    import_rows,
    integer,
    money,
    text,
)
from portal.core.permissions import Role, is_dealer, sees_all_regions
from portal.extensions import db
from portal.scorecards import scoring
from portal.scorecards.kpis import MAX_YEAR, MIN_YEAR
from portal.scorecards.models import SalesTarget, ScorecardPolicy

#: Roles that see the scorecard pages, and those that set targets.
VIEWERS = roles_of("scorecard.view")
TARGET_SETTERS = roles_of("target.edit")
MAX_TARGET_FEN = 2_000_000_000  # ¥20,000,000 a quarter: the integer column's safe range


# --- scope ---------------------------------------------------------------------------------------

def dealers_query(actor):
    """The dealers whose scorecards `actor` may see."""
    stmt = select(Dealer)
    if is_dealer(actor):
        return stmt.where(Dealer.id == actor.dealer_id) if actor.role == Role.DEALER_ADMIN \
            else stmt.where(False)
    if actor.role not in VIEWERS:
        return stmt.where(False)
    if sees_all_regions(actor):
        return stmt
    return stmt.where(Dealer.region_id.in_(actor.region_ids))


def get_dealer_or_404(code: str, actor) -> Dealer:
    if not isinstance(code, str) or not 1 <= len(code) <= 20:
        abort(404)
    dealer = db.session.scalar(dealers_query(actor).where(Dealer.code == code))
    if dealer is None:
        abort(404)
    return dealer


def _may_set_targets(actor, dealer: Dealer) -> bool:
    return can(actor, "target.edit", dealer)


# --- targets -------------------------------------------------------------------------------------

def set_target(actor, dealer: Dealer, *, year: int, quarter: int, line_id: int | None,
               target_fen: int | None) -> SalesTarget | None:
    """Set (or, with no amount, remove) one quarter's target of a dealer; audited."""
    if not _may_set_targets(actor, dealer):
        raise PermissionDenied(_l("You may not set targets for this dealer."))
    errors = {}
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _l("A year from %(a)d to %(b)d.", a=MIN_YEAR, b=MAX_YEAR)
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = _l("Choose a quarter.")
    if line_id is not None and db.session.get(ProductLine, line_id) is None:
        errors["line_id"] = _l("Choose a product line.")
    if target_fen is not None and not 0 < target_fen <= MAX_TARGET_FEN:
        errors["target"] = _l("An amount above ¥0 and at most ¥20,000,000.")
    if errors:
        raise ValidationError(_l("The target was not saved."), errors)
    row = db.session.scalar(select(SalesTarget).where(
        SalesTarget.dealer_id == dealer.id, SalesTarget.year == year,
        SalesTarget.quarter == quarter,
        SalesTarget.line_id.is_(None) if line_id is None else SalesTarget.line_id == line_id))
    before = {"target_fen": row.target_fen} if row is not None else None
    if target_fen is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        row = SalesTarget(dealer_id=dealer.id, year=year, quarter=quarter, line_id=line_id,
                          target_fen=target_fen, updated_by_id=actor.id)
        db.session.add(row)
    else:
        row.target_fen, row.updated_by_id = target_fen, actor.id
    db.session.flush()
    audit.record(actor, "sales_target.set", object_type="dealer", object_id=dealer.id,
                 dealer_id=dealer.id, before=before,
                 after={"year": year, "quarter": quarter, "line_id": line_id,
                        "target_fen": target_fen})
    return row if target_fen is not None else None


def target_spec(actor) -> ImportSpec:
    dealers = dict(db.session.execute(select(Dealer.code, Dealer.id)).all())
    regions = dict(db.session.execute(select(Dealer.id, Dealer.region_id)).all())
    lines = {}
    for line in db.session.scalars(select(ProductLine)):
        for name in (line.code, line.name_zh, line.name_en):
            lines[name.casefold()] = line.id

    def dealer(value: str) -> int:
        found = dealers.get(value.upper())
        if found is None or not (sees_all_regions(actor) or regions[found] in actor.region_ids):
            raise CellError(_l("Unknown dealer code “%(code)s”.", code=value))
        return found

    def line(value: str) -> int | None:
        if not value:
            return None
        found = lines.get(value.casefold())
        if found is None:
            raise CellError(_l("Unknown product line “%(value)s”.", value=value))
        return found

    def check_unique(rows, spec=None):
        seen, errors = {}, []
        for row in rows:
            v = row.values
            key = (v["dealer"], v["year"], v["quarter"], v["line"])
            if key in seen:
                errors.append(RowError(row.number, str(_l("Dealer code")), _l(
                    "The same dealer, quarter and product line as row %(row)d.", row=seen[key])))
            seen.setdefault(key, row.number)
        return errors

    return ImportSpec(
        fields=[Field("dealer", _l("Dealer code"), lambda v: dealer(text(20)(v)),
                      aliases=("经销商编号", "经销商编码", "dealer_code", "code")),
                Field("year", _l("Year"), integer(MIN_YEAR, MAX_YEAR), aliases=("年度", "年")),
                Field("quarter", _l("Quarter"), integer(1, 4), aliases=("季度",)),
                Field("line", _l("Product line"), line, required=False, default=None,
                      aliases=("产品线", "line_code")),
                Field("target", _l("Target"), money(minimum_fen=1, maximum_fen=MAX_TARGET_FEN),
                      aliases=("目标", "销售目标", "target_yuan"))],
        checks=[check_unique], max_rows=20_000)


TARGET_EXAMPLES = [["D0001", 2026, 1, "", "1500000.00"], ["D0001", 2026, 1, "storage", "300000.00"]]


def import_targets(actor, upload) -> tuple[int, int]:
    """Create or update targets from a file; (created, updated). All or nothing, audited."""
    if actor.role not in TARGET_SETTERS:
        raise PermissionDenied(_l("You may not set targets."))
    rows = import_rows(target_spec(actor), upload)
    dealer_ids = {r.values["dealer"] for r in rows}
    existing = {(t.dealer_id, t.year, t.quarter, t.line_id): t for t in db.session.scalars(
        select(SalesTarget).where(SalesTarget.dealer_id.in_(dealer_ids)))}
    created = updated = 0
    for row in rows:
        v = row.values
        key = (v["dealer"], v["year"], v["quarter"], v["line"])
        target = existing.get(key)
        if target is None:
            db.session.add(SalesTarget(dealer_id=v["dealer"], year=v["year"], quarter=v["quarter"],
                                       line_id=v["line"], target_fen=v["target"],
                                       updated_by_id=actor.id))
            created += 1
        else:
            target.target_fen, target.updated_by_id = v["target"], actor.id
            updated += 1
    db.session.flush()
    audit.record(actor, "sales_target.imported", object_type="sales_target",
                 after={"created": created, "updated": updated, "rows": len(rows)})
    return created, updated


# --- policy --------------------------------------------------------------------------------------

def policy() -> tuple[dict, dict]:
    """(weights, thresholds) in force: admin's row, else the defaults."""
    row = db.session.get(ScorecardPolicy, 1)
    if row is None:
        return dict(scoring.DEFAULT_WEIGHTS), dict(scoring.DEFAULT_THRESHOLDS)
    return ({**scoring.DEFAULT_WEIGHTS, **row.weights},
            {**scoring.DEFAULT_THRESHOLDS, **row.thresholds})


def save_policy(actor, weights: dict, thresholds: dict) -> ScorecardPolicy:
    if not can(actor, "scorecard.policy"):
        raise PermissionDenied(_l("Only an administrator changes the scoring policy."))
    try:
        scoring.check_policy(weights, thresholds)
    except scoring.PolicyError as exc:
        raise ValidationError(_l("The scoring policy was not saved."), exc.errors) from exc
    before_w, before_t = policy()
    row = db.session.get(ScorecardPolicy, 1)
    if row is None:
        row = ScorecardPolicy(id=1, weights={}, thresholds={})
        db.session.add(row)
    row.weights = {k: weights[k] for k in scoring.WEIGHTED}
    row.thresholds = {k: thresholds[k] for k in (scoring.PROMOTE, scoring.KEEP, scoring.WATCH)}
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "scorecard_policy.changed", row,
                 before={"weights": before_w, "thresholds": before_t},
                 after={"weights": row.weights, "thresholds": row.thresholds})
    return row


# --- tier change ---------------------------------------------------------------------------------

def change_tier(actor, dealer: Dealer, tier: str, reason: str) -> Dealer:
    """Admin moves a dealer to another tier, with a reason; audited. The scorecard only advises."""
    if not can(actor, "scorecard.policy"):
        raise PermissionDenied(_l("Only an administrator changes a dealer's tier."))
    errors = {}
    if tier not in {t.value for t in Tier}:
        errors["tier"] = _l("Choose a tier.")
    elif tier == dealer.tier:
        errors["tier"] = _l("The dealer is already in this tier.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _l("Say why the tier changes.")
    elif len(reason) > 1000:
        errors["reason"] = _l("At most 1,000 characters.")
    if errors:
        raise ValidationError(_l("The tier was not changed."), errors)
    before = dealer.tier
    dealer.tier = tier
    db.session.flush()
    audit.record(actor, "dealer.tier_changed", dealer, dealer_id=dealer.id,
                 before={"tier": before}, after={"tier": tier}, comment=reason)
    return dealer
