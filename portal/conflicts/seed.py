"""Demo conflicts (`flask seed demo`), made through the real submission path so that detection,
evidence and notifications are what users will see: one dealer-vs-dealer case (D0002 registered
联想(北京)有限公司 first, D0001 then 北京联想科技有限公司, both servers) and one dealer-vs-rep case
on a key account (the north rep's lead on 国家电网, then D0001's registration: co-sell suggested)."""
from __future__ import annotations

from datetime import timedelta

from portal.core import clock
from portal.deals import services


def _line(ctx, code):
    lines = ctx.get("lines") or {}
    if code in lines:
        return lines[code]
    return next(iter(lines.values()))


def _register(user, name, line, project, uscc=None):
    deal = services.save_deal(user, None, {
        "project_name": project, "customer_id": "new", "customer_name": name,
        "customer_uscc": uscc or "", "customer_domain": "", "estimated_value": "880000",
        "expected_close_date": (clock.today() + timedelta(days=75)).isoformat(),
        "stage": "quoting", "competitors": "华为", "notes": ""},
        [{"line_id": str(line.id), "quantity": "6"}])
    services.submit_deal(user, deal)
    return deal


def seed_demo(ctx: dict) -> None:
    if not ctx.get("lines"):
        return
    users = ctx["users"]
    server = _line(ctx, "server")
    earlier = _register(users["dealer2_admin"], "联想(北京)有限公司", server, "联想总部服务器更新")
    later = _register(users["dealer1_sales"], "北京联想科技有限公司", server, "联想研发中心服务器扩容")
    grid = ctx["key_accounts"]["国家电网有限公司"]
    lead, _cases = services.create_lead(users["rep_north"], grid, "国网调度云平台", [server.id],
                                        estimated_value_fen=12_000_000_00)
    grid_deal = _register(users["dealer1_admin"], "国家电网有限公司", server, "国网华北分部服务器",
                          uscc=grid.uscc)
    ctx.setdefault("conflict_deals", {}).update(
        {"dealer_vs_dealer": (earlier, later), "dealer_vs_rep": (lead, grid_deal)})
