"""The approval matrix (审批矩阵): which approvers, in which order, a price exception needs.

A row (`ApprovalRule`) matches by the request's deepest extra depth and the deal's value; a line
below the floor price adds the sales director.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.core import audit
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import Role
from portal.extensions import db
from portal.pricing.models import ApprovalRule

APPROVER_ROLES = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.FINANCE)


# --- routing -------------------------------------------------------------------------------------

def rules() -> list[ApprovalRule]:
    return list(db.session.scalars(select(ApprovalRule).order_by(ApprovalRule.level)))


def route_for(max_depth_bp: int, deal_value_fen: int, below_floor: bool) -> tuple[list[str], int]:
    """(approver roles in order, target business days per step) from the approval matrix.

    The matching rule with the highest level wins; below the floor the sales director is added
    (after the channel manager) when the rule does not already include it.
    """
    chosen = None
    for rule in rules():
        by_depth = max_depth_bp > rule.depth_above_bp
        by_value = rule.value_from_fen is not None and deal_value_fen >= rule.value_from_fen
        if by_depth or by_value:
            chosen = rule
    approvers = list(chosen.approvers) if chosen else [Role.CHANNEL_MANAGER.value]
    days = chosen.target_business_days if chosen else 1
    if below_floor and Role.SALES_DIRECTOR.value not in approvers:
        at = approvers.index(Role.CHANNEL_MANAGER.value) + 1 \
            if Role.CHANNEL_MANAGER.value in approvers else 0
        approvers.insert(at, Role.SALES_DIRECTOR.value)
    return approvers, days


def save_rules(actor, rows: list[dict]) -> None:
    """Replace the approval matrix. Each row: level, depth_above_bp, value_from_fen, approvers,
    target_business_days. Validated as a whole."""
    errors = {}
    levels = set()
    valid_roles = {r.value for r in APPROVER_ROLES}
    for i, row in enumerate(rows):
        if row["level"] in levels:
            errors[f"level-{i}"] = _l("Each level may appear once.")
        levels.add(row["level"])
        if not row["approvers"] or any(r not in valid_roles for r in row["approvers"]):
            errors[f"approvers-{i}"] = _l("Choose the approvers in order.")
        elif len(set(row["approvers"])) != len(row["approvers"]):
            errors[f"approvers-{i}"] = _l("An approver role may appear once per rule.")
        if not 1 <= row["target_business_days"] <= 30:
            errors[f"days-{i}"] = _l("Enter 1 to 30 business days.")
        if row["depth_above_bp"] < -1 or row["depth_above_bp"] >= 10_000:
            errors[f"depth-{i}"] = _l("Enter a depth from 0 to 99.99 percentage points.")
    if not rows:
        errors["rules"] = _l("Keep at least one rule.")
    if errors:
        raise ValidationError(_l("Please correct the marked fields."), errors)
    before = [_rule_dict(r) for r in rules()]
    db.session.execute(ApprovalRule.__table__.delete())
    db.session.add_all(ApprovalRule(**row) for row in rows)
    db.session.flush()
    audit.record(actor, "approval_rule.changed", object_type="approval_rule",
                 before={"rules": before}, after={"rules": [_rule_dict(r) for r in rules()]})


def _rule_dict(rule: ApprovalRule) -> dict:
    return {"level": rule.level, "depth_above_bp": rule.depth_above_bp,
            "value_from_fen": rule.value_from_fen, "approvers": list(rule.approvers),
            "target_business_days": rule.target_business_days}
