"""The monthly figures per dealer (`dealer_month`, DESIGN §3.8) stay equal, to the fen, to what
their rows add up to through confirmations, returns, edits, deletions, savepoints and closings of
registrations; the KPIs read from them equal those computed from the rows alone; a period that
cuts a month reads the cut days from the rows."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.scorecards import figures, kpis, sources
from tests.test_scorecards import Q, at, deal, example, lines_example, order  # noqa: F401 - fixture

YTD_MAY_20 = kpis.Period(2025, None, date(2025, 1, 1), date(2025, 5, 20))


def _all_kpis(period):
    return {d.code: (d.values, d.extra) for d in kpis.dealer_kpis(period)}


def _kept_equals_rows():
    kept, rows = sources.kept(db.session), sources.from_rows(db.session)
    assert kept == rows
    return kept


def test_the_kept_figures_follow_every_change_of_their_rows(example):  # noqa: F811
    from portal.deals import services as deals
    from portal.deals.models import Customer, DealRegistration
    from portal.orders import services as orders
    from portal.orders.models import OrderReturn, SalesOrder

    a, b = example.dealer_a, example.dealer_b
    kept = _kept_equals_rows()  # the example's rows, each added at its flush
    assert kept[(a.id, date(2025, 4, 1))]["sales_fen"] == 30_000_000
    assert kept[(a.id, date(2025, 5, 1))]["sales_fen"] == 20_000_000  # the submitted one not
    assert kept[(a.id, date(2025, 4, 1))]["deals_won"] == 1

    # an order confirmed through the service
    submitted = db.session.scalar(select(SalesOrder).where(SalesOrder.status == "submitted",
                                                           SalesOrder.dealer_id == a.id))
    orders.confirm_order(example.channel_manager, submitted)
    db.session.commit()
    assert _kept_equals_rows()[(a.id, date(2025, 5, 1))]["sales_fen"] == 20_000_000 + 99_999_900

    # a return, then a second one in another month of the same order
    for day, amount in ((date(2025, 5, 25), 1_234_567), (date(2025, 6, 2), 765_433)):
        db.session.add(OrderReturn(order_id=submitted.id, dealer_id=a.id, region_id=a.region_id,
                                   return_date=day, reason="损坏", amount_fen=amount,
                                   created_by_id=example.dealer_admin.id))
    db.session.commit()
    kept = _kept_equals_rows()
    assert kept[(a.id, date(2025, 5, 1))]["returned_fen"] == 1_234_567

    # an expired order moved to another month and dealer, with another total and times
    db.session.expire_all()
    moved = db.session.scalar(select(SalesOrder).where(SalesOrder.total_fen == 30_000_000))
    db.session.expire(moved)
    moved.order_date = date(2025, 6, 9)
    moved.total_fen = 31_000_001
    moved.dealer_id = b.id
    moved.created_at = at(date(2025, 6, 1))
    db.session.commit()
    kept = _kept_equals_rows()
    assert (a.id, date(2025, 4, 1)) not in kept or kept[(a.id, date(2025, 4, 1))]["orders"] == 0
    assert kept[(b.id, date(2025, 6, 1))]["sales_fen"] == 31_000_001

    # a confirmed order deleted; a customer handed to another dealer
    gone = db.session.scalar(select(SalesOrder).where(SalesOrder.total_fen == 70_000_000))
    db.session.delete(gone)
    customer = db.session.scalar(select(Customer).where(Customer.dealer_id == a.id).limit(1))
    customer.dealer_id = b.id
    db.session.commit()
    _kept_equals_rows()

    # changes inside a savepoint rolled back leave no figure behind; those before it stay
    order(example, a, date(2025, 4, 4), 11_111_111)
    db.session.flush()
    nested = db.session.begin_nested()
    order(example, a, date(2025, 4, 5), 22_222_222)
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert _kept_equals_rows()[(a.id, date(2025, 4, 1))]["sales_fen"] == 11_111_111

    # a transaction rolled back after its flush leaves nothing either
    order(example, b, date(2025, 4, 6), 5_000_000)
    db.session.flush()
    db.session.rollback()
    _kept_equals_rows()

    # registrations: one won through the service, one lost, one that expires
    today = date.today()
    approved = []
    for _ in range(3):
        d = deal(example, a, "approved", submitted=today - timedelta(days=40))
        d.protected_until = today - timedelta(days=1)
        approved.append(d)
    db.session.commit()
    deals.mark_won(example.channel_manager, approved[0])
    approved[1].status, approved[1].closed_at = "lost", datetime.now(UTC)
    deals.expire_due(today)
    db.session.commit()
    kept = _kept_equals_rows()
    assert db.session.get(DealRegistration, approved[2].id).status == "expired"
    month = today.replace(day=1)
    assert kept[(a.id, month)]["deals_won"] >= 1 and kept[(a.id, month)]["deals_lost"] >= 1
    assert kept[(a.id, month)]["deals_expired"] >= 1


def test_the_kpis_from_the_kept_figures_equal_those_from_the_rows(example):  # noqa: F811
    before = {p.code: _all_kpis(p) for p in (Q, YTD_MAY_20, kpis.period_of("2025", date.today()))}
    a = before["2025Q2"][example.dealer_a.code][0]
    assert (a["sales_fen"], a["lead_time_hours"], a["on_time_bp"]) == (50_000_000, 20.0, 5000)
    sources.rebuild(db.session)  # every month recomputed from the rows
    db.session.commit()
    assert {p.code: _all_kpis(p) for p in (Q, YTD_MAY_20, kpis.period_of("2025", date.today()))} \
        == before
    # the kept rows were right, the rows alone say so too
    _kept_equals_rows()


def test_a_period_that_cuts_a_month_reads_the_days_it_holds(example):  # noqa: F811
    a = example.dealer_a.code
    # to 20 May 2025: the orders of 3 April and 20 May (¥300,000 + ¥200,000)
    assert _all_kpis(YTD_MAY_20)[a][0]["sales_fen"] == 50_000_000
    day_before = kpis.Period(2025, None, date(2025, 1, 1), date(2025, 5, 19))
    assert _all_kpis(day_before)[a][0]["sales_fen"] == 30_000_000
    # when the rest of the month is after today, the month is read whole less those days
    from portal.core import clock

    with clock.frozen(datetime(2025, 5, 19, 3, tzinfo=UTC)):
        assert _all_kpis(day_before)[a][0]["sales_fen"] == 30_000_000
        assert _all_kpis(day_before)[a][0]["deals_lost"] == 1
    # growth: the same days a year earlier, cut the same way (¥400,000 on 15 June 2024)
    to_june_15 = kpis.Period(2025, None, date(2025, 1, 1), date(2025, 6, 15))
    to_june_14 = kpis.Period(2025, None, date(2025, 1, 1), date(2025, 6, 14))
    assert _all_kpis(to_june_15)[a][1]["last_year_fen"] == 40_000_000
    assert _all_kpis(to_june_14)[a][1]["last_year_fen"] == 0


def test_a_bulk_statement_on_a_kept_column_is_refused_and_changes_nothing(example):  # noqa: F811
    from sqlalchemy import delete, update

    from portal.orders.models import SalesOrder

    before = sources.kept(db.session)
    for stmt in (update(SalesOrder).values(total_fen=1),
                 delete(SalesOrder).where(SalesOrder.dealer_id == example.dealer_a.id)):
        with pytest.raises(figures.UnkeptWrite):
            db.session.execute(stmt)
        db.session.rollback()
    assert sources.kept(db.session) == before
    assert db.session.scalar(select(SalesOrder.total_fen).where(
        SalesOrder.total_fen == 30_000_000)) == 30_000_000


def test_rebuild_figures_after_a_write_that_bypassed_the_portal(app, example):  # noqa: F811
    from sqlalchemy import text

    from portal.scorecards import stamp

    db.session.execute(text("UPDATE dealer_month SET sales_fen = sales_fen + 1"))  # as psql would
    db.session.commit()
    assert sources.kept(db.session) != sources.from_rows(db.session)
    before = stamp.read(db.session)
    result = app.test_cli_runner().invoke(args=["scorecards", "rebuild-figures"])
    assert result.exit_code == 0, result.output
    assert "dealer month(s) rebuilt" in result.output
    db.session.rollback()
    _kept_equals_rows()
    assert stamp.read(db.session) != before


def _line_months_equal_rows():
    kept, rows = sources.line_kept(db.session), sources.line_rows_from_rows(db.session)
    assert kept == rows
    return kept


def test_the_kept_line_months_follow_orders_lines_and_returns(lines_example):  # noqa: F811
    from portal.orders import services as orders
    from portal.orders.models import OrderLine, SalesOrder
    from portal.scorecards import series
    from tests.test_scorecards import _return, _sale

    a, p = lines_example.dealer_a, lines_example.products
    srv = p["SRV"].line_id
    kept = _line_months_equal_rows()
    assert kept[(a.id, date(2025, 4, 1), srv)]["sales_fen"] == 10_000_000
    # the submitted ¥500,000 servers order confirmed through the service: its line counts
    submitted = db.session.scalar(select(SalesOrder).where(SalesOrder.status == "submitted",
                                                           SalesOrder.dealer_id == a.id))
    orders.confirm_order(lines_example.channel_manager, submitted)
    db.session.commit()
    assert _line_months_equal_rows()[(a.id, date(2025, 5, 1), srv)]["sales_fen"] == 50_000_000
    # an expired order moved to August, and one of its lines changed in the same flush
    db.session.expire_all()
    july = db.session.get(SalesOrder, lines_example.july_order.id)
    db.session.expire(july)
    july.order_date = date(2025, 8, 3)
    line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == july.id))
    line.amount_fen, line.line_id = 4_100_000, srv
    db.session.commit()
    assert _line_months_equal_rows()[(a.id, date(2025, 8, 1), srv)]["sales_fen"] == 4_100_000
    # a line added to a confirmed order, a return, an order deleted with its lines
    _sale(lines_example, a, date(2025, 9, 9), [(p["NET"], 777)])
    _return(lines_example, a, july, date(2025, 9, 10), 100_000)
    db.session.delete(db.session.scalar(select(SalesOrder).where(
        SalesOrder.order_date == date(2025, 6, 1))))
    db.session.commit()
    _line_months_equal_rows()
    # a savepoint rolled back takes its lines' figures with it
    nested = db.session.begin_nested()
    _sale(lines_example, a, date(2025, 9, 11), [(p["STO"], 999)])
    nested.rollback()
    db.session.commit()
    kept = _line_months_equal_rows()
    # the scorecard's line sales read the kept months: the same after a rebuild
    q3 = kpis.period_of("2025Q3", date(2026, 1, 5))
    before = series.line_figures(q3, a.id).sales
    sources.rebuild(db.session)
    db.session.commit()
    assert sources.line_kept(db.session) == kept
    assert series.line_figures(q3, a.id).sales == before


@pytest.mark.parametrize("start, end, mode, expected", [
    # A's storage and servers sales in 2025Q2: 6,000,000 + 3,000,000 + 10,000,000 + 0 fen
    (date(2025, 4, 1), date(2025, 6, 30), "all_units", 19_000_000 * 300 // 10_000),
    (date(2025, 4, 1), date(2025, 6, 30), "incremental",
     15_000_000 * 100 // 10_000 + 4_000_000 * 300 // 10_000),
    # cut at both ends: 11 April (servers ¥0) and 15 May (storage ¥30,000) only
    (date(2025, 4, 11), date(2025, 5, 31), "all_units", 3_000_000 * 100 // 10_000),
])
def test_finance_accrued_estimate_adds_kept_months_and_cut_days(lines_example, start, end, mode,  # noqa: F811
                                                                expected):
    """The finance dashboard's accrued rebate: each dealer's gross confirmed sales of the
    program's lines in its period through the band table, computed by hand."""
    from portal.scorecards.dashboard import accrued_estimate
    from tests.routes.rebates import make_program

    lines = [lines_example.products[k].line_id for k in ("STO", "SRV")]
    program = make_program("ACC-TEST", start, end, mode=mode,
                           bands=[[0, 100], [15_000_000, 300]], eligible_line_ids=lines)
    assert accrued_estimate(program) == expected
    program.eligible_tiers = ["no-such-tier"]
    assert accrued_estimate(program) == 0
