"""One dealer's series for its scorecard's and dashboard's charts (DESIGN §3.8): monthly sales
and win rate of a year (from the kept monthly figures, `portal.scorecards.figures`), sales by
product line in a period and the year's target rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import BigInteger, Integer, cast, extract, func, literal, null, select, union_all

from portal.catalog.models import ProductLine
from portal.core import clock
from portal.extensions import db
from portal.orders.models import OrderLine, OrderReturn, OrderReturnLine, OrderStatus, SalesOrder
from portal.scorecards.figures import DealerMonth
from portal.scorecards.line_months import DealerLineMonth
from portal.scorecards.models import SalesTarget
from portal.scorecards.periods import Period, split_months


def quarter_totals(rows) -> list[int | None]:
    """The dealer's target of each quarter from its target rows (quarter, line or None, fen): the
    all-lines row, else the sum of the per-line rows, else None (not set)."""
    whole: dict[int, int] = {}
    by_line: dict[int, int] = {}
    for quarter, line_id, target in rows:
        if line_id is None:
            whole[quarter] = target
        else:
            by_line[quarter] = by_line.get(quarter, 0) + target
    return [whole.get(q, by_line.get(q)) or None for q in (1, 2, 3, 4)]


@dataclass
class LineFigures:
    """One dealer's figures by product line: sales of the period and target rows of its year."""

    #: {line_id: confirmed sales in the period less its returns, fen}
    sales: dict[int, int]
    #: [(quarter, line_id or None, target_fen)] of every target of the period's year
    target_rows: list[tuple[int, int | None, int]]
    #: {line_id: (sort, name_zh, name_en)} of the lines above, in the catalogue's order
    lines: dict[int, tuple[int, str, str]] = field(default_factory=dict)

    def line_label(self, line_id: int, locale: str) -> str:
        _sort, zh, en = self.lines.get(line_id, (0, str(line_id), str(line_id)))
        return en if locale.startswith("en") else zh

    def line_order(self) -> list[int]:
        return sorted(self.lines, key=lambda i: (self.lines[i][0], i))

    def year_targets(self) -> list[int | None]:
        return quarter_totals(self.target_rows)

    def line_targets(self, period: Period) -> dict[int, int]:
        """{line_id: the sum of the line's targets over the period's quarters} — lines with a
        target in at least one of them."""
        targets: dict[int, int] = {}
        for quarter, line_id, target in self.target_rows:
            if line_id is not None and quarter in period.quarters:
                targets[line_id] = targets.get(line_id, 0) + target
        return targets


@dataclass
class DealerSeries:
    """One dealer's series for its scorecard's charts."""

    #: Confirmed sales of each month of the period's year less the returns dated in that month
    #: (as the sales KPI: the months of a period add up to its sales), fen.
    sales: list[int]
    #: (won, closed) of each month of the year: registrations closed won, lost or expired.
    win_rate: list[tuple[int, int]]
    lines: LineFigures


def _row(kind: str, month=None, line_id=None, quarter=None, a=None, b=None, c=None) -> list:
    def typed(value, type_, name):
        return cast(value if value is not None else null(), type_).label(name)

    return [literal(kind).label("kind"), typed(month, Integer, "month"),
            typed(line_id, Integer, "line_id"), typed(quarter, Integer, "quarter"),
            typed(a, BigInteger, "a"), typed(b, BigInteger, "b"), typed(c, BigInteger, "c")]


def dealer_series(dealer_id: int, period: Period) -> DealerSeries:
    """Monthly sales and win rate of the period's year, sales by product line in the period and
    every target row of the year, with the lines' names — one query, for one dealer. The line
    sales are the order lines of its confirmed orders dated in the period less the return lines
    dated in it (the rows `rebates.services.sales_by_dealer_line` reads), added up from the kept
    months per line; they are read only when the dealer has a line target in the period (else
    `lines.sales` is empty)."""
    so, ol, r, rl, t, dm = (SalesOrder, OrderLine, OrderReturn, OrderReturnLine, SalesTarget,
                            DealerMonth)
    first, last = date(period.year, 1, 1), date(period.year, 12, 31)
    month = extract("month", dm.month)
    # Sales by line only serve a comparison with line targets: without any in the period, the
    # two branches are skipped (a one-time filter) rather than reading every order line.
    line_targets = (select(t.id).where(t.dealer_id == dealer_id, t.year == period.year,
                                       t.quarter.in_(period.quarters), t.line_id.is_not(None))
                    .exists())
    parts = [
        select(*_row("m", month, a=dm.sales_fen - dm.returned_fen, b=dm.deals_won,
                     c=dm.deals_won + dm.deals_lost + dm.deals_expired))
        .where(dm.dealer_id == dealer_id, dm.month >= first, dm.month <= last),
        select(*_row("t", line_id=t.line_id, quarter=t.quarter, a=t.target_fen))
        .where(t.dealer_id == dealer_id, t.year == period.year),
    ]
    # Line sales: the period's whole months kept per line (`line_months`), the days of a cut
    # month from the order and return lines (added, or taken away from the whole month).
    (whole_first, whole_last), edges = split_months(period.start, period.end, clock.today())
    if whole_first is not None:
        lm = DealerLineMonth
        parts.append(select(*_row("s", line_id=lm.line_id,
                                  a=func.sum(lm.sales_fen - lm.returned_fen)))
                     .where(line_targets, lm.dealer_id == dealer_id, lm.month >= whole_first,
                            lm.month <= whole_last).group_by(lm.line_id))
    for sign, a, b in edges:
        parts += [
            select(*_row("s", line_id=ol.line_id, a=sign * func.sum(ol.amount_fen)))
            .select_from(so).join(ol, ol.order_id == so.id)
            .where(line_targets, so.dealer_id == dealer_id, so.status == OrderStatus.CONFIRMED,
                   so.order_date >= a, so.order_date <= b).group_by(ol.line_id),
            select(*_row("s", line_id=rl.line_id, a=-sign * func.sum(rl.amount_fen)))
            .select_from(r).join(rl, rl.return_id == r.id)
            .where(line_targets, r.dealer_id == dealer_id, r.return_date >= a,
                   r.return_date <= b).group_by(rl.line_id)]
    both = union_all(*parts).subquery()
    pl = ProductLine
    stmt = (select(both.c.kind, both.c.month, both.c.line_id, both.c.quarter, both.c.a, both.c.b,
                   both.c.c, pl.sort, pl.name_zh, pl.name_en)
            .outerjoin(pl, pl.id == both.c.line_id))
    series = DealerSeries([0] * 12, [(0, 0)] * 12, LineFigures({}, []))
    figures = series.lines
    for kind, month, line_id, quarter, a, b, c, sort, zh, en in db.session.execute(stmt):
        if line_id is not None:
            figures.lines[line_id] = (sort or 0, zh, en)
        if kind == "m":
            series.sales[month - 1] += int(a or 0)
            won, closed = series.win_rate[month - 1]
            series.win_rate[month - 1] = (won + int(b or 0), closed + int(c or 0))
        elif kind == "s":
            figures.sales[line_id] = figures.sales.get(line_id, 0) + int(a or 0)
        else:
            figures.target_rows.append((int(quarter), line_id, int(a)))
    return series


def _whole_year(year: int) -> Period:
    return Period(year, None, date(year, 1, 1), date(year, 12, 31))


def monthly_sales(dealer_id: int, year: int) -> list[int]:
    """Confirmed sales of each month of `year` (12 values, fen), less each month's returns."""
    return dealer_series(dealer_id, _whole_year(year)).sales


def monthly_win_rate(dealer_id: int, year: int) -> list[tuple[int, int]]:
    """(won, closed) of each month of `year`: registrations closed won, lost or expired."""
    return dealer_series(dealer_id, _whole_year(year)).win_rate


def year_targets(dealer_id: int, year: int) -> list[int | None]:
    """The dealer's target of each quarter of `year` (None where not set)."""
    return dealer_series(dealer_id, _whole_year(year)).lines.year_targets()


def line_figures(period: Period, dealer_id: int) -> LineFigures:
    """Sales by product line in the period and the target rows of its year (`dealer_series`)."""
    return dealer_series(dealer_id, period).lines
