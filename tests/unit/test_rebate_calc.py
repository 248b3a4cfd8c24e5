"""Rebate arithmetic: bands, both modes, entitlement with exceptions, growth, cap (DESIGN.md §3.6)."""
from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal.rebates.calc import (
    Band,
    BandError,
    Exclusion,
    Terms,
    band_reached,
    band_schedule,
    compute_entitlement,
    effective_rate,
    next_band_gap,
    rebate_amount,
    supplementary_amount,
    units_to_fen,
    validate_bands,
)

YUAN = 100  # fen per yuan
# The worked example of DESIGN.md §3.6: [0, ¥500k) 1%, [¥500k, ¥1M) 2%, [¥1M, ∞) 3%.
BANDS = [Band(0, 100), Band(500_000 * YUAN, 200), Band(1_000_000 * YUAN, 300)]
T1, T2 = 500_000 * YUAN, 1_000_000 * YUAN


def entitlement(sales, exceptions=None, **terms):
    terms.setdefault("bands", BANDS)
    terms.setdefault("mode", "all_units")
    return compute_entitlement(sales, exceptions, **terms)


# --- the worked example ---------------------------------------------------------------------------

def test_worked_example_all_units():
    result = rebate_amount(BANDS, 1_200_000 * YUAN, "all_units")
    assert result.amount_fen == 3_600_000  # ¥36,000.00
    assert result.band_index == 2 and result.rate_bp == 300
    assert result.gap_to_next_fen is None
    assert [(p.band, p.part_fen) for p in result.parts] == [(BANDS[2], 1_200_000 * YUAN)]


def test_worked_example_incremental():
    result = rebate_amount(BANDS, 1_200_000 * YUAN, "incremental")
    assert result.amount_fen == 2_100_000  # ¥21,000.00
    assert [(p.part_fen, p.amount_exact) for p in result.parts] == [
        (500_000 * YUAN, Decimal("500000")),  # ¥5,000
        (500_000 * YUAN, Decimal("1000000")),  # ¥10,000
        (200_000 * YUAN, Decimal("600000")),  # ¥6,000
    ]
    assert sum(p.amount_exact for p in result.parts) == result.amount_exact == Decimal(2_100_000)


# --- thresholds -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sales, index, all_units, incremental", [
    (T1, 1, 1_000_000, 500_000),  # exactly on ¥500k: upper band, 2% on everything
    (T1 - 1, 0, 500_000, 500_000),  # one fen below: 1% → 499,999.99 fen rounds to 500,000
    (T2, 2, 3_000_000, 1_500_000),
    (T2 - 1, 1, 2_000_000, 1_500_000),  # 1,999,999.98 and 1,499,999.98 both round up
    (1, 0, 0, 0),  # 0.01 fen
    (50, 0, 1, 1),  # 0.5 fen: half-up
    (49, 0, 0, 0),
])
def test_threshold_edges(sales, index, all_units, incremental):
    assert band_reached(BANDS, sales) == (index, BANDS[index])
    assert rebate_amount(BANDS, sales, "all_units").amount_fen == all_units
    assert rebate_amount(BANDS, sales, "incremental").amount_fen == incremental


def test_incremental_on_a_threshold_lists_the_empty_part_of_the_band_reached():
    parts = rebate_amount(BANDS, T1, "incremental").parts
    assert [(p.band, p.part_fen) for p in parts] == [(BANDS[0], T1), (BANDS[1], 0)]


@pytest.mark.parametrize("sales, gap", [
    (0, T1), (T1 - 1, 1), (T1, T2 - T1), (T2 - 1, 1), (T2, None), (10 ** 12, None), (-100, T1 + 100),
])
def test_next_band_gap(sales, gap):
    assert next_band_gap(BANDS, sales) == gap
    assert rebate_amount(BANDS, sales, "incremental").gap_to_next_fen == gap


@pytest.mark.parametrize("mode", ["all_units", "incremental"])
@pytest.mark.parametrize("sales", [0, -1, -5_000_000])
def test_zero_and_negative_sales_earn_nothing(mode, sales):
    result = rebate_amount(BANDS, sales, mode)
    assert result.amount_fen == 0 and result.amount_exact == 0
    assert result.parts == () and result.band_index == 0 and result.rate_bp == 100


@pytest.mark.parametrize("mode", ["all_units", "incremental"])
def test_single_band(mode):
    bands = [Band(0, 250)]
    result = rebate_amount(bands, 1_234_567, mode)
    assert result.amount_exact == Decimal("30864.175")
    assert result.amount_fen == 30_864
    assert result.band_index == 0 and result.gap_to_next_fen is None


def test_rounds_once_not_per_band():
    # 100 fen at 0.5% = 0.5 fen and 100 fen at 1.5% = 1.5 fen: each band rounded alone would give
    # 1 + 2 = 3 fen; the exact total is 2.0 fen.
    bands = [Band(0, 50), Band(100, 150)]
    result = rebate_amount(bands, 200, "incremental")
    per_band = sum(int(p.amount_exact.quantize(Decimal(1), ROUND_HALF_UP)) for p in result.parts)
    assert per_band == 3
    assert result.amount_exact == Decimal(2)
    assert result.amount_fen == 2


def test_unknown_mode():
    with pytest.raises(ValueError):
        rebate_amount(BANDS, 100, "retroactive")


# --- band validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("bands, code", [
    ([], "empty"),
    ([Band(100, 100)], "first_not_zero"),
    ([Band(0, 100), Band(T1, 200), Band(T1, 300)], "not_increasing"),
    ([Band(0, 100), Band(T2, 200), Band(T1, 300)], "not_increasing"),
    ([Band(0, -1)], "rate_range"),
    ([Band(0, 100), Band(T1, 10_001)], "rate_range"),
])
def test_band_errors(bands, code):
    with pytest.raises(BandError) as info:
        validate_bands(bands)
    assert info.value.code == code
    assert isinstance(info.value, ValueError) and str(info.value)


def test_validate_bands_accepts_pairs_and_edge_rates():
    assert validate_bands([(0, 0), (T1, 10_000)]) == [Band(0, 0), Band(T1, 10_000)]


def test_float_is_refused():
    with pytest.raises(TypeError):
        validate_bands([(0, 1.5)])
    with pytest.raises(TypeError):
        rebate_amount(BANDS, 100.0, "all_units")


# --- entitlement ----------------------------------------------------------------------------------

def test_band_is_reached_on_the_total_across_lines():
    # Each line alone sits in the ¥500k–¥1M band; together they reach the ¥1M band.
    sales = {"服务器": 700_000 * YUAN, "存储": 500_000 * YUAN}
    result = entitlement(sales)
    assert result.band_index == 2 and result.rate_bp == 300
    assert [(r.line, r.sales_fen, r.band_index, r.rate_bp, r.amount_fen) for r in result.rows] == [
        ("服务器", 700_000 * YUAN, 2, 300, 2_100_000), ("存储", 500_000 * YUAN, 2, 300, 1_500_000)]
    assert result.lines_total_fen == result.total_fen == 3_600_000
    assert not result.exclusions and not result.cap_applied and result.growth_bonus_fen == 0


def test_incremental_entitlement_is_shared_pro_rata():
    result = entitlement({"服务器": 700_000 * YUAN, "存储": 500_000 * YUAN}, mode="incremental")
    assert result.total_fen == 2_100_000
    assert [r.amount_fen for r in result.rows] == [1_225_000, 875_000]


@pytest.mark.parametrize("sales, expected", [
    ({"A": 34, "B": 33, "C": 33}, [4, 3, 3]),  # 3.4 + 3.3 + 3.3 = 10: +1 on the largest
    ({"A": 33, "B": 34, "C": 33}, [3, 4, 3]),
    ({"A": 25, "B": 25, "C": 25}, [2, 3, 3]),  # 2.5 × 3 = 7.5 → 8, rows 3+3+3: −1 on the first tie
    ({"A": 5, "B": 5, "C": 5, "D": 5}, [0, 0, 1, 1]),  # 0.5 × 4 = 2: −2 spread, never below 0
])
def test_allocation_remainder_goes_to_the_largest_line(sales, expected):
    result = entitlement(sales, bands=[Band(0, 1000)])
    assert [r.amount_fen for r in result.rows] == expected
    assert sum(expected) == result.lines_total_fen == result.total_fen


def test_allocation_sums_exactly_for_random_splits():
    rng = random.Random(20260331)
    for _ in range(500):
        n = rng.randint(1, 6)
        sales = {f"L{i}": rng.randint(0, 3_000_000 * YUAN) for i in range(n)}
        exceptions = {line: rng.randint(0, value) for line, value in sales.items() if rng.random() < 0.5}
        treatment = rng.choice(["include", "exclude", ("rate_bp", rng.randint(0, 500))])
        result = entitlement(sales, exceptions, mode=rng.choice(["all_units", "incremental"]),
                             exception_treatment=treatment)
        assert sum(r.amount_fen for r in result.rows) == result.lines_total_fen
        assert all(r.amount_fen >= 0 for r in result.rows)


def test_one_line_entitlement_equals_rebate_amount():
    rng = random.Random(7)
    for _ in range(300):
        sales = rng.randint(-1000, 1_500_000 * YUAN)
        for mode in ("all_units", "incremental"):
            result = entitlement({"A": sales}, mode=mode)
            assert result.total_fen == rebate_amount(BANDS, sales, mode).amount_fen


def test_exception_sales_included():
    result = entitlement({"服务器": 800_000 * YUAN, "存储": 400_000 * YUAN}, {"服务器": 300_000 * YUAN},
                         exception_treatment="include")
    assert result.qualifying_sales_fen == 1_200_000 * YUAN and result.total_fen == 3_600_000
    assert result.exclusions == ()


def test_exception_sales_excluded():
    result = entitlement({"服务器": 800_000 * YUAN, "存储": 400_000 * YUAN}, {"服务器": 300_000 * YUAN},
                         exception_treatment="exclude")
    # ¥900k counted: the 2% band, and ¥100k short of the 3% band.
    assert result.qualifying_sales_fen == 900_000 * YUAN
    assert result.band_index == 1 and result.gap_to_next_fen == 100_000 * YUAN
    assert result.exclusions == (Exclusion("服务器", 300_000 * YUAN, "exception_price"),)
    assert [(r.sales_fen, r.amount_fen) for r in result.rows] == [
        (500_000 * YUAN, 1_000_000), (400_000 * YUAN, 800_000)]
    assert result.total_fen == 1_800_000


def test_exception_sales_at_an_override_rate_all_units():
    result = entitlement({"服务器": 800_000 * YUAN, "存储": 400_000 * YUAN}, {"服务器": 300_000 * YUAN},
                         exception_treatment=("rate_bp", 100))
    # All ¥1.2M count for the band (3%); the ¥300k at exception prices earn 1% instead.
    assert result.band_index == 2
    assert result.total_fen == 900_000 * 3 + 300_000 * 1  # ¥27,000 + ¥3,000 in fen
    assert [(r.amount_fen, r.override_sales_fen, r.override_rate_bp) for r in result.rows] == [
        (1_800_000, 300_000 * YUAN, 100), (1_200_000, 0, 100)]
    assert result.exclusions == ()


def test_exception_sales_at_an_override_rate_incremental():
    result = entitlement({"服务器": 800_000 * YUAN, "存储": 400_000 * YUAN}, {"服务器": 300_000 * YUAN},
                         mode="incremental", exception_treatment=("rate_bp", 100))
    # Schedule on ¥1.2M = ¥21,000; band-rated ¥900k take 9/12 of it (¥15,750) + ¥3,000 override.
    assert result.total_fen == 1_875_000
    assert [r.amount_fen for r in result.rows] == [875_000 + 300_000, 700_000]  # 50:40 of ¥15,750


@pytest.mark.parametrize("treatment", ["ignore", ("rate_bp", 10_001), ("rate_bp", -1), ("rate", 100)])
def test_bad_exception_treatment(treatment):
    with pytest.raises(ValueError):
        entitlement({"A": 100}, exception_treatment=treatment)


def test_exception_sales_for_an_unknown_line_are_refused():
    with pytest.raises(ValueError):
        entitlement({"A": 100}, {"B": 50})


def test_money_as_float_is_refused():
    with pytest.raises(TypeError):
        entitlement({"A": 100.0})
    with pytest.raises(TypeError):
        entitlement({"A": 100}, cap_fen=1.0)


# --- growth bonus and cap -------------------------------------------------------------------------

GROWTH = {"growth_bonus_bp": 50, "growth_pct_bp": 1000, "last_year_sales_fen": 1_000_000 * YUAN}


def test_growth_bonus_met_exactly_at_the_target():
    result = entitlement({"A": 1_100_000 * YUAN}, **GROWTH)  # exactly 110% of last year
    assert result.growth_met and result.growth_target_fen == 1_100_000 * YUAN
    assert result.growth_bonus_fen == 550_000  # 0.5% of ¥1.1M = ¥5,500
    assert result.total_fen == 3_300_000 + 550_000


def test_growth_bonus_missed_by_one_fen():
    result = entitlement({"A": 1_100_000 * YUAN - 1}, **GROWTH)
    assert not result.growth_met and result.growth_bonus_fen == 0
    assert result.total_fen == result.lines_total_fen


@pytest.mark.parametrize("last_year", [None, 0, -5])
def test_no_growth_bonus_without_last_year(last_year):
    result = entitlement({"A": 1_100_000 * YUAN}, **{**GROWTH, "last_year_sales_fen": last_year})
    assert not result.growth_met and result.growth_target_fen is None and result.growth_bonus_fen == 0


def test_growth_target_is_rounded_up_and_growth_defaults_to_zero():
    terms = {"bands": [Band(0, 0)], "growth_bonus_bp": 100, "growth_pct_bp": 1000,
             "last_year_sales_fen": 333}
    assert entitlement({"A": 366}, **terms).growth_target_fen == 367  # 366.3 fen
    assert not entitlement({"A": 366}, **terms).growth_met
    assert entitlement({"A": 367}, **terms).growth_met
    plain = entitlement({"A": 333}, **{**terms, "growth_pct_bp": None})
    assert plain.growth_met and plain.growth_target_fen == 333


def test_growth_bonus_covers_override_rate_sales_but_not_excluded_ones():
    sales, exceptions = {"A": 1_200_000 * YUAN}, {"A": 200_000 * YUAN}
    override = entitlement(sales, exceptions, exception_treatment=("rate_bp", 0), **GROWTH)
    assert override.growth_bonus_fen == 600_000
    excluded = entitlement(sales, exceptions, exception_treatment="exclude", **GROWTH)
    assert excluded.growth_met is False  # ¥1M counted < ¥1.1M target


def test_cap_applied():
    result = entitlement({"A": 1_200_000 * YUAN}, cap_fen=3_000_000)
    assert result.cap_applied and result.uncapped_fen == 3_600_000
    assert result.cap_reduction_fen == 600_000 and result.total_fen == 3_000_000
    assert result.lines_total_fen == 3_600_000  # rows show the entitlement before the cap


@pytest.mark.parametrize("cap", [3_600_000, 5_000_000, None])
def test_cap_not_reached(cap):
    result = entitlement({"A": 1_200_000 * YUAN}, cap_fen=cap)
    assert not result.cap_applied and result.cap_reduction_fen == 0 and result.total_fen == 3_600_000


def test_cap_includes_the_growth_bonus():
    result = entitlement({"A": 1_100_000 * YUAN}, cap_fen=3_500_000, **GROWTH)
    assert result.uncapped_fen == 3_850_000 and result.cap_applied and result.total_fen == 3_500_000


def test_negative_cap_is_refused():
    with pytest.raises(ValueError):
        entitlement({"A": 100}, cap_fen=-1)


# --- returns --------------------------------------------------------------------------------------

def test_returns_exceeding_sales_earn_nothing():
    result = entitlement({"A": -500_000 * YUAN, "B": 200_000 * YUAN}, cap_fen=10, **GROWTH)
    assert result.qualifying_sales_fen == -300_000 * YUAN
    assert result.total_fen == 0 and [r.amount_fen for r in result.rows] == [0, 0]
    assert result.band_index == 0 and not result.growth_met and not result.cap_applied


def test_returns_in_one_line_reduce_the_dealer_total():
    result = entitlement({"A": 600_000 * YUAN, "B": -100_000 * YUAN})
    assert result.qualifying_sales_fen == 500_000 * YUAN and result.band_index == 1
    assert [r.amount_fen for r in result.rows] == [1_000_000, 0]


def test_supplementary_amount():
    assert supplementary_amount(3_600_000, 3_000_000) == 600_000
    assert supplementary_amount(3_000_000, 3_600_000) == -600_000  # claw-back
    assert supplementary_amount(0, 0) == 0


# --- properties -----------------------------------------------------------------------------------

def random_increasing_bands(rng: random.Random) -> list[Band]:
    thresholds = sorted(rng.sample(range(1, 2_000_000 * YUAN), rng.randint(0, 5)))
    rates = sorted(rng.randint(0, 1500) for _ in range(len(thresholds) + 1))
    return [Band(t, r) for t, r in zip([0, *thresholds], rates, strict=True)]


def reference_amount(bands, sales, mode) -> int:
    """An independent Decimal reimplementation: the rebate, rounded once."""
    if sales <= 0:
        return 0
    uppers = [b.threshold_fen for b in bands[1:]] + [None]
    reached = [b for b in bands if b.threshold_fen <= sales][-1]
    if mode == "all_units":
        exact = Decimal(sales) * reached.rate_bp / 10_000
    else:
        exact = sum((Decimal(min(sales, u if u is not None else sales) - b.threshold_fen) * b.rate_bp
                     / 10_000 for b, u in zip(bands, uppers, strict=True) if b.threshold_fen < sales),
                    Decimal(0))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_properties_for_increasing_rates():
    rng = random.Random(20261231)
    for _ in range(200):
        bands = random_increasing_bands(rng)
        points = {rng.randint(-1000, 3_000_000 * YUAN) for _ in range(20)}
        for band in bands:  # around every threshold as well
            points.update(band.threshold_fen + d for d in (-2, -1, 0, 1, 2))
        previous = {"all_units": -1, "incremental": -1}
        for sales in sorted(points):
            amounts = {m: rebate_amount(bands, sales, m).amount_fen for m in previous}
            assert amounts["incremental"] <= amounts["all_units"]
            for mode, amount in amounts.items():
                assert amount >= previous[mode], (bands, sales, mode)  # monotone in sales
                assert amount == reference_amount(bands, sales, mode)
            previous = amounts


# --- the batch path (Terms) against the reference -------------------------------------------------

def random_terms(rng: random.Random) -> dict:
    """Any valid program: rates in any order, every treatment, growth and cap or not."""
    thresholds = sorted(rng.sample(range(1, 2_000_000 * YUAN), rng.randint(0, 5)))
    bands = [Band(t, rng.randint(0, 10_000) if rng.random() < 0.1 else rng.randint(0, 1500))
             for t in [0, *thresholds]]
    terms = {"bands": bands, "mode": rng.choice(["all_units", "incremental"]),
             "exception_treatment": rng.choice(["include", "exclude",
                                                ("rate_bp", rng.randint(0, 10_000))])}
    if rng.random() < 0.5:
        terms["growth_bonus_bp"] = rng.randint(0, 10_000)
        terms["growth_pct_bp"] = rng.choice([None, 0, rng.randint(1, 30_000)])
    if rng.random() < 0.4:
        terms["cap_fen"] = rng.choice([0, rng.randint(1, 10_000_000)])
    return terms


def random_sales(rng: random.Random, bands: list[Band]) -> tuple[dict, dict]:
    """A dealer's lines: tiny and huge amounts, returns, totals right around a threshold."""
    n = rng.randint(0, 6)
    scale = rng.choice([100, 10_000 * YUAN, 3_000_000 * YUAN])
    sales = {f"L{i}": rng.randint(-scale // 4 if rng.random() < 0.2 else 0, scale) for i in range(n)}
    if sales and rng.random() < 0.3:  # push the total onto a threshold, ±2 fen
        target = rng.choice(bands).threshold_fen + rng.randint(-2, 2)
        first = next(iter(sales))
        sales[first] += target - sum(sales.values())
    exceptions = {}
    for line, value in sales.items():
        if rng.random() < 0.5:
            exceptions[line] = rng.choice([0, value, rng.randint(min(0, value), max(0, value))])
    return sales, exceptions


def test_terms_give_exactly_the_reference_entitlement():
    rng = random.Random(20261001)
    compared = 0
    for _ in range(1500):
        terms = random_terms(rng)
        batch = Terms(**terms)
        for _ in range(8):
            sales, exceptions = random_sales(rng, terms["bands"])
            last_year = rng.choice([None, 0, -5, rng.randint(1, 3_000_000 * YUAN)])
            expected = compute_entitlement(sales, exceptions, last_year_sales_fen=last_year, **terms)
            assert batch.entitlement(sales, exceptions, last_year) == expected, (terms, sales, exceptions)
            compared += 1
    assert compared == 12_000


@pytest.mark.parametrize("sales, exceptions, last_year, error", [
    ({"A": 100}, {"B": 50}, None, ValueError),
    ({"A": 100.0}, None, None, TypeError),
    ({"A": 100}, {"A": 50.0}, None, TypeError),
    ({"A": True}, None, None, TypeError),
    ({"A": 100}, None, 1.0, TypeError),
])
def test_terms_refuse_what_the_reference_refuses(sales, exceptions, last_year, error):
    with pytest.raises(error):
        entitlement(sales, exceptions, last_year_sales_fen=last_year)
    with pytest.raises(error):
        Terms(bands=BANDS, mode="all_units").entitlement(sales, exceptions, last_year)


@pytest.mark.parametrize("terms, error", [
    ({"bands": [], "mode": "all_units"}, BandError),
    ({"bands": [(0, 1.5)], "mode": "all_units"}, TypeError),
    ({"bands": BANDS, "mode": "retroactive"}, ValueError),
    ({"bands": BANDS, "mode": "all_units", "exception_treatment": ("rate_bp", 10_001)}, ValueError),
    ({"bands": BANDS, "mode": "all_units", "cap_fen": -1}, ValueError),
    ({"bands": BANDS, "mode": "all_units", "growth_bonus_bp": 10_001}, ValueError),
])
def test_terms_are_checked_once_up_front(terms, error):
    with pytest.raises(error):
        Terms(**terms)


def test_terms_worked_example():
    assert Terms(bands=BANDS, mode="all_units").entitlement({"A": 1_200_000 * YUAN}).total_fen == 3_600_000
    assert Terms(bands=BANDS, mode="incremental").entitlement({"A": 1_200_000 * YUAN}).total_fen == 2_100_000


# --- returns, supplementary statements, statement lines a dealer can check ------------------------

@pytest.mark.parametrize("mode, issued, restated", [
    ("all_units", 3_900_000, 3_150_000),  # 1,300,000 × 3% = 39,000; 1,050,000 × 3% = 31,500
    ("incremental", 2_400_000, 1_650_000),  # 5,000 + 10,000 + 9,000; 5,000 + 10,000 + 1,500
])
def test_a_return_after_issue_gives_minus_7500_in_both_modes_and_both_paths(mode, issued, restated):
    """DESIGN §3.5: ¥1,300,000 confirmed, ¥250,000 returned after issue: −¥7,500.00 either way.
    The return arrives as lower net sales of its period (here on one of two lines)."""
    before = {"servers": 1_000_000 * YUAN, "storage": 300_000 * YUAN}
    after = {"servers": 1_000_000 * YUAN, "storage": 50_000 * YUAN}
    terms = Terms(bands=BANDS, mode=mode)
    for sales, expected in ((before, issued), (after, restated)):
        reference = compute_entitlement(sales, bands=BANDS, mode=mode)
        assert reference == terms.entitlement(sales)
        assert reference.total_fen == expected
        assert sum(row.amount_fen for row in reference.rows) == expected
    assert supplementary_amount(restated, issued) == -750_000


def test_the_schedule_reconciles_every_incremental_line():
    """Each band's sales × its rate add up to the lines' total, and each line's effective rate
    (amount ÷ sales) is what its amount is of its sales — never the band rate of 3%."""
    sales = {"servers": 1_000_000 * YUAN, "storage": 200_000 * YUAN}
    ent = compute_entitlement(sales, bands=BANDS, mode="incremental")
    schedule = band_schedule(BANDS, ent.qualifying_sales_fen, "incremental")
    assert [(p.part_fen, p.band.rate_bp) for p in schedule] == [
        (500_000 * YUAN, 100), (500_000 * YUAN, 200), (200_000 * YUAN, 300)]
    assert units_to_fen(sum(p.part_fen * p.band.rate_bp for p in schedule)) == ent.lines_total_fen
    for row in ent.rows:
        assert effective_rate(row.amount_fen, row.sales_fen) == Decimal("1.7500")
    assert band_schedule(BANDS, 0, "incremental") == []
    assert [p.part_fen for p in band_schedule(BANDS, 1_200_000 * YUAN, "all_units")] == [1_200_000 * YUAN]


@pytest.mark.parametrize("amount, sales, expected", [
    (579_358, 29_850_000, Decimal("1.9409")),  # 5,793.58 of 298,500.00
    (1, 3, Decimal("33.3333")), (2, 3, Decimal("66.6667")), (0, 5, Decimal("0.0000")),
    (-750_000, 105_000_000, Decimal("-0.7143")),
])
def test_effective_rate_is_rounded_half_up_to_four_decimals_of_a_percent(amount, sales, expected):
    assert effective_rate(amount, sales) == expected


def test_effective_rate_without_sales_is_none():
    assert effective_rate(100, 0) is None and effective_rate(100, -5) is None
    with pytest.raises(TypeError):
        effective_rate(1.5, 100)
