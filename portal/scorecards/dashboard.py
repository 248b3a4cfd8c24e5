"""Charts on the role dashboards (DESIGN §3.8), as one registered dashboard widget.

- Dealer administrator: this year's monthly confirmed sales against its target line, and its
  progress in every running rebate program as a banded bar. The dealer dashboard is the busiest
  page, so the charts cost no query on a repeat view: the widget's figures are a stamp read with
  every other widget's figures in the dashboard's one SELECT (the dealer's confirmed orders, its
  targets' count and last change, the programs' versions), and this process remembers the charts
  built from the same stamp, day, tier and language. A confirmed order, a new target or a saved
  program changes the stamp, and the next view on every process rebuilds them.
- Channel manager: queue ageing (what waits for a decision in its regions, by age) and the
  registration funnel of its regions over the last twelve months — two aggregates.
- Sales director and admin: region comparison (this quarter's confirmed sales against targets)
  and conflict cases per month by outcome — three aggregates.
- Finance: rebates accrued vs issued vs paid per quarter — one aggregate per program of the last
  four quarters plus one for the statements.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import case, extract, func, literal, or_, select, union_all

from portal.accounts.models import Dealer, Region
from portal.conflicts.models import CaseStatus, ConflictCase
from portal.core import clock
from portal.core.cache import per_app
from portal.core.money import format_money
from portal.core.permissions import Role
from portal.deals.models import DealRegistration, DealStatus
from portal.extensions import db
from portal.main.dashboard import register_figures
from portal.orders.models import OrderLine, OrderStatus, SalesOrder
from portal.pricing.models import ExceptionStatus, PriceException
from portal.rebates.models import RebateProgram, RebateStatement, StatementStatus
from portal.rebates.services import progress_stamp
from portal.scorecards import cards, charts, kpis
from portal.scorecards import series as series_
from portal.scorecards.charts import Chart, Series
from portal.scorecards.line_months import DealerLineMonth
from portal.scorecards.models import SalesTarget
from portal.scorecards.periods import split_months

MEMO_SIZE = 20_000
#: Queue age buckets: (upper bound in days, exclusive) — the last is open.
AGE_BUCKETS = [1, 3, 7]


def register() -> None:
    register_figures("scorecards/_widget.html", figures, order=45, finish=finish)


def figures(actor, _today):
    if actor.role == Role.DEALER_ADMIN:
        targets = select(func.count(), func.max(SalesTarget.updated_at)).where(
            SalesTarget.dealer_id == actor.dealer_id)
        return {"kind": "dealer", **{f"p_{k}": v for k, v in progress_stamp(actor.dealer_id).items()},
                "targets": targets.with_only_columns(func.count()).scalar_subquery(),
                "targets_changed": targets.with_only_columns(
                    func.max(SalesTarget.updated_at)).scalar_subquery()}
    kinds = {Role.CHANNEL_MANAGER: "cm", Role.SALES_DIRECTOR: "director", Role.ADMIN: "director",
             Role.FINANCE: "finance"}
    return {"kind": kinds[actor.role]} if actor.role in kinds else None


def finish(user, context):
    locale = str(get_locale() or "zh_CN")
    today = clock.today()
    kind = context["kind"]
    link = (url_for("scorecards.index"), _("Dealer scorecards"))
    if kind == "dealer":
        if user.dealer is None:
            return None
        built = _dealer_charts_remembered(user.dealer, context, today, locale)
        title = _("Sales, target and rebate progress")
        link = (url_for("scorecards.detail", code=user.dealer.code), _("Open your scorecard"))
    elif kind == "cm":
        built = [queue_ageing_chart(user.region_ids, clock.now(), locale),
                 funnel_chart(user.region_ids, today, locale)]
        title = _("Your regions at a glance")
    elif kind == "director":
        built = [region_chart(today, locale), conflicts_chart(today, locale)]
        title = _("Regions and conflicts")
    else:
        built = [rebates_chart(today, locale)]
        title = _("Rebates by quarter")
    return {"charts": built, "title": title, "link": link}


def _dealer_charts_remembered(dealer, stamp: dict, today: date, locale: str) -> list[dict]:
    key = (today, str(dealer.tier), locale, *(v for k, v in stamp.items() if k != "kind"))
    memo = per_app("scorecards-dashboard")
    entry = memo.get(dealer.id)
    if entry is not None and entry[0] == key:
        return entry[1]
    built = dealer_charts(dealer, today, locale)
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[dealer.id] = (key, built)
    return built


def dealer_charts(dealer, today: date, locale: str) -> list[dict]:
    year = today.year
    series = series_.dealer_series(dealer.id, kpis.period_of(str(year), today))
    built = [cards.sales_chart(series.sales, series.lines.year_targets(), year, locale)]
    built += [cards.progress_chart(p, locale, key="dash-program")
              for p in cards.program_progress(dealer, today)]
    return [cards._chart_dict(c) for c in built]


# --- channel manager -----------------------------------------------------------------------------

def queue_ageing_chart(region_ids: list[int], now: datetime, locale: str) -> dict:
    """What waits for a decision in the regions, by how long it has waited."""
    regions = region_ids or [-1]
    waiting = union_all(
        select(literal("registrations").label("kind"), DealRegistration.submitted_at.label("since"))
        .where(DealRegistration.status == DealStatus.SUBMITTED,
               DealRegistration.region_id.in_(regions)),
        select(literal("orders"), SalesOrder.created_at)
        .where(SalesOrder.status == OrderStatus.SUBMITTED, SalesOrder.region_id.in_(regions)),
        select(literal("exceptions"), PriceException.submitted_at)
        .where(PriceException.status == ExceptionStatus.PENDING,
               PriceException.region_id.in_(regions)),
        select(literal("conflicts"), ConflictCase.opened_at)
        .where(ConflictCase.status == CaseStatus.OPEN,
               or_(ConflictCase.region_id.in_(regions), ConflictCase.other_region_id.in_(regions))),
    ).subquery()
    bucket = case(*((waiting.c.since > now - timedelta(days=d), i)
                    for i, d in enumerate(AGE_BUCKETS)), else_=len(AGE_BUCKETS))
    counts = {(k, int(b)): int(n) for k, b, n in db.session.execute(
        select(waiting.c.kind, bucket, func.count()).group_by(waiting.c.kind, bucket))}
    kinds = [("registrations", _("Registrations")), ("orders", _("Orders")),
             ("exceptions", _("Exceptions")), ("conflicts", _("Conflicts"))]
    ages = [_("under 1 day"), _("1–3 days"), _("3–7 days"), _("over 7 days")]
    series = [Series(age, [counts.get((k, i), 0) for k, _n in kinds],
                     ["#009E73", "#56B4E9", "#E69F00", "#D55E00"][i]) for i, age in enumerate(ages)]
    total = sum(counts.values())
    old = sum(n for (k, b), n in counts.items() if b == len(AGE_BUCKETS))
    chart = Chart("queue-ageing", _("Queue ageing in your regions"),
                  _("%(n)d items wait for a decision; %(old)d of them for over 7 days.", n=total,
                    old=old),
                  [_("Waiting"), *ages],
                  [[name, *(str(counts.get((k, i), 0)) for i in range(len(ages)))]
                   for k, name in kinds])
    return cards._chart_dict(charts.bars(chart, [n for _k, n in kinds], series, fmt=str,
                                         stacked=True))


def funnel_chart(region_ids: list[int], today: date, locale: str) -> dict:
    dr = DealRegistration
    since = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    row = db.session.execute(
        select(func.count(), func.count(dr.approved_at),
               func.count(case((dr.status == DealStatus.WON, 1))))
        .where(dr.region_id.in_(region_ids or [-1]), dr.submitted_at >= since)).one()
    submitted, approved, won = (int(v or 0) for v in row)
    names = [_("Submitted"), _("Approved"), _("Won")]
    chart = Chart("funnel", _("Registration funnel, last 12 months"),
                  _("%(s)d registrations submitted in your regions, %(a)d approved, %(w)d won.",
                    s=submitted, a=approved, w=won),
                  [_("Stage"), _("Registrations"), _("Share of submitted")],
                  [[n, str(v), charts.percent(kpis.ratio_bp(v, submitted))]
                   for n, v in zip(names, (submitted, approved, won), strict=True)])
    return cards._chart_dict(charts.hbars(chart, names, [submitted, approved, won], fmt=str,
                                          colours=["#56B4E9", "#0072B2", "#009E73"]))


# --- director ------------------------------------------------------------------------------------

def region_chart(today: date, locale: str) -> dict:
    year, quarter = today.year, kpis.quarter_of(today)
    start, end = kpis.quarter_bounds(year, quarter)
    sales = dict(db.session.execute(
        select(SalesOrder.region_id, func.sum(SalesOrder.total_fen))
        .where(SalesOrder.status == OrderStatus.CONFIRMED, SalesOrder.order_date >= start,
               SalesOrder.order_date <= end).group_by(SalesOrder.region_id)).all())
    per_dealer = kpis.quarter_targets(year, [quarter], None).subquery()
    targets = dict(db.session.execute(
        select(Dealer.region_id, func.sum(per_dealer.c.target_fen))
        .join(per_dealer, per_dealer.c.dealer_id == Dealer.id).group_by(Dealer.region_id)).all())
    regions = list(db.session.scalars(select(Region).order_by(Region.code)))
    names = [r.label(locale) for r in regions]
    s = [int(sales.get(r.id) or 0) for r in regions]
    t = [int(targets.get(r.id) or 0) for r in regions]
    best = max(range(len(regions)), key=lambda i: s[i], default=None)
    summary = _("Confirmed sales in %(q)s: %(total)s against targets of %(target)s.",
                q=f"{year}Q{quarter}", total=format_money(sum(s)), target=format_money(sum(t)))
    if best is not None and s[best]:
        summary += " " + _("%(region)s sells most.", region=names[best])
    chart = Chart("regions", _("Regions this quarter: sales and target"), summary,
                  [_("Region"), _("Confirmed sales"), _("Target"), _("Attainment")],
                  [[names[i], format_money(s[i]), format_money(t[i]) if t[i] else "–",
                    charts.percent(kpis.ratio_bp(s[i], t[i]))] for i in range(len(regions))])
    return cards._chart_dict(charts.bars(
        chart, names, [Series(_("Confirmed sales"), s), Series(_("Target"), t, "#E69F00")],
        fmt=lambda v: charts.compact_money(v, locale)))


def _months_back(today: date, n: int = 12) -> list[tuple[int, int]]:
    months, y, m = [], today.year, today.month
    for _i in range(n):
        months.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months[::-1]


def conflicts_chart(today: date, locale: str) -> dict:
    """Conflict cases opened per month over the last twelve months, by outcome."""
    months = _months_back(today)
    y0, m0 = months[0]
    cc = ConflictCase
    outcome = case((cc.status == CaseStatus.OPEN, "open"),
                   (cc.decision == "co_sell", "co_sell"),
                   (cc.decision.in_(["award_earlier", "award_later"]), "awarded"), else_="other")
    rows = db.session.execute(
        select(extract("year", cc.opened_at), extract("month", cc.opened_at), outcome, func.count())
        .where(cc.status != CaseStatus.NOTICE,
               cc.opened_at >= datetime(y0, m0, 1, tzinfo=UTC))
        .group_by(extract("year", cc.opened_at), extract("month", cc.opened_at), outcome))
    counts = {(int(y), int(m), o): int(n) for y, m, o, n in rows}
    outcomes = [("awarded", _("Awarded")), ("co_sell", _("Co-sell")), ("other", _("Other")),
                ("open", _("Open"))]
    labels = [cards.month_labels(locale)[m - 1] for _y, m in months]
    series = [Series(name, [counts.get((y, m, key), 0) for y, m in months],
                     ["#0072B2", "#009E73", "#999999", "#E69F00"][i])
              for i, (key, name) in enumerate(outcomes)]
    total = sum(counts.values())
    chart = Chart("conflicts-month", _("Conflict cases per month by outcome"),
                  _("%(n)d conflict cases opened in the last 12 months; %(open)d still open.",
                    n=total, open=sum(v for (_y, _m, o), v in counts.items() if o == "open")),
                  [_("Month"), *(n for _k, n in outcomes)],
                  [[f"{y}-{m:02d}", *(str(counts.get((y, m, k), 0)) for k, _n in outcomes)]
                   for y, m in months],
                  note=_("Awarded: decided for one of the parties. Other: decided as not a "
                         "conflict, or withdrawn."))
    return cards._chart_dict(charts.bars(chart, labels, series, fmt=str, stacked=True))


# --- finance -------------------------------------------------------------------------------------

def accrued_estimate(program: RebateProgram) -> int:
    """The rebate the program's band table gives on each dealer's confirmed sales so far, summed
    over the dealers, before exclusions, growth bonus, caps and adjustments — one aggregate, over
    the kept monthly figures (`dealer_line_month`) and the order lines of a cut month only."""
    lines = program.eligible_line_ids
    (first, last), edges = split_months(program.period_start, program.period_end, clock.today())
    parts = []
    if first is not None:  # whole months: the kept figures per dealer and product line
        kept = select(DealerLineMonth.dealer_id.label("dealer_id"),
                      DealerLineMonth.sales_fen.label("s")).where(
            DealerLineMonth.month >= first, DealerLineMonth.month <= last)
        parts.append(kept.where(DealerLineMonth.line_id.in_(lines)) if lines else kept)
    for sign, since, until in edges:  # the days of a cut month: the order lines themselves
        rows = (select(SalesOrder.dealer_id.label("dealer_id"), (sign * OrderLine.amount_fen).label("s"))
                .join(OrderLine, OrderLine.order_id == SalesOrder.id)
                .where(SalesOrder.status == OrderStatus.CONFIRMED,
                       SalesOrder.order_date >= since, SalesOrder.order_date <= until))
        parts.append(rows.where(OrderLine.line_id.in_(lines)) if lines else rows)
    if not parts:
        return 0
    every = union_all(*parts).subquery()
    sales = select(every.c.dealer_id, func.sum(every.c.s).label("s"))
    if program.eligible_tiers:
        sales = sales.join(Dealer, Dealer.id == every.c.dealer_id).where(
            Dealer.tier.in_(program.eligible_tiers))
    per_dealer = sales.group_by(every.c.dealer_id).subquery()
    s = per_dealer.c.s
    bands = [(int(t), int(r)) for t, r in program.bands]
    if program.mode == "incremental":
        parts = []
        for i, (threshold, rate) in enumerate(bands):
            upper = bands[i + 1][0] if i + 1 < len(bands) else None
            inside = case((s <= threshold, 0), else_=s - threshold) if upper is None else \
                case((s <= threshold, 0), (s >= upper, upper - threshold), else_=s - threshold)
            parts.append(inside * rate)
        amount = sum(parts[1:], parts[0])
    else:
        amount = s * case(*((s >= t, r) for t, r in reversed(bands)), else_=0)
    total = db.session.scalar(select(func.sum(amount)).select_from(per_dealer))
    return int(total or 0) // 10_000


def rebates_chart(today: date, locale: str) -> dict:
    quarters = []
    y, q = today.year, kpis.quarter_of(today)
    for _i in range(4):
        quarters.append((y, q))
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    quarters.reverse()
    first = kpis.quarter_bounds(*quarters[0])[0]
    programs = list(db.session.scalars(select(RebateProgram).where(
        RebateProgram.period_start >= first, RebateProgram.period_start <= today)))
    accrued = {k: 0 for k in quarters}
    for program in programs:
        key = (program.period_start.year, kpis.quarter_of(program.period_start))
        if key in accrued:
            accrued[key] += accrued_estimate(program)
    rows = db.session.execute(
        select(extract("year", RebateProgram.period_start), extract("month", RebateProgram.period_start),
               func.sum(RebateStatement.net_payable_fen),
               func.sum(case((RebateStatement.status == StatementStatus.PAID,
                              RebateStatement.net_payable_fen), else_=0)))
        .join(RebateProgram, RebateProgram.id == RebateStatement.program_id)
        .where(RebateProgram.period_start >= first)
        .group_by(extract("year", RebateProgram.period_start),
                  extract("month", RebateProgram.period_start)))
    issued, paid = dict.fromkeys(quarters, 0), dict.fromkeys(quarters, 0)
    for year, month, total, paid_total in rows:
        key = (int(year), (int(month) - 1) // 3 + 1)
        if key in issued:
            issued[key] += int(total or 0)
            paid[key] += int(paid_total or 0)
    labels = [f"{y}Q{q}" for y, q in quarters]
    a, i_, p = ([d[k] for k in quarters] for d in (accrued, issued, paid))
    chart = Chart("rebates-quarter", _("Rebates accrued, issued and paid per quarter"),
                  _("Over the last four quarters: %(a)s accrued by the band tables, %(i)s issued "
                    "in statements, %(p)s paid.", a=format_money(sum(a)), i=format_money(sum(i_)),
                    p=format_money(sum(p))),
                  [_("Quarter"), _("Accrued (estimate)"), _("Issued"), _("Paid")],
                  [[labels[n], format_money(a[n]), format_money(i_[n]), format_money(p[n])]
                   for n in range(len(quarters))],
                  note=_("Accrued: each program's band table applied to every dealer's confirmed "
                         "sales so far, before exclusions, growth bonus, caps and adjustments. "
                         "Issued: net payable of the statements issued for the quarter's programs."))
    return cards._chart_dict(charts.bars(
        chart, labels, [Series(_("Accrued (estimate)"), a), Series(_("Issued"), i_, "#E69F00"),
                        Series(_("Paid"), p, "#009E73")],
        fmt=lambda v: charts.compact_money(v, locale)))
