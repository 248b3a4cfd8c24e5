"""Matrix entries of the matcher's pages: possible-overlap notices and customer aliases.

Builds, after the deals module's objects, a possible overlap of dealer A's submitted registration
with the north key account (north region) and an alias of dealer A's customer.
"""
from __future__ import annotations

from portal.extensions import db
from tests.routes import Route, expect

DECIDERS = {"channel_manager", "sales_director", "admin"}


def build(w) -> None:
    from portal.conflicts.models import PossibleOverlap
    from portal.deals.models import CustomerAlias

    w.overlap = PossibleOverlap(region_id=w.north.id, other_region_id=w.north.id,
                                deal_id=w.deal_submitted.id, customer_id=w.customer_a.id,
                                other_customer_id=w.hq_customer.id,
                                evidence={"signals": ["trade_name_other_business"], "score": 0.4,
                                          "others": [w.lead.number]})
    w.alias = CustomerAlias(customer_id=w.customer_a.id, name="甲方客户", source="manual")
    db.session.add_all([w.overlap, w.alias])
    db.session.flush()


ROUTES = [
    Route("conflicts.overlap", lambda w: f"/conflicts/overlaps/{w.overlap.id}",
          expect(DECIDERS, other_region_cm=404)),
    Route("conflicts.overlap_decide", lambda w: f"/conflicts/overlaps/{w.overlap.id}/dismiss",
          expect(DECIDERS, ok=303, other_region_cm=404), method="POST", data={"reason": "不同公司"}),
    Route("conflicts.overlap_decide", lambda w: f"/conflicts/overlaps/{w.overlap.id}/escalate",
          expect(DECIDERS, ok=303, other_region_cm=404), method="POST", data={}),
    Route("deals.customer_alias_add", lambda w: f"/customers/{w.customer_a.id}/aliases",
          expect(DECIDERS, ok=303, other_region_cm=404), method="POST",
          data={"name": "甲方客户（北京）"}),
    Route("deals.customer_alias_remove",
          lambda w: f"/customers/{w.customer_a.id}/aliases/{w.alias.id}/remove",
          expect(DECIDERS, ok=303, other_region_cm=404), method="POST", data={}),
]
