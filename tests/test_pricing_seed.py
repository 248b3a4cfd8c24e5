"""The demo catalogue and exceptions load, with exceptions in every state."""
from __future__ import annotations

from portal.core import clock
from portal.pricing.services import price_for


def test_demo_catalogue_and_exceptions(db):
    from portal.catalog import seed as catalog_seed
    from portal.pricing import seed as pricing_seed
    from portal.seed import accounts
    from tests.routes.pricing import make_deal

    ctx: dict = {}
    accounts.seed_demo(ctx)
    db.session.flush()
    catalog_seed.seed_demo(ctx)
    assert len(ctx["products"]) == 60 and set(ctx["lines"]) == {"server", "storage", "network",
                                                                "software", "service"}
    d1, d2 = ctx["dealers"]["D0001"], ctx["dealers"]["D0002"]
    users = ctx["users"]
    if "deals" not in ctx:   # the deals seed's keys, when it is not installed
        ctx["deals"] = {"d1_approved": make_deal(d1, users["dealer1_sales"], value_fen=90_000_000),
                        "d2_approved": make_deal(d2, users["dealer2_admin"], name="上海示例客户有限公司")}
    pricing_seed.seed_demo(ctx)
    ex = ctx["exceptions"]
    assert {e.status for e in ex.values()} == {"approved", "pending", "draft", "cancelled",
                                              "returned", "rejected", "expired"}
    assert ex["pending_director"].current_role == "sales_director"
    q = price_for(d1, ctx["products"]["SRV-R740-G3"], clock.today(), deal=ctx["deals"]["d1_approved"])
    assert (q.source, q.unit_price_fen, q.remaining_qty) == ("exception", 3_250_000, 15)
    # ¥9,999.99 edge server at platinum 25% → ¥7,499.99
    assert price_for(d1, ctx["products"]["SRV-EDGE-E10"], clock.today()).net_price_fen == 749_999
