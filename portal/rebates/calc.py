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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from portal.core.money import format_money

BP_SCALE = 10_000
MODES = ("all_units", "incremental")
TREATMENTS = ("include", "exclude", "rate_bp")
#: Reason code on an exclusion row; templates translate it.
REASON_EXCEPTION_PRICE = "exception_price"


class BandError(ValueError):
    """A tier table that cannot be used; `.code` is one of empty, first_not_zero, not_increasing,
    rate_range (forms translate the code, the English message is for logs and the CLI)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Band:
    """One band: from `threshold_fen` (inclusive) up to the next band's threshold (exclusive)."""

    threshold_fen: int
    rate_bp: int


class BandPart(NamedTuple):
    """The part of sales that falls in one band and what it earns, exact (not yet rounded)."""

    band: Band
    part_fen: int
    amount_exact: Decimal


@dataclass(frozen=True, slots=True)
class RebateResult:
    """The rebate on one sales figure. `parts` sums exactly to `amount_exact`: for `incremental` one
    part per band up to and including the band reached (its part may be 0 when sales sit exactly on
    its threshold); for `all_units` a single part, the band reached with all sales; empty when net
    sales are zero or negative."""

    mode: str
    sales_fen: int
    amount_fen: int
    amount_exact: Decimal
    band_index: int
    rate_bp: int
    gap_to_next_fen: int | None
    parts: tuple[BandPart, ...]


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


# --- bands -----------------------------------------------------------------------------------------

def validate_bands(bands: Iterable[Band | tuple[int, int]]) -> list[Band]:
    """Check a tier table and return it as a list of `Band`; accepts `Band`s or (threshold, rate)
    pairs. Raises `BandError`: `empty`, `first_not_zero`, `not_increasing` (thresholds must rise
    strictly, so no band is empty) or `rate_range` (0..10,000 bp)."""
    result = [b if isinstance(b, Band) else Band(*b) for b in bands]
    if not result:
        raise BandError("empty", "A rebate program needs at least one band.")
    for i, band in enumerate(result, start=1):
        _require_int(band.threshold_fen, f"band {i} threshold")
        _require_int(band.rate_bp, f"band {i} rate")
        if i == 1 and band.threshold_fen != 0:
            raise BandError("first_not_zero", f"The first band must start at ¥0.00, not at "
                                              f"{format_money(band.threshold_fen)}.")
        if i > 1 and band.threshold_fen <= result[i - 2].threshold_fen:
            raise BandError("not_increasing", f"Band {i} starts at {format_money(band.threshold_fen)}, "
                                              f"which is not above the previous band's "
                                              f"{format_money(result[i - 2].threshold_fen)}.")
        if not 0 <= band.rate_bp <= BP_SCALE:
            raise BandError("rate_range", f"Band {i} has a rate of {band.rate_bp} bp; rates run from "
                                          f"0 to {BP_SCALE} bp (0% to 100%).")
    return result


def band_reached(bands: Sequence[Band], sales_fen: int) -> tuple[int, Band]:
    """The band that `sales_fen` falls in, as (0-based index, band). Sales on a threshold belong
    to the band starting there; zero and negative sales are in the first band."""
    bands = validate_bands(bands)
    _require_int(sales_fen, "sales")
    index = max(bisect_right([b.threshold_fen for b in bands], sales_fen) - 1, 0)
    return index, bands[index]


def next_band_gap(bands: Sequence[Band], sales_fen: int) -> int | None:
    """Fen still needed to reach the next band (always ≥ 1), or None in the top band."""
    bands = validate_bands(bands)
    index, _ = band_reached(bands, sales_fen)
    if index + 1 >= len(bands):
        return None
    return bands[index + 1].threshold_fen - sales_fen


def band_schedule(bands: Sequence[Band], sales_fen: int, mode: str) -> list[BandPart]:
    """The band-by-band schedule of `sales_fen`: under `incremental` one part per band up to the
    band reached (sales in the band × its rate, exact); under `all_units` the band reached with all
    sales. Empty for zero or negative sales. What a statement prints so that a dealer can check its
    amount by hand (DESIGN §3.6)."""
    bands = validate_bands(bands)
    _check_mode(mode)
    _require_int(sales_fen, "sales")
    return _parts(bands, sales_fen, mode)


def units_to_fen(units: int) -> int:
    """An exact amount in 1/10,000 fen (sales fen × rate bp) rounded ROUND_HALF_UP to the fen."""
    _require_int(units, "amount (1/10,000 fen)")
    return _div_half_up(units, BP_SCALE)


def effective_rate(amount_fen: int, sales_fen: int) -> Decimal | None:
    """amount ÷ sales as a percentage with four decimals, ROUND_HALF_UP (for display only: it
    explains an amount, it never computes one). None when there are no sales."""
    _require_int(amount_fen, "amount")
    _require_int(sales_fen, "sales")
    if sales_fen <= 0:
        return None
    hundred_thousandths = _div_half_up(amount_fen * 1_000_000, sales_fen)  # 1/10,000 of a percent
    return Decimal(f"{hundred_thousandths}E-4")


# --- one sales figure ------------------------------------------------------------------------------

def rebate_amount(bands: Sequence[Band], sales_fen: int, mode: str) -> RebateResult:
    """The rebate on `sales_fen` under `mode`, rounded half-up to the fen once, at the end (per-band
    amounts in `parts` stay exact)."""
    bands = validate_bands(bands)
    _check_mode(mode)
    index, band = band_reached(bands, sales_fen)
    parts = _parts(bands, sales_fen, mode)
    units = sum(p.part_fen * p.band.rate_bp for p in parts)
    return RebateResult(mode=mode, sales_fen=sales_fen, amount_fen=_div_half_up(units, BP_SCALE),
                        amount_exact=_exact(units), band_index=index, rate_bp=band.rate_bp,
                        gap_to_next_fen=next_band_gap(bands, sales_fen), parts=tuple(parts))


def _parts(bands: list[Band], sales_fen: int, mode: str) -> list[BandPart]:
    if sales_fen <= 0:
        return []
    index = bisect_right([b.threshold_fen for b in bands], sales_fen) - 1
    if mode == "all_units":
        band = bands[index]
        return [BandPart(band, sales_fen, _exact(sales_fen * band.rate_bp))]
    parts = []
    for i, band in enumerate(bands[:index + 1]):
        upper = bands[i + 1].threshold_fen if i < index else sales_fen
        part = upper - band.threshold_fen
        parts.append(BandPart(band, part, _exact(part * band.rate_bp)))
    return parts


# --- a dealer's entitlement ------------------------------------------------------------------------

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
    unknown = set(exceptions) - set(sales_by_line)
    if unknown:
        raise ValueError(f"exception sales for lines without qualifying sales: {sorted(unknown)}")
    for line, value in [*sales_by_line.items(), *exceptions.items()]:
        _require_int(value, f"sales of line {line!r}")
    _check_optional(growth_bonus_bp, "growth bonus (bp)", 0, BP_SCALE)
    _check_optional(growth_pct_bp, "growth (bp)", 0, None)  # growth above 100% is allowed
    _check_optional(last_year_sales_fen, "last year's sales (fen)", None, None)
    _check_optional(cap_fen, "cap (fen)", 0, None)

    lines = list(sales_by_line)
    counted, band_rated, override, exclusions = {}, {}, {}, []
    for line in lines:
        sales, exception = sales_by_line[line], exceptions.get(line, 0)
        counted[line] = sales - exception if treatment == "exclude" else sales
        override[line] = exception if treatment == "rate_bp" else 0
        band_rated[line] = counted[line] - override[line]
        if treatment == "exclude" and exception:
            exclusions.append(Exclusion(line, exception))

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

    growth_met, growth_target, growth_bonus = False, None, 0
    if growth_bonus_bp is not None and last_year_sales_fen is not None and last_year_sales_fen > 0:
        growth = growth_pct_bp or 0
        growth_target = -(-last_year_sales_fen * (BP_SCALE + growth) // BP_SCALE)  # ceiling
        growth_met = total > 0 and total >= growth_target
        if growth_met:
            growth_bonus = _div_half_up(total * growth_bonus_bp, BP_SCALE)

    uncapped = lines_total + growth_bonus
    cap_applied = cap_fen is not None and uncapped > cap_fen
    reduction = uncapped - cap_fen if cap_applied else 0
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
        if any(line not in sales_by_line for line in exceptions):
            raise ValueError(f"exception sales for lines without qualifying sales: "
                             f"{sorted(set(exceptions) - set(sales_by_line))}")
        for line, value in [*sales_by_line.items(), *exceptions.items()]:
            _require_int(value, f"sales of line {line!r}")
        _check_optional(last_year_sales_fen, "last year's sales (fen)", None, None)
        treatment, override_bp = self.treatment, self.override_bp
        lines, counted, override, exclusions = [], [], [], []
        for line, sales in sales_by_line.items():
            exception = exceptions.get(line, 0)
            lines.append(line)
            if treatment == "exclude":
                counted.append(sales - exception)
                override.append(0)
                if exception:
                    exclusions.append(Exclusion(line, exception))
            else:
                counted.append(sales)
                override.append(exception if treatment == "rate_bp" else 0)

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
            amounts = [(2 * s + denominator) // (2 * denominator) for s in shares]
            remainder = lines_total - sum(amounts)
            if remainder:
                for i in sorted(range(len(shares)), key=lambda i: -shares[i]):
                    if remainder == 0:
                        break
                    take = remainder if remainder > 0 else max(remainder, -amounts[i])
                    amounts[i] += take
                    remainder -= take
        else:
            lines_total, amounts = 0, [0] * len(lines)
        row_override_bp = override_bp if treatment == "rate_bp" else None
        rows = tuple(LineRow(line, c, index, rate, amount, o, row_override_bp)
                     for line, c, amount, o in zip(lines, counted, amounts, override, strict=True))

        growth_met, growth_target, growth_bonus = False, None, 0
        if self.growth_bonus_bp is not None and last_year_sales_fen is not None \
                and last_year_sales_fen > 0:
            growth = self.growth_pct_bp or 0
            growth_target = -(-last_year_sales_fen * (BP_SCALE + growth) // BP_SCALE)  # ceiling
            growth_met = total > 0 and total >= growth_target
            if growth_met:
                growth_bonus = _div_half_up(total * self.growth_bonus_bp, BP_SCALE)

        uncapped = lines_total + growth_bonus
        cap_applied = self.cap_fen is not None and uncapped > self.cap_fen
        reduction = uncapped - self.cap_fen if cap_applied else 0
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


# --- helpers ---------------------------------------------------------------------------------------

def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown rebate mode {mode!r}; expected one of {MODES}")


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


def _require_int(value: object, name: str) -> None:
    # bool is an int subclass and float is never money: both are mistakes upstream.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer (fen or bp), not {type(value).__name__}")


def _weights(values: Mapping[str, int]) -> dict[str, Fraction]:
    """Each line's fraction of the positive values: a line with net returns gets no share."""
    positive = sum(v for v in values.values() if v > 0)
    return {line: Fraction(max(v, 0), positive) if positive else Fraction(0)
            for line, v in values.items()}


def _allocate(total: int, shares: list[Fraction]) -> list[int]:
    """Round each exact share once and put the remainder on the largest share, so that the rounded
    shares sum exactly to `total` and none goes below zero."""
    rounded = [_round(s) for s in shares]
    remainder = total - sum(rounded)
    for i in sorted(range(len(shares)), key=lambda i: -shares[i]):  # stable: input order on ties
        if remainder == 0:
            break
        take = remainder if remainder > 0 else max(remainder, -rounded[i])
        rounded[i] += take
        remainder -= take
    return rounded


def _div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded ROUND_HALF_UP (halves away from zero), in integers."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator < 0:
        return -((-2 * numerator + denominator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


def _round(value: Fraction) -> int:
    return _div_half_up(value.numerator, value.denominator)


def _exact(units: int) -> Decimal:
    """Integer 1/10,000-fen units → exact Decimal fen (built from text: no context rounding)."""
    return Decimal(f"{units}E-4")
