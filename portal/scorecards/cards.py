"""What the scorecard pages, the PDF and the exports show: plain dicts built from the KPIs.

`ranked` is the list (every dealer in the actor's scope, scored and sorted) and `scorecard` one
dealer's card with its charts. Both read `kpis.dealer_kpis` once; the card adds the monthly
series and the rebate programs' progress (a handful of small aggregates for one dealer).
Strings are translated here, in the request's language; the PDF gets the same dicts.
"""
from __future__ import annotations

import threading
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, select

from portal.accounts.models import TIER_LABELS, Dealer, Region
from portal.core.cache import per_app
from portal.core.money import format_bp, format_money
from portal.core.permissions import Role, is_dealer, sees_all_regions
from portal.extensions import db
from portal.rebates import services as rebates
from portal.rebates.models import RebateProgram
from portal.scorecards import charts, kpis, scoring, services, stamp
from portal.scorecards import series as series_
from portal.scorecards.charts import Chart, Series

SORTS = {"score", "code", "name", "sales", "attainment", "growth", "win_rate", "tier", "region"}
TIER_ORDER = {"platinum": 0, "gold": 1, "silver": 2, "authorized": 3}
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_labels(locale: str) -> list[str]:
    return [f"{m}月" for m in range(1, 13)] if locale.startswith("zh") else MONTHS_EN


def kpi_text(key: str, value) -> str:
    kind = kpis.KPI_BY_KEY[key].kind if key in kpis.KPI_BY_KEY else "count"
    if value is None:
        return "–"
    if kind == "money":
        return format_money(value)
    if kind == "bp":
        return format_bp(value)
    if kind == "hours":
        return _("%(h)s h", h=value)
    return str(value)


# --- the ranked list ------------------------------------------------------------------------------

#: Scored lists one process keeps (a period × scope × policy each); beyond, the oldest goes.
KEPT_LISTS = 4
_KEPT_LOCK = threading.Lock()


def _scope_key(actor) -> tuple:
    if is_dealer(actor):
        return ("dealer", actor.dealer_id if actor.role == Role.DEALER_ADMIN else None)
    if sees_all_regions(actor):
        return ("all",)
    return ("regions", tuple(sorted(actor.region_ids or ())))


def _scored(actor, period: kpis.Period, weights: dict, thresholds: dict) -> list[dict]:
    """Every dealer the actor may see with its KPIs, score and advice (unsorted, shared: callers
    copy a row before changing it). Kept by the process under the stamp of the list's sources
    read first (`portal.scorecards.stamp`): reused while no source has changed since, recomputed
    (one aggregate) once one has — on every process, since each reads the stamp afresh."""

    stamp_now = stamp.read(db.session)
    key = (period.code, period.start, period.end, _scope_key(actor),
           tuple(sorted(weights.items())), tuple(sorted(thresholds.items())))
    kept = per_app("scorecards-ranked")
    entry = kept.get(key)
    if stamp_now is not None and entry is not None and entry[0] == stamp_now:
        return entry[1]
    scope = services.dealers_query(actor)
    # Every dealer: no filter at all (not `IN (SELECT id FROM dealer)` in every aggregate).
    scope = None if scope.whereclause is None else scope.with_only_columns(Dealer.id)
    rows = []
    for d in kpis.dealer_kpis(period, scope):
        value = scoring.score_value(d.values, weights)
        rows.append({"id": d.dealer_id, "code": d.code, "name": d.name, "tier": d.tier,
                     "region_id": d.region_id, "score": value,
                     "advice": None if value is None else scoring.advice_for(value, thresholds),
                     **d.values})
    if stamp_now is not None:
        with _KEPT_LOCK:  # a worker's threads share the dict
            kept.pop(key, None)
            while len(kept) >= KEPT_LISTS:
                kept.pop(next(iter(kept)))
            kept[key] = (stamp_now, rows)
    return rows


def ranked(actor, period: kpis.Period, *, region_id: int | None = None, tier: str | None = None,
           sort: str = "score", descending: bool = True) -> list[dict]:
    """Every dealer the actor may see, with its KPIs, score and advice, filtered, sorted and
    ranked. The scored rows are computed once per change of their sources (`_scored`); a sort,
    a filter or a page costs two small queries (the stamp, the policy)."""
    weights, thresholds = services.policy()
    rows = [r for r in _scored(actor, period, weights, thresholds)
            if (region_id is None or r["region_id"] == region_id)
            and (not tier or r["tier"] == tier)]
    key = {"score": lambda r: (r["score"] is None, r["score"] or 0),
           "code": lambda r: r["code"], "name": lambda r: r["name"],
           "sales": lambda r: r["sales_fen"],
           "attainment": lambda r: (r["attainment_bp"] is None, r["attainment_bp"] or 0),
           "growth": lambda r: (r["growth_bp"] is None, r["growth_bp"] or 0),
           "win_rate": lambda r: (r["win_rate_bp"] is None, r["win_rate_bp"] or 0),
           "tier": lambda r: TIER_ORDER.get(r["tier"], 9), "region": lambda r: r["region_id"]}
    sort_key = key.get(sort, key["score"])
    if sort in ("score", "attainment", "growth", "win_rate"):
        # None last whichever the direction.
        rows.sort(key=lambda r: (sort_key(r)[0], -sort_key(r)[1] if descending else sort_key(r)[1],
                                 r["code"]))
    else:
        rows.sort(key=lambda r: (sort_key(r), r["code"]), reverse=descending)
    return [{**row, "rank": rank} for rank, row in enumerate(rows, 1)]


# --- one dealer's card -----------------------------------------------------------------------------

def program_progress(dealer: Dealer, on_date: date) -> list[dict]:
    """Progress in every rebate program running on `on_date` that the dealer takes part in."""
    programs = db.session.scalars(select(RebateProgram).where(
        and_(RebateProgram.period_start <= on_date, RebateProgram.period_end >= on_date))
        .order_by(RebateProgram.period_start, RebateProgram.id))
    result = []
    for program in programs:
        if program.eligible_tiers and dealer.tier not in program.eligible_tiers:
            continue
        lines = rebates.sales_by_dealer_line(program, program.period_start, program.period_end,
                                             [dealer.id]).get(dealer.id, {})
        last_year = rebates.last_year_totals(program, [dealer.id]).get(dealer.id) \
            if program.growth_bonus_bp is not None else None
        ent = rebates.entitlement_for(program, lines, last_year)
        bands = [(int(t), int(r)) for t, r in program.bands]
        nxt = ent.band_index + 1
        result.append({"id": program.id, "name": program.name, "period_code": program.period_code,
                       "period_end": program.period_end.isoformat(), "bands": bands,
                       "sales_fen": ent.qualifying_sales_fen, "band_number": ent.band_index + 1,
                       "rate_bp": ent.rate_bp, "gap_fen": ent.gap_to_next_fen,
                       "next_rate_bp": bands[nxt][1] if nxt < len(bands) else None,
                       "estimate_fen": ent.total_fen})
    return result


def progress_chart(p: dict, locale: str, key: str = "program") -> Chart:
    if p["gap_fen"]:
        summary = _("%(program)s: qualifying sales %(sales)s, band %(n)d of %(of)d at %(rate)s; "
                    "%(gap)s more reaches the next band at %(next)s.",
                    program=p["name"], sales=format_money(p["sales_fen"]), n=p["band_number"],
                    of=len(p["bands"]), rate=format_bp(p["rate_bp"]),
                    gap=format_money(p["gap_fen"]), next=format_bp(p["next_rate_bp"]))
    else:
        summary = _("%(program)s: qualifying sales %(sales)s, top band reached at %(rate)s.",
                    program=p["name"], sales=format_money(p["sales_fen"]),
                    rate=format_bp(p["rate_bp"]))
    rows = []
    for i, (threshold, rate) in enumerate(p["bands"]):
        upper = p["bands"][i + 1][0] if i + 1 < len(p["bands"]) else None
        rows.append([_("Band %(n)d", n=i + 1), format_money(threshold),
                     format_money(upper) if upper is not None else "∞", format_bp(rate),
                     _("reached") if i + 1 <= p["band_number"] else ""])
    chart = Chart(f"{key}-{p['id']}", _("Rebate progress · %(program)s", program=p["name"]),
                  summary, [_("Band"), _("From"), _("Up to"), _("Rate"), ""], rows)
    gap = _("%(gap)s more to %(rate)s", gap=charts.compact_money(p["gap_fen"], locale),
            rate=format_bp(p["next_rate_bp"])) if p["gap_fen"] else ""
    return charts.banded(chart, p["bands"], p["sales_fen"], locale=locale,
                         band_label=lambda i, rate: f"{format_bp(rate)}", gap_label=gap)


def sales_chart(sales: list[int], targets: list[int | None], year: int, locale: str) -> Chart:
    monthly_target = [None if targets[m // 3] is None else targets[m // 3] // 3 for m in range(12)]
    labels = month_labels(locale)
    total, target_total = sum(sales), sum(t for t in targets if t)
    met = [q + 1 for q in range(4) if targets[q] and sum(sales[3 * q:3 * q + 3]) >= targets[q]]
    summary = _("Confirmed sales in %(year)d: %(total)s against targets of %(target)s. "
                "Quarters with the target met: %(met)s.", year=year, total=format_money(total),
                target=format_money(target_total) if target_total else _("none set"),
                met=", ".join(f"Q{q}" for q in met) or _("none"))
    rows = [[labels[m], format_money(sales[m]),
             format_money(monthly_target[m]) if monthly_target[m] is not None else "–"]
            for m in range(12)]
    chart = Chart("sales", _("Monthly confirmed sales against target, %(year)d", year=year),
                  summary, [_("Month"), _("Confirmed sales"), _("Target (a third of the quarter's)")],
                  rows)
    return charts.bars(chart, labels, [Series(_("Confirmed sales"), sales)],
                       fmt=lambda v: charts.compact_money(v, locale),
                       line=Series(_("Target"), monthly_target))


def line_chart(figures: series_.LineFigures, period: kpis.Period, locale: str) -> Chart | None:
    """Each product line's confirmed sales in the period against its own target (the sum of the
    line's targets over the period's quarters). None when no line has a target in the period."""
    targets = figures.line_targets(period)
    if not targets:
        return None
    shown = [i for i in figures.line_order() if i in targets or figures.sales.get(i)]
    names = [figures.line_label(i, locale) for i in shown]
    sales = [figures.sales.get(i, 0) for i in shown]
    line_targets = [targets.get(i) for i in shown]
    rows, met, missed = [], [], []
    joiner = "、" if locale.startswith("zh") else ", "
    for name, sold, target in zip(names, sales, line_targets, strict=True):
        if target is None:
            rows.append([name, format_money(sold), "–", "–", "–"])
            continue
        (met if sold >= target else missed).append(name)
        rows.append([name, format_money(sold), format_money(target),
                     format_bp(kpis.ratio_bp(sold, target)) if target else "–",
                     format_money(max(target - sold, 0))])
    summary = _("Product lines with a target in %(period)s: %(n)d; met: %(met)s; not met: "
                "%(missed)s.", period=period.code, n=len(met) + len(missed),
                met=joiner.join(met) or _("none"), missed=joiner.join(missed) or _("none"))
    chart = Chart("lines", _("Sales by product line against the line's target"), summary,
                  [_("Product line"), _("Confirmed sales"), _("Line target"), _("Attainment"),
                   _("Still to reach")], rows,
                  note=_("A line's target is the sum of its targets for the quarters of the "
                         "period; its sales are the confirmed order lines of that product line "
                         "dated in the period, less the returns dated in it."))
    return charts.bars(chart, names, [Series(_("Confirmed sales"), sales)],
                       fmt=lambda v: charts.compact_money(v, locale),
                       line=Series(_("Line target"), line_targets))


def win_rate_chart(series: list[tuple[int, int]], year: int, locale: str) -> Chart:
    labels = month_labels(locale)
    rates = [kpis.ratio_bp(won, closed) for won, closed in series]
    won, closed = sum(w for w, _c in series), sum(c for _w, c in series)
    summary = _("%(won)d of %(closed)d registrations closed in %(year)d were won (%(rate)s).",
                won=won, closed=closed, year=year,
                rate=charts.percent(kpis.ratio_bp(won, closed)))
    rows = [[labels[m], str(series[m][0]), str(series[m][1]), charts.percent(rates[m])]
            for m in range(12)]
    chart = Chart("win-rate", _("Win rate by month, %(year)d", year=year), summary,
                  [_("Month"), _("Won"), _("Closed"), _("Win rate")], rows,
                  note=str(kpis.KPI_BY_KEY["win_rate_bp"].definition))
    return charts.lines(chart, labels, [Series(_("Win rate"), rates)],
                        fmt=lambda v: f"{v // 100} %", maximum=10_000)


def conflict_chart(values: dict, extra: dict) -> Chart:
    names = [_("Awarded to the dealer"), _("Awarded to the other party"), _("Co-sell"),
             _("Open"), _("Other")]
    won, lost, co = values["conflicts_won"], values["conflicts_lost"], values["conflicts_co_sell"]
    open_ = extra["conflicts_open"]
    other = max(values["conflicts"] - won - lost - co - open_, 0)
    counts = [won, lost, co, open_, other]
    summary = _("%(n)d conflict cases in the period: %(won)d awarded to the dealer, %(lost)d to the "
                "other party, %(co)d co-sell, %(open)d open.", n=values["conflicts"], won=won,
                lost=lost, co=co, open=open_)
    chart = Chart("conflicts", _("Conflict outcomes"), summary, [_("Outcome"), _("Cases")],
                  [[n, str(c)] for n, c in zip(names, counts, strict=True)],
                  note=str(kpis.KPI_BY_KEY["conflicts"].definition) + " "
                  + _("Other: decided as not a conflict, or withdrawn."))
    return charts.hbars(chart, names, counts, fmt=str,
                        colours=["#009E73", "#D55E00", "#0072B2", "#E69F00", "#999999"])


def depth_chart(values: dict, extra: dict) -> Chart:
    names = [_("up to 5 pp"), _("5 to 10 pp"), _("over 10 pp"), _("below floor")]
    counts = [extra["depth_5"], extra["depth_10"], extra["depth_more"], extra["below_floor"]]
    summary = _("%(n)d price-exception requests in the period, %(approved)d approved; average "
                "extra discount %(depth)s.", n=values["exceptions"],
                approved=extra["exceptions_approved"],
                depth=charts.percent(values["exception_depth_bp"]))
    chart = Chart("depth", _("Exception depth"), summary, [_("Extra discount"), _("Requests")],
                  [[n, str(c)] for n, c in zip(names, counts, strict=True)],
                  note=str(kpis.KPI_BY_KEY["exception_depth_bp"].definition))
    return charts.hbars(chart, names, counts, fmt=str,
                        colours=["#56B4E9", "#0072B2", "#E69F00", "#D55E00"])


def scorecard(dealer: Dealer, period: kpis.Period, locale: str, today: date) -> dict:
    """One dealer's card for `period`: KPIs by group with their definitions, score, advice and
    why, charts. Plain data (the PDF gets it as it is)."""
    (d,) = kpis.dealer_kpis(period, dealer.id)
    weights, thresholds = services.policy()
    result = scoring.score(d.values, weights, thresholds)
    groups = []
    for group, label in kpis.GROUP_LABELS.items():
        groups.append({"key": group, "label": str(label), "kpis": [
            {"key": k.key, "label": str(k.label), "value": kpi_text(k.key, d.values.get(k.key)),
             "definition": str(k.definition)}
            for k in kpis.KPIS if k.group == group]})
    parts = [{"key": p.key, "label": str(kpis.KPI_BY_KEY.get(p.key, kpis.KPI_BY_KEY["conflicts"])
                                          .label) if p.key != "conflicts_lost"
              else _("Conflicts not lost"),
              "value": kpi_text(p.key, d.values.get(p.key)) if p.key != "conflicts_lost"
              else f"{d.values['conflicts_lost']} / {d.values['conflicts']}",
              "rule": str(scoring.PART_RULES[p.key]), "weight": p.weight,
              "part": None if p.part is None else f"{float(p.part) * 100:.0f} %",
              "points": None if p.part is None else f"{float(p.points):.1f}"}
             for p in result.parts]
    on_date = min(today, period.end) if period.start <= today else period.end
    progress = program_progress(dealer, on_date)
    year = period.year
    series = series_.dealer_series(dealer.id, period)
    chart_list = [sales_chart(series.sales, series.lines.year_targets(), year, locale)]
    lines = line_chart(series.lines, period, locale)
    chart_list += [lines] if lines is not None else []
    chart_list += [progress_chart(p, locale) for p in progress]
    chart_list += [win_rate_chart(series.win_rate, year, locale),
                   conflict_chart(d.values, d.extra), depth_chart(d.values, d.extra)]
    region = db.session.get(Region, dealer.region_id)
    return {
        "dealer": {"code": dealer.code, "name": dealer.name, "tier": dealer.tier,
                   "tier_label": str(TIER_LABELS.get(dealer.tier, dealer.tier)),
                   "region": region.label(locale) if region else ""},
        "period": {"code": period.code, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "is_quarter": period.quarter is not None},
        "groups": groups, "values": d.values,
        "score": result.score, "advice": result.advice,
        "advice_label": str(scoring.ADVICE_LABELS[result.advice]) if result.advice else "",
        "why": why(result, thresholds), "parts": parts,
        "thresholds": thresholds,
        "charts": [_chart_dict(c) for c in chart_list],
    }


def why(result: scoring.Score, thresholds: dict) -> str:
    if result.score is None:
        return _("No weighted KPI has a value in this period, so there is no score.")
    advice = result.advice
    if advice == scoring.PROMOTE:
        text = _("Score %(score)d reaches the promote threshold of %(t)d.", score=result.score,
                 t=thresholds[scoring.PROMOTE])
    elif advice == scoring.DEMOTE:
        text = _("Score %(score)d is below the watch threshold of %(t)d.", score=result.score,
                 t=thresholds[scoring.WATCH])
    else:
        upper = scoring.PROMOTE if advice == scoring.KEEP else scoring.KEEP
        text = _("Score %(score)d is at least %(low)d (%(advice)s) and below %(high)d (%(upper)s).",
                 score=result.score, low=thresholds[advice],
                 advice=str(scoring.ADVICE_LABELS[advice]), high=thresholds[upper],
                 upper=str(scoring.ADVICE_LABELS[upper]))
    missing = [str(kpis.KPI_BY_KEY[k].label) for k in result.missing if k in kpis.KPI_BY_KEY]
    if missing:
        text += " " + _("Left out for lack of a value: %(kpis)s.", kpis=", ".join(missing))
    return text


def _chart_dict(chart: Chart) -> dict:
    return {"key": chart.key, "title": chart.title, "summary": chart.summary,
            "header": chart.header, "rows": chart.rows, "svg": chart.svg, "note": chart.note}
