"""Tier bands of a rebate program and the rebate of one sales figure: pure, integer arithmetic.

A program's tier table is a list of half-open, contiguous bands `[threshold_i, threshold_{i+1})`,
the first starting at 0 and the last open-ended. Sales exactly on a threshold are in the upper
band; one fen below, the lower. Money is integer fen, rates integer basis points; see
`portal.rebates.calc` for a dealer's whole entitlement.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
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


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown rebate mode {mode!r}; expected one of {MODES}")


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


def _require_int(value: object, name: str) -> None:
    # bool is an int subclass and float is never money: both are mistakes upstream.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer (fen or bp), not {type(value).__name__}")
