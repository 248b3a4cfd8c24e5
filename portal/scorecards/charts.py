"""Charts as server-rendered SVG: plain data in, a `Chart` out (title, summary, table, SVG).

Why not a charting library: the portal's CSP is `script-src 'self'; style-src 'self'`, so an
inline SVG may carry neither script nor style elements nor style attributes — pygal and leather
both emit them — and a chart drawn in the browser from data attributes needs a
vendored script and shows nothing without JavaScript, in the PDF or to a screen reader. These
few shapes (bars, grouped and stacked bars with a target line, a line, a banded bar) are drawn
here with presentation attributes only (`fill`, `stroke`, `font-size`), which the CSP allows,
browsers and WeasyPrint render alike, and which print. Every chart carries its title and a text
summary inside the SVG (`<title>`, `<desc>`, read by screen readers), and its numbers as a table
that the template prints under it (`templates/scorecards/_chart.html`).

All values are integers (fen, bp, counts); the SVG's numbers are computed with floats only for
geometry. Text in the SVG is escaped.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40
#: Colour-blind-safe palette (Okabe–Ito), in series order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999"]
TARGET_COLOUR = "#D55E00"
AXIS_COLOUR = "#666666"
GRID_COLOUR = "#dddddd"
FONT = 'font-family="Noto Sans SC, Noto Sans CJK SC, sans-serif"'

_ids = itertools.count(1)


@dataclass
class Series:
    name: str
    values: list  #: int or None per category
    colour: str | None = None


@dataclass
class Chart:
    key: str
    title: str
    summary: str
    header: list[str]
    rows: list[list[str]]
    svg: Markup = field(default_factory=lambda: Markup(""))
    #: A note under the chart (e.g. a KPI definition).
    note: str = ""


# --- number formats --------------------------------------------------------------------------------

def _half_up(value: Decimal, places: str = "1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def compact_money(fen: int | None, locale: str) -> str:
    """¥1.2M / ¥120万 — axis labels; tables show exact amounts."""
    if fen is None:
        return "–"
    yuan = Decimal(fen) / 100
    sign = "-" if yuan < 0 else ""
    yuan = abs(yuan)
    if locale.startswith("zh"):
        for size, unit in ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万")):
            if yuan >= size:
                return f"{sign}¥{_half_up(yuan / size, '0.1').normalize():f}{unit}"
    else:
        for size, unit in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
            if yuan >= size:
                return f"{sign}¥{_half_up(yuan / size, '0.1').normalize():f}{unit}"
    return f"{sign}¥{_half_up(yuan):f}"


def percent(bp: int | None) -> str:
    if bp is None:
        return "–"
    return f"{_half_up(Decimal(bp) / 100, '0.1'):f} %"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _t(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 11,
       colour: str = "#333333", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" fill="{colour}" {FONT}>{escape(text)}</text>')


def _frame(chart: Chart, body: list[str], height: int = HEIGHT) -> Markup:
    n = next(_ids)
    title_id, desc_id = f"chart-{chart.key}-{n}-t", f"chart-{chart.key}-{n}-d"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" class="chart-svg" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(chart.summary)}</desc>' + "".join(body) + "</svg>")


def _axis(maximum: float, fmt, height: int = HEIGHT) -> list[str]:
    body = []
    plot_h = height - TOP - BOTTOM
    for i in range(5):
        value = maximum * i / 4
        y = height - BOTTOM - plot_h * i / 4
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                    f'stroke="{GRID_COLOUR if i else AXIS_COLOUR}" stroke-width="1"/>')
        body.append(_t(LEFT - 4, y + 4, fmt(int(value)), anchor="end", size=10))
    return body


def _legend(series: list[tuple[str, str, str]], height: int = HEIGHT) -> list[str]:
    """(name, colour, shape 'box'|'line') under the x axis labels."""
    body, x = [], LEFT
    y = height - 8
    for name, colour, shape in series:
        if shape == "line":
            body.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 14}" y2="{y - 4}" stroke="{colour}" '
                        f'stroke-width="2" stroke-dasharray="4 2"/>')
        else:
            body.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        body.append(_t(x + 18, y, name, anchor="start", size=10))
        x += 26 + 7 * len(name) + 7 * sum(1 for ch in name if ord(ch) > 0x2E80)
    return body


# --- chart shapes ----------------------------------------------------------------------------------

def bars(chart: Chart, categories: list[str], series: list[Series], *, fmt, stacked=False,
         line: Series | None = None) -> Chart:
    """Grouped (or stacked) vertical bars per category, optionally with a dashed target line."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    totals = [sum(v or 0 for v in vals) for vals in zip(*(s.values for s in series), strict=True)] \
        if stacked else [max((s.values[i] or 0) for s in series) for i in range(len(categories))]
    peak = max([*totals, *((v or 0) for v in (line.values if line else []))], default=0)
    # Counts get whole-number gridlines (a quarter of the axis each).
    maximum = max(4, -(-int(peak) // 4) * 4) if fmt is str and peak <= 40 else _nice_max(peak)
    body = _axis(maximum, fmt)
    slot = plot_w / max(len(categories), 1)
    groups = 1 if stacked else len(series)
    bar_w = slot * 0.7 / groups
    for i, category in enumerate(categories):
        x0 = LEFT + slot * i + slot * 0.15
        base = HEIGHT - BOTTOM
        for j, s in enumerate(series):
            value = s.values[i] or 0
            h = plot_h * value / maximum
            colour = s.colour or PALETTE[j % len(PALETTE)]
            if stacked:
                base -= h
                body.append(f'<rect x="{x0:.1f}" y="{base:.1f}" width="{bar_w:.1f}" '
                            f'height="{h:.1f}" fill="{colour}"/>')
            else:
                body.append(f'<rect x="{x0 + bar_w * j:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" '
                            f'width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}"/>')
        body.append(_t(LEFT + slot * (i + 0.5), HEIGHT - BOTTOM + 14, category, size=10))
    legend = [(s.name, s.colour or PALETTE[j % len(PALETTE)], "box") for j, s in enumerate(series)]
    if line is not None:
        points = []
        for i, value in enumerate(line.values):
            if value is None:
                continue
            y = HEIGHT - BOTTOM - plot_h * value / maximum
            points.append(f"{LEFT + slot * i + slot * 0.05:.1f},{y:.1f}")
            points.append(f"{LEFT + slot * (i + 1) - slot * 0.05:.1f},{y:.1f}")
        if points:
            body.append(f'<polyline points="{" ".join(points)}" fill="none" '
                        f'stroke="{line.colour or TARGET_COLOUR}" stroke-width="2" '
                        f'stroke-dasharray="4 2"/>')
        legend.append((line.name, line.colour or TARGET_COLOUR, "line"))
    if len(legend) > 1:
        body += _legend(legend)
    chart.svg = _frame(chart, body)
    return chart


def lines(chart: Chart, categories: list[str], series: list[Series], *, fmt,
          maximum: int | None = None) -> Chart:
    """One line per series over the categories; a gap where a value is None."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max((v for s in series for v in s.values if v is not None), default=0)
    top = maximum or _nice_max(peak)
    body = _axis(top, fmt)
    slot = plot_w / max(len(categories), 1)
    for i, category in enumerate(categories):
        body.append(_t(LEFT + slot * (i + 0.5), HEIGHT - BOTTOM + 14, category, size=10))
    for j, s in enumerate(series):
        colour = s.colour or PALETTE[j % len(PALETTE)]
        run: list[str] = []
        for i, value in enumerate([*s.values, None]):
            if value is None:
                if len(run) > 1:
                    body.append(f'<polyline points="{" ".join(run)}" fill="none" '
                                f'stroke="{colour}" stroke-width="2"/>')
                run = []
                continue
            x, y = LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_h * value / top
            run.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    if len(series) > 1:
        body += _legend([(s.name, s.colour or PALETTE[j], "box") for j, s in enumerate(series)])
    chart.svg = _frame(chart, body)
    return chart


def hbars(chart: Chart, categories: list[str], values: list[int], *, fmt,
          colours: list[str] | None = None) -> Chart:
    """One horizontal bar per category (funnels, outcomes), its value written at its end."""
    row_h = 28
    height = TOP + row_h * max(len(categories), 1) + 8
    label_w = 190
    plot_w = WIDTH - label_w - RIGHT - 40
    maximum = max(max(values, default=0), 1)
    body = []
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        y = TOP + row_h * i
        w = plot_w * (value or 0) / maximum
        colour = (colours or PALETTE)[i % len(colours or PALETTE)]
        body.append(_t(label_w - 6, y + 15, category, anchor="end", size=11))
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 8}" '
                    f'fill="{colour}"/>')
        body.append(_t(label_w + w + 4, y + 15, fmt(value), anchor="start", size=11))
    chart.svg = _frame(chart, body, height)
    return chart


def banded(chart: Chart, bands: list[tuple[int, int]], sales_fen: int, *, locale: str,
           band_label, gap_label: str = "") -> Chart:
    """A rebate program's bands side by side, equally wide (each band is a step, whatever its
    width in yuan), the part reached filled, a marker at the sales and the next threshold named.

    `bands` are (threshold_fen, rate_bp) ascending from 0. Within a band the marker sits in
    proportion to the sales between its thresholds; in the open top band, in proportion to the
    width of the band below it (full once that much beyond its threshold)."""
    height = 108 if gap_label else 96
    plot_w = WIDTH - LEFT - RIGHT
    n = max(len(bands), 1)
    step = plot_w / n
    thresholds = [b[0] for b in bands]
    top_width = (thresholds[-1] - thresholds[-2]) if len(thresholds) > 1 else max(sales_fen, 1)
    position = 0.0
    for i, threshold in enumerate(thresholds):
        upper = thresholds[i + 1] if i + 1 < n else threshold + top_width
        if sales_fen >= threshold:
            position = i + min((sales_fen - threshold) / max(upper - threshold, 1), 1.0)
    body = []
    shades = ["#cfe3f3", "#a8cbe8", "#7fb2dd", "#5699d1", "#2d80c6"]
    for i, (threshold, rate_bp) in enumerate(bands):
        x0 = LEFT + step * i
        body.append(f'<rect x="{x0:.1f}" y="26" width="{step:.1f}" height="26" '
                    f'fill="{shades[i % len(shades)]}" stroke="#ffffff" stroke-width="2"/>')
        body.append(_t(x0 + step / 2, 20, band_label(i, rate_bp), size=11))
        body.append(_t(x0 + 2, 66, compact_money(threshold, locale), anchor="start", size=10,
                       colour=AXIS_COLOUR))
    x = LEFT + step * position
    body.append(f'<rect x="{LEFT}" y="33" width="{max(x - LEFT, 0):.1f}" height="12" fill="#0072B2"/>')
    body.append(f'<line x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="56" stroke="{TARGET_COLOUR}" '
                f'stroke-width="2"/>')
    body.append(_t(min(max(x, LEFT + 30), WIDTH - RIGHT - 30), 84, compact_money(sales_fen, locale),
                   size=11, colour=TARGET_COLOUR, weight="bold"))
    if gap_label:  # the gap to the next band, written under the bar from the marker on
        body.append(_t(min(x + 4, WIDTH - RIGHT), 102, gap_label, anchor="end" if x > WIDTH / 2
                       else "start", size=11, colour="#333333"))
    chart.svg = _frame(chart, body, height)
    return chart
