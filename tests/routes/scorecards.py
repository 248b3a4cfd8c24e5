"""Matrix entries of the scorecards: dealer A's scorecard, targets, the policy, the tier change.

`build(world)` sets dealer A's target for the current quarter.
"""
from __future__ import annotations

from portal.core import clock
from portal.extensions import db
from tests.routes import CHANGED, Route, expect

VIEWERS = {"dealer_admin", "other_dealer", "channel_manager", "other_region_cm", "sales_director",
           "finance", "admin"}
SETTERS = {"channel_manager", "other_region_cm", "sales_director", "admin"}
#: Dealer A's scorecard: another dealer and the other region's manager get 404.
OUT_OF_SCOPE = {"other_dealer": 404, "other_region_cm": 404}


def build(world) -> None:
    from portal.scorecards.kpis import quarter_of
    from portal.scorecards.models import SalesTarget

    today = clock.today()
    world.sales_target = SalesTarget(dealer_id=world.dealer_a.id, year=today.year,
                                     quarter=quarter_of(today), target_fen=100_000_000)
    db.session.add(world.sales_target)
    db.session.flush()


def _target_data(w):
    today = clock.today()
    return {"year": str(today.year), "quarter": "1", "target": "120000"}


ROUTES = [
    Route("scorecards.index", "/scorecards/", expect(VIEWERS)),
    Route("scorecards.index", "/scorecards/?format=xlsx&sort=-sales", expect(VIEWERS)),
    Route("scorecards.detail", lambda w: f"/scorecards/{w.dealer_a.code}",
          expect(VIEWERS, **OUT_OF_SCOPE)),
    Route("scorecards.detail", lambda w: f"/scorecards/{w.dealer_a.code}?format=xlsx",
          expect(VIEWERS, **OUT_OF_SCOPE)),
    Route("scorecards.detail_pdf", lambda w: f"/scorecards/{w.dealer_a.code}.pdf",
          expect(VIEWERS, **OUT_OF_SCOPE)),
    Route("scorecards.dealer_targets", lambda w: f"/scorecards/{w.dealer_a.code}/targets",
          expect(SETTERS, other_region_cm=404)),
    Route("scorecards.dealer_targets", lambda w: f"/scorecards/{w.dealer_a.code}/targets",
          expect(SETTERS, ok=CHANGED, other_region_cm=404), method="POST", data=_target_data),
    Route("scorecards.targets", "/scorecards/targets/", expect(SETTERS)),
    Route("scorecards.targets", "/scorecards/targets/", expect(SETTERS, ok=CHANGED),
          method="POST", data={}),
    Route("scorecards.targets_template", "/scorecards/targets/template.xlsx", expect(SETTERS)),
    Route("scorecards.policy", "/scorecards/policy", expect({"admin"})),
    Route("scorecards.policy", "/scorecards/policy", expect({"admin"}, ok=CHANGED),
          method="POST", data={"threshold_promote": "90"}),
    Route("scorecards.change_tier", lambda w: f"/scorecards/{w.dealer_a.code}/tier",
          expect({"admin"}, ok=CHANGED), method="POST", data={"tier": "gold", "reason": "年度评审"}),
]
