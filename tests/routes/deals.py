"""Matrix entries of deal registration, customers, direct leads and the conflict desk.

`build(world)` gives dealer A (north) a customer and registrations in useful states (draft,
submitted, approved), the north rep a head-office key account with a lead, and an open conflict
case in the north region between that lead and a held registration of dealer A.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from tests.routes import CHANGED, DEALERS, EVERYONE, Route, expect

HQ_ALL = {"sales_rep", "channel_manager", "other_region_cm", "sales_director", "finance", "admin"}
MANAGERS = {"channel_manager", "other_region_cm", "sales_director", "admin"}
DESK = {"sales_rep", "channel_manager", "other_region_cm", "sales_director", "admin"}
CUSTOMER_ROLES = EVERYONE - {"finance"}


def product_lines():
    """Two product lines for the tests: the ones already there, else two of our own."""
    from portal.catalog.models import ProductLine

    lines = list(db.session.scalars(select(ProductLine).order_by(ProductLine.id).limit(2)))
    if len(lines) < 2:
        lines = [ProductLine(code="T-SRV", name_zh="服务器", name_en="Servers", sort=1),
                 ProductLine(code="T-STO", name_zh="存储", name_en="Storage", sort=2)]
        db.session.add_all(lines)
        db.session.flush()
    return lines


def make_customer(owner_dealer=None, name="北京示例科技有限公司", region=None, **kw):
    from portal.deals.models import Customer
    from portal.deals.services import refresh_keys

    c = Customer(dealer_id=owner_dealer.id if owner_dealer else None, name=name,
                 region_id=region.id if region else (owner_dealer.region_id if owner_dealer else None),
                 **kw)
    db.session.add(c)
    db.session.flush()
    refresh_keys(c)
    return c


def make_deal(dealer, user, customer, line, status="draft", number=None, **kw):
    from portal.deals.models import DealLine, DealRegistration

    today = clock.today()
    d = DealRegistration(dealer_id=dealer.id, created_by_id=user.id, customer_id=customer.id,
                         region_id=dealer.region_id, project_name=kw.pop("project_name", "数据中心扩容"),
                         estimated_value_fen=kw.pop("estimated_value_fen", 120_000_000),
                         expected_close_date=today + timedelta(days=60), status=status, **kw)
    d.lines = [DealLine(line_id=line.id, quantity=10)]
    if status != "draft":
        d.submitted_at = d.submitted_at or clock.now()
    if status == "approved":
        d.approved_at = clock.now()
        d.protected_until = today + timedelta(days=90)
    db.session.add(d)
    db.session.flush()
    d.number = number or f"R{today.year}-{d.id:05d}"
    db.session.flush()
    return d


def make_lead(rep, customer, line, region, status="submitted"):
    from portal.deals.models import DirectLead, LeadLine

    lead = DirectLead(rep_id=rep.id, customer_id=customer.id, region_id=region.id,
                      project_name="总部私有云", status=status, submitted_at=clock.now())
    lead.lines = [LeadLine(line_id=line.id)]
    db.session.add(lead)
    db.session.flush()
    lead.number = f"L{clock.today().year}-{lead.id:05d}"
    return lead


def build(w) -> None:
    from portal.conflicts.models import ConflictCase

    w.lines = product_lines()
    server = w.lines[0]
    w.customer_a = make_customer(w.dealer_a, "北京甲方客户信息技术有限公司", uscc=None)
    w.deal_draft = make_deal(w.dealer_a, w.dealer_sales, w.customer_a, server)
    w.deal_submitted = make_deal(w.dealer_a, w.dealer_sales, w.customer_a, server, "submitted")
    w.deal_approved = make_deal(w.dealer_a, w.dealer_sales, w.customer_a, server, "approved")
    w.hq_customer = make_customer(None, "中国北方电网有限公司", region=w.north, key_account=True,
                                  owner_rep_id=w.sales_rep.id)
    w.lead = make_lead(w.sales_rep, w.hq_customer, server, w.north, status="submitted")
    w.deal_held = make_deal(w.dealer_a, w.dealer_sales, w.hq_customer, server, "in_conflict")
    case = ConflictCase(status="open", region_id=w.north.id, other_region_id=w.north.id,
                        first_lead_id=w.lead.id, second_deal_id=w.deal_held.id,
                        evidence={"signals": ["same customer record"], "score": 1.0},
                        suggestion="co_sell", opened_at=clock.now())
    db.session.add(case)
    db.session.flush()
    case.number = f"C{clock.today().year}-{case.id:05d}"
    w.case = case


def _new_deal_data(w):
    return {"project_name": "矩阵测试项目", "customer_id": "new", "customer_name": "矩阵客户有限公司",
            "line_0": str(w.lines[0].id), "qty_0": "2", "estimated_value": "100000",
            "expected_close_date": (clock.today() + timedelta(days=30)).isoformat(),
            "stage": "qualifying", "action": "save"}


def _dealer_object(ok):
    """Dealer A's object: its users `ok`, dealer B 404, head office as given by the caller."""
    return {"dealer_admin": ok, "dealer_sales": ok, "other_dealer": 404}


ROUTES = [
    Route("deals.index", "/deals/", expect(EVERYONE)),
    Route("deals.queue", "/deals/queue", expect({"channel_manager", "other_region_cm",
                                                  "sales_director", "admin"})),
    Route("deals.new", "/deals/new", expect(DEALERS)),
    Route("deals.new", "/deals/new", expect(DEALERS, ok=302), method="POST", data=_new_deal_data),
    Route("deals.edit", lambda w: f"/deals/{w.deal_draft.id}/edit",
          expect({"dealer_admin", "dealer_sales"}, other_dealer=404)),
    Route("deals.detail", lambda w: f"/deals/{w.deal_approved.id}",
          expect({"dealer_admin", "dealer_sales", "channel_manager", "sales_director", "finance",
                  "admin"}, other_dealer=404, sales_rep=404, other_region_cm=404)),
    Route("deals.submit", lambda w: f"/deals/{w.deal_draft.id}/submit",
          expect({"dealer_admin", "dealer_sales"}, ok=302, other_dealer=404), method="POST",
          data={}),
    Route("deals.decide", lambda w: f"/deals/{w.deal_submitted.id}/decide",
          expect({"channel_manager", "sales_director", "admin"}, ok=302, other_region_cm=404),
          method="POST", data={"action": "approve"}),
    Route("deals.extension", lambda w: f"/deals/{w.deal_approved.id}/extension",
          expect({"dealer_admin", "dealer_sales", "channel_manager", "sales_director", "admin"},
                 ok=CHANGED, other_dealer=404, other_region_cm=404),
          method="POST", data={"reason": "客户预算推迟到下季度"}),
    Route("deals.close", lambda w: f"/deals/{w.deal_approved.id}/close",
          expect({"dealer_admin", "dealer_sales"}, ok=302, other_dealer=404), method="POST",
          data={"outcome": "lost"}),
    Route("deals.customers", "/customers/", expect(CUSTOMER_ROLES)),
    Route("deals.customer_search", "/customers/search?customer_q=%E5%8C%97%E4%BA%AC", expect(DEALERS)),
    Route("deals.customer", "/customers/new", expect(CUSTOMER_ROLES)),
    Route("deals.customer", lambda w: f"/customers/{w.customer_a.id}",
          expect(CUSTOMER_ROLES, other_dealer=404, other_region_cm=404)),
    Route("deals.customer", lambda w: f"/customers/{w.customer_a.id}",
          expect({"dealer_admin", "dealer_sales"}, ok=302, other_dealer=404, other_region_cm=404),
          method="POST", data={"name": "北京甲方客户信息技术有限公司", "city": "北京"}),
    Route("deals.customer_link", lambda w: f"/customers/{w.customer_a.id}/links",
          expect({"channel_manager", "sales_director", "admin"}, ok=302, other_region_cm=404),
          method="POST", data=lambda w: {"other_id": str(w.hq_customer.id), "action": "link"}),
    Route("deals.leads", "/leads/", expect(DESK)),
    Route("deals.lead_new", "/leads/new", expect({"sales_rep"})),
    Route("deals.lead_new", "/leads/new", expect({"sales_rep"}, ok=302), method="POST",
          data=lambda w: {"project_name": "直销项目", "customer_id": str(w.hq_customer.id),
                          "line_ids": str(w.lines[1].id)}),
    Route("deals.lead", lambda w: f"/leads/{w.lead.id}", expect(DESK, other_region_cm=404)),
    Route("deals.lead_close", lambda w: f"/leads/{w.lead.id}/close",
          expect({"sales_rep", "sales_director", "admin"}, ok=302), method="POST", data={}),
    Route("conflicts.index", "/conflicts/", expect(DESK)),
    Route("conflicts.detail", lambda w: f"/conflicts/{w.case.id}", expect(DESK, other_region_cm=404)),
    Route("conflicts.decide", lambda w: f"/conflicts/{w.case.id}/decide",
          expect({"channel_manager", "sales_director", "admin"}, ok=302, other_region_cm=404),
          method="POST", data={"decision": "co_sell", "reason": "大客户：直销协助经销商"}),
    Route("conflicts.take", lambda w: f"/conflicts/{w.case.id}/take",
          expect({"sales_director"}, ok=302), method="POST", data={}),
]
