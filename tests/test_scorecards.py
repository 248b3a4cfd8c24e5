"""Dealer scorecards (DESIGN §3.8): KPIs on hand-computed examples, score and advice, scope of the
pages, targets by form and by file, the scoring policy, the tier change, exports, PDF, dashboards."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.scorecards import figures, kpis, scoring
from portal.scorecards import series as dealer_series
from portal.scorecards.models import SalesTarget

Q = kpis.period_of("2025Q2", date(2026, 12, 3))  # a quarter the shared world leaves empty


def at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def order(world, dealer, day, total_fen, *, status="confirmed", created=None, decided_hours=24,
          n=[0]):  # noqa: B006 — a counter for unique contract numbers
    from portal.orders.models import SalesOrder

    n[0] += 1
    created = created or at(day)
    o = SalesOrder(dealer_id=dealer.id, region_id=dealer.region_id,
                   created_by_id=world.dealer_admin.id, customer_name="测试客户",
                   contract_no=f"KPI-{n[0]}", order_date=day, status=status, total_fen=total_fen,
                   created_at=created, decided_at=created + timedelta(hours=decided_hours))
    db.session.add(o)
    return o


def deal(world, dealer, status, closed: date | None = None, submitted: date | None = None,
         key_account=False):
    from portal.deals.models import Customer, DealRegistration

    customer = Customer(dealer_id=dealer.id, name=f"客户{status}{closed}", key_account=key_account,
                        created_at=at(date(2024, 1, 1)))
    db.session.add(customer)
    db.session.flush()
    submitted = submitted or date(2025, 1, 10)
    d = DealRegistration(dealer_id=dealer.id, created_by_id=world.dealer_admin.id,
                         customer_id=customer.id, region_id=dealer.region_id, project_name="项目",
                         expected_close_date=date(2025, 6, 30), status=status,
                         submitted_at=at(submitted), approved_at=at(submitted + timedelta(days=1)),
                         closed_at=at(closed) if closed else None)
    db.session.add(d)
    db.session.flush()
    return d


@pytest.fixture
def example(world):
    """Dealer A in 2025Q2, computed by hand:

    - confirmed orders ¥300,000 (registered the same day, confirmed 10 h later) and ¥200,000
      (registered 10 days after its date, confirmed 30 h later); a submitted ¥999,999 and a
      confirmed order of July are not counted → sales ¥500,000; orders 2, on time 1 → 50.00 %,
      lead time (10 + 30) / 2 = 20.0 h;
    - 2024Q2 confirmed ¥400,000 → growth 25.00 %;
    - target ¥1,000,000 (all lines; a ¥50,000 storage row is ignored then) → attainment 50.00 %;
    - registrations closed in the quarter: won 2 (one a key account), lost 1, expired 1 → win
      rate 50.00 %; a won one closed in March does not count;
    - a conflict case opened in May between A's registration (first) and B's, awarded to the
      earlier one → 1 involved, won by A; lost by B;
    - exceptions submitted in the quarter: approved 2 (depth 300, 900 bp), expired 1 (600 bp),
      rejected 1 (1,200 bp) → approval 75.00 %, average depth 750 bp.
    """
    from portal.conflicts.models import ConflictCase
    from portal.pricing.models import PriceException

    a, b = world.dealer_a, world.dealer_b
    order(world, a, date(2025, 4, 3), 30_000_000, decided_hours=10)
    order(world, a, date(2025, 5, 20), 20_000_000, created=at(date(2025, 5, 30)), decided_hours=30)
    order(world, a, date(2025, 5, 21), 99_999_900, status="submitted")
    order(world, a, date(2025, 7, 1), 70_000_000)
    order(world, a, date(2024, 6, 15), 40_000_000)
    order(world, b, date(2025, 4, 10), 10_000_000)
    db.session.add(SalesTarget(dealer_id=a.id, year=2025, quarter=2, target_fen=100_000_000))
    db.session.add(SalesTarget(dealer_id=a.id, year=2025, quarter=2, line_id=_line_id(),
                               target_fen=5_000_000))
    db.session.add(SalesTarget(dealer_id=b.id, year=2025, quarter=2, line_id=_line_id(),
                               target_fen=3_000_000))
    won = deal(world, a, "won", date(2025, 4, 20), submitted=date(2025, 4, 2), key_account=True)
    deal(world, a, "won", date(2025, 6, 30))
    deal(world, a, "lost", date(2025, 5, 5))
    deal(world, a, "expired", date(2025, 6, 1))
    deal(world, a, "won", date(2025, 3, 31))
    other = deal(world, b, "lost", date(2025, 5, 10))
    db.session.add(ConflictCase(status="decided", region_id=b.region_id, first_deal_id=won.id,
                                second_deal_id=other.id, suggestion="award_earlier",
                                opened_at=at(date(2025, 5, 2)), decision="award_earlier",
                                decided_at=at(date(2025, 5, 3))))
    for status, depth in (("approved", 300), ("approved", 900), ("expired", 600), ("rejected", 1200)):
        db.session.add(PriceException(dealer_id=a.id, region_id=a.region_id, deal_id=won.id,
                                      created_by_id=world.dealer_admin.id, status=status,
                                      max_depth_bp=depth, submitted_at=at(date(2025, 4, 15))))
    db.session.commit()  # kept when a 404 in mid-test rolls the request back (see `world`)
    return world


def _line_id():
    from portal.catalog.models import ProductLine

    line = db.session.scalar(select(ProductLine).limit(1))
    if line is None:
        line = ProductLine(code="KPI", name_zh="存储", name_en="Storage")
        db.session.add(line)
        db.session.flush()
    return line.id


def by_code(rows):
    return {r.code: r for r in rows}


def test_kpis_of_a_quarter_match_the_hand_computed_example(example):
    a = by_code(kpis.dealer_kpis(Q))[example.dealer_a.code]
    v = a.values
    assert v["sales_fen"] == 50_000_000
    assert v["target_fen"] == 100_000_000
    assert v["attainment_bp"] == 5000
    assert v["growth_bp"] == 2500
    assert (v["deals_won"], v["deals_lost"], v["deals_expired"]) == (2, 1, 1)
    assert v["win_rate_bp"] == 5000
    assert v["key_accounts"] == 1
    assert (v["conflicts"], v["conflicts_won"], v["conflicts_lost"]) == (1, 1, 0)
    assert v["exceptions"] == 4
    assert v["exception_approval_bp"] == 7500
    assert v["exception_depth_bp"] == 750
    assert v["on_time_bp"] == 5000
    assert v["lead_time_hours"] == 20.0
    assert a.extra["last_year_fen"] == 40_000_000
    assert (a.extra["depth_5"], a.extra["depth_10"], a.extra["depth_more"]) == (1, 2, 1)


def test_the_other_dealer_of_the_example(example):
    b = by_code(kpis.dealer_kpis(Q))[example.dealer_b.code]
    assert b["sales_fen"] == 10_000_000
    assert b["target_fen"] == 3_000_000  # no all-lines row: the per-line ones add up
    assert b["attainment_bp"] == 33_333  # 333.33 %
    assert b["growth_bp"] is None  # nothing a year earlier
    assert (b["conflicts"], b["conflicts_won"], b["conflicts_lost"]) == (1, 0, 1)
    assert b["win_rate_bp"] == 0 and b["exception_approval_bp"] is None


def test_one_dealer_is_the_same_as_in_the_list_and_the_year_to_date_adds_up(example):
    (one,) = kpis.dealer_kpis(Q, example.dealer_a.id)
    assert one.values == by_code(kpis.dealer_kpis(Q))[example.dealer_a.code].values
    ytd = kpis.period_of("2025", date(2026, 1, 5))
    (year,) = kpis.dealer_kpis(ytd, example.dealer_a.id)
    assert year["sales_fen"] == 120_000_000  # April, May and July
    assert year["target_fen"] == 100_000_000  # only Q2 has a target
    assert year["deals_won"] == 3


def test_monthly_series(example):
    sales = dealer_series.monthly_sales(example.dealer_a.id, 2025)
    assert sales[3] == 30_000_000 and sales[4] == 20_000_000 and sales[6] == 70_000_000
    assert sum(sales) == 120_000_000
    assert dealer_series.year_targets(example.dealer_a.id, 2025) == [None, 100_000_000, None, None]
    series = dealer_series.monthly_win_rate(example.dealer_a.id, 2025)
    assert series[2] == (1, 1) and series[3] == (1, 1) and series[4] == (0, 1)
    assert series[5] == (1, 2)


# --- per-line targets ------------------------------------------------------------------------------

def _sale(world, dealer, day, lines, *, status="confirmed"):
    """An order of `lines` [(product, amount_fen)], its total their sum."""
    from portal.orders.models import OrderLine

    o = order(world, dealer, day, sum(a for _p, a in lines), status=status)
    db.session.flush()
    for product, amount in lines:
        db.session.add(OrderLine(order_id=o.id, product_id=product.id, line_id=product.line_id,
                                 quantity=1, list_price_fen=amount, net_price_fen=amount,
                                 unit_price_fen=amount, amount_fen=amount))
    db.session.flush()
    return o


def _return(world, dealer, o, day, amount):
    from portal.orders.models import OrderReturn, OrderReturnLine

    line = o.lines[0]
    r = OrderReturn(order_id=o.id, dealer_id=dealer.id, region_id=dealer.region_id,
                    return_date=day, reason="退货", amount_fen=amount,
                    created_by_id=world.dealer_admin.id)
    r.lines.append(OrderReturnLine(order_line_id=line.id, line_id=line.line_id,
                                   price_source="net", quantity=1, unit_price_fen=amount,
                                   amount_fen=amount))
    db.session.add(r)
    db.session.flush()


@pytest.fixture
def lines_example(world):
    """Dealer A's sales by product line, computed by hand:

    - 2025Q2 targets per line (no all-lines target): storage ¥80,000, servers ¥150,000 → the
      quarter's target ¥230,000; network has none. 2025Q1: storage ¥50,000.
    - Confirmed: 10 April storage ¥60,000 + servers ¥100,000; 15 May storage ¥30,000; 1 June
      network ¥10,000; 3 July storage ¥40,000 (Q3). A submitted servers ¥500,000 is not counted.
    - Returns: 10 June storage ¥5,000 (Q2); 2 July servers ¥20,000 (Q3: counts there).
    - 2025Q2: storage 60,000 + 30,000 − 5,000 = ¥85,000 of ¥80,000 → 106.25 %, met; servers
      ¥100,000 of ¥150,000 → 66.67 %, ¥50,000 still to reach; network ¥10,000, no target.
      Sales 160,000 + 30,000 + 10,000 − 5,000 = ¥195,000 of ¥230,000 → 84.78 %.
    - 2025 whole year: storage 85,000 + 40,000 = ¥125,000 of 50,000 + 80,000 = ¥130,000 →
      96.15 %; servers 100,000 − 20,000 = ¥80,000 of ¥150,000 → 53.33 %.
    """
    from portal.catalog.models import Product, ProductLine

    a = world.dealer_a
    products = {}
    for sort, (code, zh, en) in enumerate((("STO", "存储", "Storage"), ("SRV", "服务器", "Servers"),
                                            ("NET", "网络", "Network"))):
        line = ProductLine(code=f"T{code}", name_zh=zh, name_en=en, sort=sort)
        db.session.add(line)
        db.session.flush()
        products[code] = Product(sku=f"T-{code}", name=en, line_id=line.id)
        db.session.add(products[code])
    db.session.flush()
    sto, srv, net = products["STO"], products["SRV"], products["NET"]
    first = _sale(world, a, date(2025, 4, 10), [(sto, 6_000_000), (srv, 10_000_000)])
    _sale(world, a, date(2025, 5, 15), [(sto, 3_000_000)])
    _sale(world, a, date(2025, 6, 1), [(net, 1_000_000)])
    july = _sale(world, a, date(2025, 7, 3), [(sto, 4_000_000)])
    _sale(world, a, date(2025, 5, 20), [(srv, 50_000_000)], status="submitted")
    _return(world, a, first, date(2025, 6, 10), 500_000)  # storage: the order's first line
    servers_order = _sale(world, a, date(2025, 4, 11), [(srv, 0)])  # a line to return against
    _return(world, a, servers_order, date(2025, 7, 2), 2_000_000)
    for quarter, product, fen in ((2, sto, 8_000_000), (2, srv, 15_000_000), (1, sto, 5_000_000)):
        db.session.add(SalesTarget(dealer_id=a.id, year=2025, quarter=quarter,
                                   line_id=product.line_id, target_fen=fen))
    db.session.commit()
    world.july_order = july
    world.products = products
    return world


def test_line_figures_match_the_hand_computed_example(lines_example):
    a, lines = lines_example.dealer_a, {k: p.line_id for k, p in lines_example.products.items()}
    q2 = dealer_series.line_figures(Q, a.id)
    assert q2.sales == {lines["STO"]: 8_500_000, lines["SRV"]: 10_000_000,
                        lines["NET"]: 1_000_000}
    assert q2.line_targets(Q) == {lines["STO"]: 8_000_000, lines["SRV"]: 15_000_000}
    assert q2.year_targets() == [5_000_000, 23_000_000, None, None]
    assert q2.line_order() == [lines["STO"], lines["SRV"], lines["NET"]]
    year = kpis.period_of("2025", date(2026, 1, 5))
    whole = dealer_series.line_figures(year, a.id)
    assert whole.sales[lines["STO"]] == 12_500_000 and whole.sales[lines["SRV"]] == 8_000_000
    assert whole.line_targets(year) == {lines["STO"]: 13_000_000, lines["SRV"]: 15_000_000}


def test_sales_kpi_and_months_are_net_of_returns(lines_example):
    (a,) = kpis.dealer_kpis(Q, lines_example.dealer_a.id)
    assert a["sales_fen"] == 19_500_000 and a["target_fen"] == 23_000_000
    assert a["attainment_bp"] == 8478
    sales = dealer_series.monthly_sales(lines_example.dealer_a.id, 2025)
    assert sales[3:7] == [16_000_000, 3_000_000, 500_000, 2_000_000]
    assert sum(sales[3:6]) == a["sales_fen"]


@pytest.mark.parametrize("language, texts", [
    ("en", ["Sales by product line against the line&#39;s target", "Line target", "Storage",
            "Product lines with a target in 2025Q2: 2; met: Storage; not met: Servers."]),
    ("zh_CN", ["各产品线销售额与产品线目标", "产品线目标", "存储",
               "2025Q2 设有目标的产品线：2 条；已达成：存储；未达成：服务器。"]),
])
def test_scorecard_compares_each_line_with_its_target(client, login_as, lines_example, language,
                                                      texts):
    lines_example.sales_director.locale = language
    db.session.commit()
    login_as(lines_example.sales_director)
    body = client.get(f"/scorecards/{lines_example.dealer_a.code}?period=2025Q2").get_data(
        as_text=True)
    section = body.split('id="chart-lines"')[1].split("</figure>")[0]
    for text in texts:
        assert text in section, text
    rows = [[cell.split(">")[-1] for cell in row.split("</t")[:-1]]
            for row in section.split("<tbody>")[1].split("</tr>")[:-1]]
    assert rows[0][1:] == ["¥85,000.00", "¥80,000.00", "106.25%", "¥0.00"]
    assert rows[1][1:] == ["¥100,000.00", "¥150,000.00", "66.67%", "¥50,000.00"]
    assert rows[2][1:] == ["¥10,000.00", "–", "–", "–"]
    # the total follows the same rows, net of the June return
    assert "¥195,000.00" in body and "84.78%" in body


def test_no_line_chart_without_line_targets(client, login_as, lines_example):
    login_as(lines_example.sales_director)
    body = client.get(f"/scorecards/{lines_example.dealer_a.code}?period=2025Q3").get_data(
        as_text=True)
    assert 'id="chart-sales"' in body and 'id="chart-lines"' not in body


@pytest.mark.parametrize("code", ["2025Q5", "1e309", "²⁰²⁵", "99999Q1", "1999Q1", "2025q0", "x" * 5000])
def test_bad_periods_are_refused(code):
    assert kpis.period_of(code, date(2026, 1, 1)) is None


def test_periods():
    today = date(2026, 5, 17)
    assert kpis.period_of("", today).code == "2026Q2"
    q = kpis.period_of("2024q1", today)
    assert (q.start, q.end, q.last_year) == (date(2024, 1, 1), date(2024, 3, 31),
                                            (date(2023, 1, 1), date(2023, 3, 31)))
    ytd = kpis.period_of("2026", today)
    assert (ytd.start, ytd.end, ytd.quarters) == (date(2026, 1, 1), today, [1, 2])
    assert kpis.ratio_bp(1, 3) == 3333 and kpis.ratio_bp(2, 3) == 6667 and kpis.ratio_bp(1, 0) is None


# --- score ---------------------------------------------------------------------------------------

def test_score_of_the_example_by_hand():
    values = {"attainment_bp": 5000, "growth_bp": 2500, "win_rate_bp": 5000, "on_time_bp": 5000,
              "conflicts": 1, "conflicts_lost": 0, "exception_approval_bp": 7500}
    # 0.5×40 + 1×15 (growth capped) + 0.5×15 + 0.5×10 + 1×10 + 0.75×10 = 65 of 100
    result = scoring.score(values, scoring.DEFAULT_WEIGHTS, scoring.DEFAULT_THRESHOLDS)
    assert result.score == 65 and result.advice == "keep"
    result = scoring.score({**values, "attainment_bp": 4900}, scoring.DEFAULT_WEIGHTS,
                           scoring.DEFAULT_THRESHOLDS)
    assert result.score == 65  # 64.6 rounds half up
    result = scoring.score({**values, "attainment_bp": 4800}, scoring.DEFAULT_WEIGHTS,
                           scoring.DEFAULT_THRESHOLDS)
    assert result.score == 64 and result.advice == "watch"


def test_a_kpi_without_value_is_left_out_and_said():
    values = {"attainment_bp": None, "growth_bp": None, "win_rate_bp": 10_000, "on_time_bp": 10_000,
              "conflicts": 2, "conflicts_lost": 2, "exception_approval_bp": None}
    # (1×15 + 1×10 + 0×10) / 35 = 71.4 → 71
    result = scoring.score(values, scoring.DEFAULT_WEIGHTS, scoring.DEFAULT_THRESHOLDS)
    assert result.score == 71 and result.advice == "keep"
    assert set(result.missing) == {"attainment_bp", "growth_bp", "exception_approval_bp"}
    assert scoring.advice_for(85, scoring.DEFAULT_THRESHOLDS) == "promote"
    assert scoring.advice_for(49, scoring.DEFAULT_THRESHOLDS) == "demote"


# --- pages and scope -----------------------------------------------------------------------------

def test_dealer_admin_sees_only_its_own(client, login_as, world):
    login_as(world.dealer_admin)
    body = client.get("/scorecards/").get_data(as_text=True)
    assert world.dealer_a.code in body and world.dealer_b.code not in body
    assert client.get(f"/scorecards/{world.dealer_b.code}").status_code == 404
    assert client.get(f"/scorecards/{world.dealer_b.code}.pdf").status_code == 404
    page = client.get(f"/scorecards/{world.dealer_a.code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert world.dealer_b.name not in text
    assert "<svg" in text and 'role="img"' in text and "<script" not in text.split("<main")[1]
    login_as(world.dealer_sales)
    assert client.get("/scorecards/").status_code == 403


def test_channel_manager_ranks_its_regions_and_exports(client, login_as, example):
    login_as(example.channel_manager)
    body = client.get("/scorecards/?period=2025Q2").get_data(as_text=True)
    assert example.dealer_a.code in body and example.dealer_b.code not in body
    assert client.get(f"/scorecards/{example.dealer_b.code}").status_code == 404
    response = client.get("/scorecards/?period=2025Q2&format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    codes = [r[1] for r in rows[1:]]
    assert example.dealer_a.code in codes and example.dealer_b.code not in codes
    a_row = rows[1 + codes.index(example.dealer_a.code)]
    assert 500000 in a_row  # confirmed sales in yuan


def test_director_sees_everyone_filters_and_sorts(client, login_as, example):
    login_as(example.sales_director)
    body = client.get("/scorecards/?period=2025Q2&sort=-sales").get_data(as_text=True)
    assert body.index(example.dealer_a.code) < body.index(example.dealer_b.code)
    body = client.get("/scorecards/?period=2025Q2&sort=sales").get_data(as_text=True)
    assert body.index(example.dealer_b.code) < body.index(example.dealer_a.code)
    body = client.get(f"/scorecards/?period=2025Q2&region={example.east.id}").get_data(as_text=True)
    assert example.dealer_b.code in body and example.dealer_a.code not in body
    body = client.get("/scorecards/?period=2025Q2&tier=platinum").get_data(as_text=True)
    assert example.dealer_a.code in body and example.dealer_b.code not in body


@pytest.mark.parametrize("period", ["1e309", "2025Q9", "²⁰²⁵Q1", "9" * 5000])
def test_bad_period_is_a_clear_4xx(client, login_as, world, period):
    login_as(world.sales_director)
    response = client.get(f"/scorecards/?period={period}")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    # a 5,000-character value is refused before the page, as every overlong query value
    assert "2026Q3" in body or "longer than 200 characters" in body


def test_scorecard_shows_figures_definitions_and_advice(client, login_as, example):
    login_as(example.sales_director)
    body = client.get(f"/scorecards/{example.dealer_a.code}?period=2025Q2").get_data(as_text=True)
    assert "¥500,000.00" in body and "50.00%" in body and "25.00%" in body
    assert "Won ÷ (won + lost + expired)" in body or "赢单" in body
    assert 'id="advice"' in body and 'id="advice-why"' in body
    for key in ("sales", "win-rate", "conflicts", "depth"):
        assert f'id="chart-{key}"' in body


def test_scorecard_pdf(client, login_as, world):
    from pypdf import PdfReader

    login_as(world.dealer_admin)
    response = client.get(f"/scorecards/{world.dealer_a.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert world.dealer_a.code in text


# --- targets -------------------------------------------------------------------------------------

def _audits(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_target_by_form_is_saved_and_audited(client, login_as, world):
    login_as(world.channel_manager)
    url = f"/scorecards/{world.dealer_a.code}/targets"
    response = client.post(url, data={"year": "2027", "quarter": "2", "target": "1,500,000"})
    assert response.status_code == 302
    row = db.session.scalar(select(SalesTarget).where(SalesTarget.year == 2027))
    assert row.target_fen == 150_000_000 and row.dealer_id == world.dealer_a.id
    assert _audits("sales_target.set")[-1].after["target_fen"] == 150_000_000
    for bad in ("1e309", "-5", "²", "9" * 5000, "abc", "0"):
        response = client.post(url, data={"year": "2027", "quarter": "2", "target": bad})
        assert response.status_code == 422, bad
    for year, quarter in (("1e309", "1"), ("2027", "5"), ("²⁰²⁷", "1")):
        assert client.post(url, data={"year": year, "quarter": quarter, "target": "1"}).status_code == 422
    db.session.expire_all()
    assert db.session.get(SalesTarget, row.id).target_fen == 150_000_000
    login_as(world.other_region_cm)
    assert client.post(url, data={"year": "2027", "quarter": "2", "target": "1"}).status_code == 404


def test_the_target_form_says_what_is_wrong_and_keeps_what_was_typed(client, login_as, world):
    login_as(world.channel_manager)
    url = f"/scorecards/{world.dealer_a.code}/targets"
    response = client.post(url, data={"year": "", "quarter": "9", "line_id": "<b>1</b>",
                                      "target": "<script>alert(1)</script>"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for message in ("A year from 2000 to 2100.", "Choose a quarter.", "Choose a product line.",
                    "Enter an amount in yuan, e.g. 1500000.00."):
        assert message in body
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in body and "<b>1</b>" not in body
    assert db.session.scalar(select(SalesTarget).where(
        SalesTarget.dealer_id == world.dealer_a.id, SalesTarget.year == 2026,
        SalesTarget.quarter == 9)) is None


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["经销商编码", "年度", "季度", "产品线", "销售目标"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_target_import_is_all_or_nothing_with_a_row_report(client, login_as, world):
    login_as(world.sales_director)
    bad = _xlsx([[world.dealer_a.code, 2027, 1, "", "1000000"], ["NOPE", 2027, 1, "", "5"],
                 [world.dealer_b.code, 2027, 7, "", "10"]])
    response = client.post("/scorecards/targets/", data={"file": (io.BytesIO(bad), "t.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "NOPE" in body and "<td>3</td>" in body and "<td>4</td>" in body
    assert db.session.scalar(select(SalesTarget).where(SalesTarget.year == 2027)) is None
    good = _xlsx([[world.dealer_a.code, 2027, 1, "", "1000000"],
                  [world.dealer_b.code, 2027, 1, "", "250000.50"]])
    response = client.post("/scorecards/targets/", data={"file": (io.BytesIO(good), "t.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    targets = {t.dealer_id: t.target_fen for t in db.session.scalars(
        select(SalesTarget).where(SalesTarget.year == 2027))}
    assert targets == {world.dealer_a.id: 100_000_000, world.dealer_b.id: 25_000_050}
    assert _audits("sales_target.imported")[-1].after["created"] == 2


def test_channel_manager_imports_only_its_regions(client, login_as, world):
    login_as(world.channel_manager)
    data = _xlsx([[world.dealer_b.code, 2027, 1, "", "1000"]])
    response = client.post("/scorecards/targets/", data={"file": (io.BytesIO(data), "t.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert db.session.scalar(select(SalesTarget).where(SalesTarget.year == 2027)) is None


# --- policy and tier -----------------------------------------------------------------------------

def _policy_form(**changes):
    data = {f"weight_{k}": str(v) for k, v in scoring.DEFAULT_WEIGHTS.items()}
    data.update({f"threshold_{k}": str(v) for k, v in scoring.DEFAULT_THRESHOLDS.items()})
    data.update(changes)
    return data


def test_admin_edits_the_policy_and_the_advice_follows(client, login_as, example):
    login_as(example.admin)
    url = f"/scorecards/{example.dealer_a.code}?period=2025Q2"
    assert 'class="advice advice-keep"' in client.get(url).get_data(as_text=True)
    response = client.post("/scorecards/policy", data=_policy_form(threshold_keep="66"))
    assert response.status_code == 302
    assert _audits("scorecard_policy.changed")[-1].after["thresholds"]["keep"] == 66
    assert 'class="advice advice-watch"' in client.get(url).get_data(as_text=True)
    for bad in (_policy_form(threshold_keep="90"), _policy_form(weight_growth_bp="1e309"),
                _policy_form(weight_growth_bp="-1"), _policy_form(threshold_watch="²")):
        assert client.post("/scorecards/policy", data=bad).status_code == 422
    assert 'class="advice advice-watch"' in client.get(url).get_data(as_text=True)


def test_tier_change_needs_admin_and_a_reason(client, login_as, world):
    login_as(world.admin)
    url = f"/scorecards/{world.dealer_a.code}/tier"
    assert client.post(url, data={"tier": "gold", "reason": " "}).status_code == 422
    assert client.post(url, data={"tier": "diamond", "reason": "x"}).status_code == 422
    db.session.expire_all()
    assert world.dealer_a.tier == "platinum"
    assert client.post(url, data={"tier": "gold", "reason": "连续两季未达标"}).status_code == 302
    db.session.expire_all()
    assert world.dealer_a.tier == "gold"
    entry = _audits("dealer.tier_changed")[-1]
    assert (entry.before, entry.after, entry.comment) == ({"tier": "platinum"}, {"tier": "gold"},
                                                         "连续两季未达标")
    login_as(world.sales_director)
    assert client.post(url, data={"tier": "silver", "reason": "x"}).status_code == 403


# --- dashboards ----------------------------------------------------------------------------------

def test_dealer_dashboard_charts_cost_no_query_on_a_repeat_view(client, login_as, world,
                                                               queries_of):
    login_as(world.dealer_admin)
    first = client.get("/").get_data(as_text=True)
    assert 'id="chart-sales"' in first and "<svg" in first
    _response, before = queries_of(lambda: client.get("/"))
    assert len(before) <= 10
    # A new target changes the stamp: the next view shows it.
    db.session.add(SalesTarget(dealer_id=world.dealer_a.id, year=2026, quarter=1,
                               target_fen=987_654_300))
    db.session.commit()
    body = client.get("/").get_data(as_text=True)
    assert "¥3,292,181.00" in body  # a third of the quarter's target, per month


@pytest.mark.parametrize("role, charts", [
    ("channel_manager", ["queue-ageing", "funnel"]),
    ("sales_director", ["regions", "conflicts-month"]),
    ("finance", ["rebates-quarter"]),
])
def test_head_office_dashboards_show_their_charts(client, login_as, world, role, charts):
    login_as(getattr(world, role))
    body = client.get("/").get_data(as_text=True)
    for key in charts:
        assert f'id="chart-{key}"' in body
    assert "<table" in body.split(f'id="chart-{charts[0]}"')[1]


def test_ranked_list_within_the_query_budget(client, login_as, world, queries_of):
    login_as(world.sales_director)
    client.get("/scorecards/")
    response, statements = queries_of(lambda: client.get("/scorecards/"))
    assert response.status_code == 200 and len(statements) <= 10


# --- the ranked list kept until its sources change -----------------------------------------------

def _aggregates(statements):
    return [s for s in statements if "k_all" in s]


def test_a_repeat_view_of_the_list_reuses_the_scored_rows(client, login_as, example, queries_of):
    login_as(example.sales_director)
    client.get("/scorecards/?period=2025Q2")
    response, statements = queries_of(lambda: client.get("/scorecards/?period=2025Q2&sort=code"))
    assert response.status_code == 200 and _aggregates(statements) == []
    body = response.get_data(as_text=True)
    assert body.index(example.dealer_a.code) < body.index(example.dealer_b.code)
    # Another period or another scope is another list.
    _r, statements = queries_of(lambda: client.get("/scorecards/?period=2025Q1"))
    assert len(_aggregates(statements)) == 1
    login_as(example.channel_manager)
    response, statements = queries_of(lambda: client.get("/scorecards/?period=2025Q2"))
    assert len(_aggregates(statements)) == 1
    assert example.dealer_b.code not in response.get_data(as_text=True)


def test_the_list_shows_a_change_on_the_next_view(client, login_as, example):
    from sqlalchemy import update

    from portal.orders.models import SalesOrder

    login_as(example.sales_director)
    url = "/scorecards/?period=2025Q2&format=xlsx"

    def sales_of_b():
        rows = list(load_workbook(io.BytesIO(client.get(url).data)).active.iter_rows(values_only=True))
        return next(r for r in rows if r[1] == example.dealer_b.code)[7]

    assert sales_of_b() == 100000
    # an order flushed by the ORM
    submitted = order(example, example.dealer_b, date(2025, 4, 20), 5_000_000, status="submitted")
    db.session.commit()
    assert sales_of_b() == 100000  # not confirmed: not counted
    # a bulk UPDATE statement of a column the monthly figures read is refused (it would change
    # the rows without their figures); one of another column goes through
    with pytest.raises(figures.UnkeptWrite):
        db.session.execute(update(SalesOrder).where(SalesOrder.id == submitted.id)
                           .values(status="confirmed"))
    db.session.rollback()
    db.session.execute(update(SalesOrder).where(SalesOrder.id == submitted.id)
                       .values(notes="bulk"))
    db.session.commit()
    assert sales_of_b() == 100000
    submitted = db.session.get(SalesOrder, submitted.id)
    submitted.status = "confirmed"
    db.session.commit()
    assert sales_of_b() == 150000
    # a change made before a savepoint that is rolled back still counts
    order(example, example.dealer_b, date(2025, 4, 21), 1_000_000)
    db.session.flush()
    nested = db.session.begin_nested()
    nested.rollback()
    db.session.commit()
    assert sales_of_b() == 160000
    # a dealer's tier (the list's filter) changes the list too
    example.dealer_b.tier = "platinum"
    db.session.commit()
    body = client.get("/scorecards/?period=2025Q2&tier=platinum").get_data(as_text=True)
    assert example.dealer_b.code in body


def test_a_transaction_that_changes_no_source_keeps_the_stamp(world):
    from portal.scorecards import stamp

    before = stamp.read(db.session)
    world.dealer_admin.locale = "zh_CN"  # a user is no source of the list
    db.session.commit()
    assert stamp.read(db.session) == before
    world.dealer_a.name = "改名后的经销商"
    db.session.commit()
    after = stamp.read(db.session)
    assert after[0] == before[0] + 1 and after[1] != before[1]


def test_a_released_savepoint_leaves_the_bump_to_the_outermost_commit(world):
    from portal.scorecards import stamp

    before = stamp.read(db.session)
    nested = db.session.begin_nested()
    world.dealer_b.name = "保存点内改名"
    nested.commit()
    assert stamp.read(db.session) == before  # not yet: no lock held through the transaction
    db.session.commit()
    assert stamp.read(db.session)[0] == before[0] + 1
