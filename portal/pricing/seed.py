"""Demo price exceptions in every state (`flask seed demo`), on the deals seed's approved
registrations of D0001 and D0002. Sets `ctx["exceptions"]` (name → PriceException)."""
from __future__ import annotations

from datetime import timedelta

from portal.core import clock
from portal.extensions import db
from portal.pricing import workflow


def _request(user, deal, lines, *, submit=True, reason="竞争对手报价更低，客户预算有限"):
    raw = [{"index": i, "sku": sku, "quantity": str(qty), "price": price}
           for i, (sku, qty, price) in enumerate(lines)]
    exc = workflow.save_request(user, None, deal_id=deal.id, reason=reason, raw_lines=raw,
                                submit=submit)
    db.session.flush()
    return exc


def _decide(users, exc, decision="approve", comment="", until_role=None, **kw):
    """Decide steps in order; stop before the step of `until_role` (left pending)."""
    approvers = {"channel_manager": users["cm_north"] if exc.region_id == users["cm_north"].regions[0].id
                 else users["cm_east"], "sales_director": users["director"],
                 "finance": users["finance"]}
    while exc.status == "pending":
        step = workflow.current_step(exc)
        if step.role == until_role:
            return exc
        workflow.decide(approvers[step.role], exc, step_id=step.id, decision=decision,
                        comment=comment, **kw)
    return exc


def seed_demo(ctx: dict) -> None:
    deals = ctx.get("deals") or {}
    d1, d2 = deals.get("d1_approved"), deals.get("d2_approved")
    if d1 is None or d2 is None:
        return
    users = ctx["users"]
    # requests are made by the registration's creator's colleagues who may see it: the dealer
    # admin sees all its dealer's registrations (a salesperson only those it created)
    a1, a2 = users["dealer1_admin"], users["dealer2_admin"]
    s1 = users["dealer1_sales"] if d1.created_by_id == users["dealer1_sales"].id else a1
    out = {}
    # D0001 (platinum): an approved exception with quantity left, partly used by an order
    approved = _request(s1, d1, [("SRV-R740-G3", 20, "32500"), ("SVC-WTY-3Y", 20, "3900")],
                        reason="客户为省级医院，竞品报价低 6%")
    _decide(users, approved, comment="同意，注意交付周期")
    approved.lines[0].used_qty = 5
    out["approved"] = approved
    # pending at the director (the channel manager already approved)
    out["pending_director"] = _decide(
        users, _request(s1, d1, [("STO-S5500", 2, "125000"), ("STO-SSD-7T6", 24, "8200")],
                        reason="对手为友商全闪方案，客户要求三家比价"),
        comment="区域内战略客户，建议批准", until_role="sales_director")
    # pending at the channel manager
    out["pending"] = _request(a1, d1, [("NET-SW-S6520", 10, "27500")])
    out["draft"] = _request(s1, d1, [("SW-VIRT-ENT", 16, "13000")], submit=False)
    cancelled = _request(s1, d1, [("NET-FW-F1000", 2, "35000")])
    workflow.cancel(s1, cancelled)
    out["cancelled"] = cancelled
    # D0002 (gold): returned, rejected, expired
    out["returned"] = _decide(users, _request(a2, d2, [("SRV-R520-G3", 30, "20000")]),
                              "return", comment="请补充竞品报价单")
    out["rejected"] = _decide(users, _request(a2, d2, [("SW-HCI-NODE", 8, "24000")]),
                              "reject", comment="折扣超出区域授权，且无竞品依据")
    expired = _decide(users, _request(a2, d2, [("STO-S3200", 3, "52000")]), comment="同意")
    expired.valid_until = clock.today() - timedelta(days=1)
    db.session.flush()
    workflow.expire_due(clock.today())
    db.session.refresh(expired)
    out["expired"] = expired
    ctx["exceptions"] = out
