"""Rebate arithmetic for tiered programs (DESIGN.md §3.6): pure functions, no app, no database.

Units: money is integer fen, rates are integer basis points (1% = 100 bp). A program's tier table is
a list of half-open, contiguous bands `[threshold_i, threshold_{i+1})`, the first starting at 0 and
the last open-ended. Sales exactly on a threshold are in the upper band; one fen below, the lower.

Exactness: every amount is first computed exactly — integer numerators in 1/10,000 fen, or
`Fraction` where a share has to be taken — and then rounded ROUND_HALF_UP (四舍五入) to the fen
exactly once per amount that is shown to anybody. `compute_entitlement` lists the rounding points.

`compute_entitlement` is the reference, written for reading; `Terms` computes the same results for
many dealers of one program (a preview of thousands), checking the terms once and working in
integers instead of `Fraction`s. Tests hold the two equal.

Modes:
- `all_units` (retroactive): the rate of the band reached applies to all qualifying sales.
- `incremental`: each band's rate applies only to the part of sales inside that band.

Net sales of zero or less (returns and cancellations exceeding sales) earn nothing.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from portal.rebates.bands import (  # noqa: F401  (the rebate arithmetic is read from here)
    BP_SCALE,
    MODES,
    REASON_EXCEPTION_PRICE,
    TREATMENTS,
    Band,
    BandError,
    BandPart,
    RebateResult,
    _check_mode,
    _div_half_up,
    _exact,
    _parts,
    _require_int,
    _round,
    band_reached,
    band_schedule,
    effective_rate,
    next_band_gap,
    rebate_amount,
    units_to_fen,
    validate_bands,
)


@dataclass(frozen=True, slots=True)
class LineRow:
    """One statement line: a product line's qualifying sales and its share of the rebate.

    `band_index`/`rate_bp` are those of the band the dealer reached on its total, the same on every
    row. Under `incremental` the row amount is the line's proportional share of the whole schedule,
    so it is not `sales × rate`. Under the `rate_bp` exception treatment `override_sales_fen` of the
    row's sales earned `override_rate_bp` instead of the band rate."""

    line: str
    sales_fen: int
    band_index: int
    rate_bp: int
    amount_fen: int
    override_sales_fen: int = 0
    override_rate_bp: int | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Sales left out of the rebate, with a reason code (only `exception_price` so far)."""

    line: str
    sales_fen: int
    reason: str = REASON_EXCEPTION_PRICE


@dataclass(frozen=True, slots=True)
class Entitlement:
    """A dealer's rebate entitlement for one program period, ready to print.

    `lines_total_fen` = Σ row amounts; `uncapped_fen` = lines_total + growth bonus;
    `total_fen` = uncapped − `cap_reduction_fen`."""

    mode: str
    qualifying_sales_fen: int
    band_index: int
    band: Band
    rate_bp: int
    gap_to_next_fen: int | None
    rows: tuple[LineRow, ...]
    exclusions: tuple[Exclusion, ...]
    lines_total_fen: int
    growth_met: bool
    growth_target_fen: int | None
    growth_bonus_fen: int
    uncapped_fen: int
    cap_applied: bool
    cap_reduction_fen: int
    total_fen: int


def compute_entitlement(
    sales_by_line: Mapping[str, int],
    exception_sales_by_line: Mapping[str, int] | None = None,
    *,
    bands: Sequence[Band],
    mode: str,
    exception_treatment: str | tuple[str, int] = "include",
    growth_bonus_bp: int | None = None,
    growth_pct_bp: int | None = None,
    last_year_sales_fen: int | None = None,
    cap_fen: int | None = None,
) -> Entitlement:
    """A dealer's entitlement for one period of a program.

    Inputs: `sales_by_line` — net qualifying sales (confirmed orders, eligible lines) per product
    line, *including* exception-priced sales; `exception_sales_by_line` — the part of each line's
    sales that was bought at exception prices (a line absent there has none).

    Exception treatment: `"include"` — exception-priced sales are ordinary sales; `"exclude"` — they
    neither count towards the band nor earn anything, and are listed as exclusions;
    `("rate_bp", n)` — they count towards the band reached (they are real volume) but earn the flat
    rate n instead of the schedule.

    Band: reached on the dealer's TOTAL counted sales across eligible lines, as tier programs work
    (not line by line). The schedule amount for that total is then shared between the band-rated
    sales and the override-rate sales pro rata; under `incremental` that means band-rated sales earn
    the schedule's average rate, so no one has to decide which band exception sales "filled".
    Returns in one line reduce the dealer's total; if the total is zero or less nothing is earned.

    Growth bonus: `growth_bonus_bp` extra on all counted sales when sales ≥ (1 + growth_pct_bp) ×
    `last_year_sales_fen` (compared exactly in integers; `growth_pct_bp` None means 0). No bonus
    when last year is None or ≤ 0: there is no baseline to grow from, and an infinite growth
    ratio is not what the bonus rewards. The cap applies to rows + growth bonus together.

    Rounding (ROUND_HALF_UP to the fen, once per displayed amount, nowhere else):
    1. `lines_total_fen` — the exact band-rated amount + the exact override amount, rounded once;
    2. each row — its exact proportional share (by band-rated sales, plus by override sales for
       the override amount), rounded once; the remainder that makes rows sum exactly to
       `lines_total_fen` goes to the row with the largest exact share (first in input order on a
       tie; if a negative remainder exceeds that row, the rest goes to the next largest);
    3. `growth_bonus_fen` — counted sales × bonus bp / 10,000, rounded once.
    `uncapped_fen`, `cap_reduction_fen` and `total_fen` are integer sums and differences.
    """
    bands = validate_bands(bands)
    _check_mode(mode)
    treatment, override_bp = _parse_treatment(exception_treatment)
    exceptions = dict(exception_sales_by_line or {})
    _check_sales(sales_by_line, exceptions)
    _check_optional(growth_bonus_bp, "growth bonus (bp)", 0, BP_SCALE)
    _check_optional(growth_pct_bp, "growth (bp)", 0, None)  # growth above 100% is allowed
    _check_optional(last_year_sales_fen, "last year's sales (fen)", None, None)
    _check_optional(cap_fen, "cap (fen)", 0, None)

    lines, counted_list, override_list, exclusions = _split_sales(sales_by_line, exceptions, treatment)
    counted, override = dict(zip(lines, counted_list, strict=True)), dict(zip(lines, override_list, strict=True))
    band_rated = {line: counted[line] - override[line] for line in lines}

    total = sum(counted.values())
    index, band = band_reached(bands, total)
    base_exact = override_exact = Fraction(0)
    if total > 0:
        # Clamp so that netted returns never make either share negative.
        override_total = min(max(sum(override.values()), 0), total)
        schedule = Fraction(sum(p.part_fen * p.band.rate_bp for p in _parts(bands, total, mode)), BP_SCALE)
        base_exact = schedule * (total - override_total) / total
        override_exact = Fraction(override_total * override_bp, BP_SCALE)
    lines_total = _round(base_exact + override_exact)
    band_weights, override_weights = _weights(band_rated), _weights(override)
    shares = [base_exact * band_weights[line] + override_exact * override_weights[line]
              for line in lines]
    amounts = _allocate(lines_total, shares)
    rows = tuple(
        LineRow(line, counted[line], index, band.rate_bp, amount,
                override[line], override_bp if treatment == "rate_bp" else None)
        for line, amount in zip(lines, amounts, strict=True))

    growth_met, growth_target, growth_bonus = _growth(total, growth_bonus_bp, growth_pct_bp,
                                                      last_year_sales_fen)
    uncapped, cap_applied, reduction = _capped(lines_total + growth_bonus, cap_fen)
    return Entitlement(
        mode=mode, qualifying_sales_fen=total, band_index=index, band=band, rate_bp=band.rate_bp,
        gap_to_next_fen=next_band_gap(bands, total), rows=rows, exclusions=tuple(exclusions),
        lines_total_fen=lines_total, growth_met=growth_met, growth_target_fen=growth_target,
        growth_bonus_fen=growth_bonus, uncapped_fen=uncapped, cap_applied=cap_applied,
        cap_reduction_fen=reduction, total_fen=uncapped - reduction)


class Terms:
    """A program's terms, validated once, for computing many dealers' entitlements fast.

    `Terms(bands=…, mode=…, …).entitlement(sales, exceptions, last_year)` returns exactly what
    `compute_entitlement` returns for the same arguments (tests compare the two on thousands of
    random programs and sales), but the band table and the terms are checked once per program
    instead of once per dealer, and the exact amounts are integer numerators over one common
    denominator instead of `Fraction`s. `compute_entitlement` stays the readable reference.
    """

    __slots__ = ("bands", "mode", "treatment", "override_bp", "growth_bonus_bp", "growth_pct_bp",
                 "cap_fen", "_thresholds", "_rates", "_units_below")

    def __init__(self, *, bands: Sequence[Band], mode: str,
                 exception_treatment: str | tuple[str, int] = "include",
                 growth_bonus_bp: int | None = None, growth_pct_bp: int | None = None,
                 cap_fen: int | None = None):
        self.bands = tuple(validate_bands(bands))
        _check_mode(mode)
        self.mode = mode
        self.treatment, self.override_bp = _parse_treatment(exception_treatment)
        _check_optional(growth_bonus_bp, "growth bonus (bp)", 0, BP_SCALE)
        _check_optional(growth_pct_bp, "growth (bp)", 0, None)
        _check_optional(cap_fen, "cap (fen)", 0, None)
        self.growth_bonus_bp, self.growth_pct_bp, self.cap_fen = growth_bonus_bp, growth_pct_bp, cap_fen
        self._thresholds = [b.threshold_fen for b in self.bands]
        self._rates = [b.rate_bp for b in self.bands]
        #: Incremental schedule, in 1/10,000 fen, earned by sales exactly on each threshold.
        below = [0]
        for i in range(1, len(self.bands)):
            below.append(below[-1] + (self._thresholds[i] - self._thresholds[i - 1]) * self._rates[i - 1])
        self._units_below = below

    def entitlement(self, sales_by_line: Mapping[str, int],
                    exception_sales_by_line: Mapping[str, int] | None = None,
                    last_year_sales_fen: int | None = None) -> Entitlement:
        """One dealer's entitlement under these terms; see `compute_entitlement` for the rules,
        the inputs and the rounding points."""
        exceptions = exception_sales_by_line or {}
        _check_sales(sales_by_line, exceptions)
        _check_optional(last_year_sales_fen, "last year's sales (fen)", None, None)
        treatment, override_bp = self.treatment, self.override_bp
        lines, counted, override, exclusions = _split_sales(sales_by_line, exceptions, treatment)

        total = sum(counted)
        index = bisect_right(self._thresholds, total) - 1
        if index < 0:
            index = 0
        band, rate = self.bands[index], self._rates[index]
        if total > 0:
            override_total = min(max(sum(override), 0), total)
            if self.mode == "all_units":
                schedule = total * rate  # 1/10,000 fen
            else:
                schedule = self._units_below[index] + (total - self._thresholds[index]) * rate
            # base = schedule × (total − override) / (total × 10,000); override = units / 10,000
            base_units = schedule * (total - override_total)
            override_units = override_total * override_bp
            lines_total = _div_half_up(base_units + override_units * total, total * BP_SCALE)
            band_parts = [max(c - o, 0) for c, o in zip(counted, override, strict=True)]
            override_parts = [max(o, 0) for o in override]
            band_sum, override_sum = sum(band_parts) or 1, sum(override_parts) or 1
            # Each row's exact share, as a numerator over one common denominator.
            denominator = total * BP_SCALE * band_sum * override_sum
            base_factor, override_factor = base_units * override_sum, override_units * total * band_sum
            shares = [base_factor * b + override_factor * o
                      for b, o in zip(band_parts, override_parts, strict=True)]
            amounts = _settle([(2 * s + denominator) // (2 * denominator) for s in shares],
                              shares, lines_total)
        else:
            lines_total, amounts = 0, [0] * len(lines)
        row_override_bp = override_bp if treatment == "rate_bp" else None
        rows = tuple(LineRow(line, c, index, rate, amount, o, row_override_bp)
                     for line, c, amount, o in zip(lines, counted, amounts, override, strict=True))

        growth_met, growth_target, growth_bonus = _growth(total, self.growth_bonus_bp,
                                                          self.growth_pct_bp, last_year_sales_fen)
        uncapped, cap_applied, reduction = _capped(lines_total + growth_bonus, self.cap_fen)
        gap = self._thresholds[index + 1] - total if index + 1 < len(self._thresholds) else None
        return Entitlement(
            mode=self.mode, qualifying_sales_fen=total, band_index=index, band=band, rate_bp=rate,
            gap_to_next_fen=gap, rows=rows, exclusions=tuple(exclusions),
            lines_total_fen=lines_total, growth_met=growth_met, growth_target_fen=growth_target,
            growth_bonus_fen=growth_bonus, uncapped_fen=uncapped, cap_applied=cap_applied,
            cap_reduction_fen=reduction, total_fen=uncapped - reduction)


def supplementary_amount(cumulative_entitlement_fen: int, already_issued_fen: int) -> int:
    """What a supplementary statement carries: cumulative entitlement − already issued. Negative
    is a claw-back; an issued statement is never edited (DESIGN.md §3.6)."""
    _require_int(cumulative_entitlement_fen, "cumulative entitlement")
    _require_int(already_issued_fen, "already issued")
    return cumulative_entitlement_fen - already_issued_fen


def _check_sales(sales_by_line: Mapping[str, int], exceptions: Mapping[str, int]) -> None:
    unknown = set(exceptions) - set(sales_by_line)
    if unknown:
        raise ValueError(f"exception sales for lines without qualifying sales: {sorted(unknown)}")
    for line, value in [*sales_by_line.items(), *exceptions.items()]:
        _require_int(value, f"sales of line {line!r}")


def _split_sales(sales_by_line: Mapping[str, int], exceptions: Mapping[str, int],
                 treatment: str) -> tuple[list, list[int], list[int], list[Exclusion]]:
    """(lines, counted sales, override-rated sales, exclusions), line by line in input order:
    excluded exception sales neither count nor earn; rate_bp ones count and earn the flat rate."""
    lines, counted, override, exclusions = [], [], [], []
    for line, sales in sales_by_line.items():
        exception = exceptions.get(line, 0)
        lines.append(line)
        counted.append(sales - exception if treatment == "exclude" else sales)
        override.append(exception if treatment == "rate_bp" else 0)
        if treatment == "exclude" and exception:
            exclusions.append(Exclusion(line, exception))
    return lines, counted, override, exclusions


def _growth(total: int, bonus_bp: int | None, growth_bp: int | None,
            last_year_fen: int | None) -> tuple[bool, int | None, int]:
    """(met, target, bonus): the bonus on all counted sales once they reach last year × (1 +
    growth); no baseline (None or ≤ 0), no bonus."""
    if bonus_bp is None or last_year_fen is None or last_year_fen <= 0:
        return False, None, 0
    target = -(-last_year_fen * (BP_SCALE + (growth_bp or 0)) // BP_SCALE)  # ceiling
    met = total > 0 and total >= target
    return met, target, _div_half_up(total * bonus_bp, BP_SCALE) if met else 0


def _capped(uncapped: int, cap_fen: int | None) -> tuple[int, bool, int]:
    """(uncapped, cap applied, reduction) of rows + growth bonus under the program's cap."""
    applied = cap_fen is not None and uncapped > cap_fen
    return uncapped, applied, uncapped - cap_fen if applied else 0


def _parse_treatment(treatment: str | tuple[str, int] | list) -> tuple[str, int]:
    """("include" | "exclude" | "rate_bp", override rate in bp — 0 unless "rate_bp")."""
    if treatment in ("include", "exclude"):
        return treatment, 0
    if isinstance(treatment, tuple | list) and len(treatment) == 2 and treatment[0] == "rate_bp":
        rate = treatment[1]
        _require_int(rate, "exception override rate")
        if not 0 <= rate <= BP_SCALE:
            raise ValueError(f"exception override rate of {rate} bp is out of range (0..{BP_SCALE})")
        return "rate_bp", rate
    raise ValueError(f"unknown exception treatment {treatment!r}; expected 'include', 'exclude' "
                     f"or ('rate_bp', n)")


def _check_optional(value: int | None, name: str, low: int | None, high: int | None) -> None:
    if value is None:
        return
    _require_int(value, name)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} of {value} is out of range")


def _weights(values: Mapping[str, int]) -> dict[str, Fraction]:
    """Each line's fraction of the positive values: a line with net returns gets no share."""
    positive = sum(v for v in values.values() if v > 0)
    return {line: Fraction(max(v, 0), positive) if positive else Fraction(0)
            for line, v in values.items()}


def _allocate(total: int, shares: list[Fraction]) -> list[int]:
    """Round each exact share once and put the remainder on the largest share, so that the rounded
    shares sum exactly to `total` and none goes below zero."""
    return _settle([_round(s) for s in shares], shares, total)


def _settle(rounded: list[int], shares: list, total: int) -> list[int]:
    """Put what the rounded shares miss of `total` on the largest exact shares (input order on a
    tie), never taking a share below zero. Shared by the reference and the fast path."""
    remainder = total - sum(rounded)
    for i in sorted(range(len(shares)), key=lambda i: -shares[i]):  # stable: input order on ties
        if remainder == 0:
            break
        take = remainder if remainder > 0 else max(remainder, -rounded[i])
        rounded[i] += take
        remainder -= take
    return rounded
