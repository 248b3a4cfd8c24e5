"""Money helpers: fen ↔ Decimal, basis points, ROUND_HALF_UP in one place, the `money` filter."""
from __future__ import annotations

from decimal import Decimal

import pytest

from portal.core.money import (
    MoneyError,
    apply_discount,
    depth_bp,
    fen_to_decimal,
    format_bp,
    format_money,
    parse_percent,
    parse_yuan,
    rate_of,
    to_fen,
)


@pytest.mark.parametrize("amount, fen", [
    (Decimal("0"), 0), (Decimal("0.01"), 1), (Decimal("1"), 100), (Decimal("12.34"), 1234),
    (Decimal("0.005"), 1), (Decimal("0.004"), 0), (Decimal("0.015"), 2), (Decimal("0.025"), 3),
    (Decimal("2.675"), 268), (Decimal("1.005"), 101), (Decimal("-0.005"), -1),
    (Decimal("-0.004"), 0), (Decimal("-2.675"), -268), (Decimal("1234567.895"), 123456790),
    ("99.99", 9999), (5, 500), (Decimal("9999999999.99"), 999999999999),
])
def test_to_fen_rounds_half_up_away_from_zero(amount, fen):
    assert to_fen(amount) == fen


def test_to_fen_refuses_float():
    with pytest.raises(TypeError):
        to_fen(0.1)


@pytest.mark.parametrize("fen, value", [
    (0, "0.00"), (1, "0.01"), (100, "1.00"), (123456789, "1234567.89"), (-5, "-0.05"),
])
def test_fen_to_decimal(fen, value):
    result = fen_to_decimal(fen)
    assert isinstance(result, Decimal) and result == Decimal(value) and str(result) == value


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 101, 123456789, -1, -123456789, 10**15])
def test_round_trip(fen):
    assert to_fen(fen_to_decimal(fen)) == fen


@pytest.mark.parametrize("fen, text", [
    (123456789, "¥1,234,567.89"), (0, "¥0.00"), (1, "¥0.01"), (10, "¥0.10"), (100, "¥1.00"),
    (99999, "¥999.99"), (100000, "¥1,000.00"), (-1, "-¥0.01"), (-123456789, "-¥1,234,567.89"),
    (100000000000, "¥1,000,000,000.00"), (None, ""),
])
def test_format_money(fen, text):
    assert format_money(fen) == text


def test_format_money_other_symbol():
    assert format_money(150, symbol="CNY ") == "CNY 1.50"


@pytest.mark.parametrize("typed, fen", [
    ("1234.5", 123450), ("1,234.50", 123450), ("¥99", 9900), ("￥0.01", 1), (" 7 ", 700),
    ("-3.20", -320), ("0", 0), ("1,234,567.89", 123456789), ("１２３.４", 12340),
    ("－5", -500), ("9999999999999.99", 999999999999999),
])
def test_parse_yuan(typed, fen):
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize("typed, reason", [
    (None, "empty"), ("", "empty"), ("  ", "empty"), ("¥", "empty"), ("abc", "not_a_number"),
    ("1.2.3", "not_a_number"), ("NaN", "not_a_number"), ("Infinity", "not_a_number"),
    ("0.001", "too_many_decimals"), ("1.999", "too_many_decimals"),
    # exponents, huge and exotic numbers: a message, never an arithmetic error
    ("1e2", "not_a_number"), ("1e30", "not_a_number"), ("1e309", "not_a_number"),
    ("-1e309", "not_a_number"), ("10000000000000", "too_large"), ("9" * 5000, "too_large"),
    ("²", "not_a_number"), ("١٢٣", "not_a_number"), ("1_000", "not_a_number"),
    ("0x10", "not_a_number"), ("1.0000001", "too_many_decimals"),
])
def test_parse_yuan_refuses(typed, reason):
    with pytest.raises(MoneyError) as exc:
        parse_yuan(typed)
    assert exc.value.args[0] == reason


@pytest.mark.parametrize("list_fen, bp, net", [
    (10000, 0, 10000), (10000, 1000, 9000), (10000, 10000, 0), (999, 1500, 849),  # 849.15
    (333, 5000, 167),  # 166.5 → 167 half up
    (1, 5000, 1),  # 0.5 → 1
    (1, 4999, 1), (3, 3333, 2), (12345678, 2250, 9567900),  # 9567900.45
    (12345679, 2250, 9567901),  # 9567901.225 → .225 rounds to 9567901
])
def test_apply_discount(list_fen, bp, net):
    assert apply_discount(list_fen, bp) == net


@pytest.mark.parametrize("amount, bp, result", [
    (120000000, 300, 3600000), (100, 50, 1), (99, 50, 0),  # 0.495 → 0
    (101, 50, 1), (1, 5000, 1), (-100, 50, -1), (0, 300, 0), (123456789, 1, 12346),
])
def test_rate_of(amount, bp, result):
    assert rate_of(amount, bp) == result


def test_rebate_worked_example_from_the_design():
    """¥1,200,000 at 3% all-units = ¥36,000.00; incremental 5,000 + 10,000 + 6,000."""
    sales = to_fen(Decimal("1200000"))
    assert format_money(rate_of(sales, 300)) == "¥36,000.00"
    incremental = rate_of(to_fen(500000), 100) + rate_of(to_fen(500000), 200) + \
        rate_of(to_fen(200000), 300)
    assert format_money(incremental) == "¥21,000.00"


@pytest.mark.parametrize("reference, price, list_fen, bp", [
    (9000, 8500, 10000, 500), (9000, 9000, 10000, 0), (9000, 9500, 10000, -500),
    (9000, 8000, 0, 0), (1000, 999, 3000, 3),  # 3.33 → 3
    (1000, 995, 3000, 17),  # 16.67 → 17
])
def test_depth_bp(reference, price, list_fen, bp):
    assert depth_bp(reference, price, list_fen) == bp


@pytest.mark.parametrize("bp, text", [
    (3333, "33.33%"), (0, "0.00%"), (100, "1.00%"), (5, "0.05%"), (-250, "-2.50%"),
    (10000, "100.00%"), (None, ""),
])
def test_format_bp(bp, text):
    assert format_bp(bp) == text


@pytest.mark.parametrize("typed, bp", [
    ("12.5", 1250), ("12.5%", 1250), (" 3 % ", 300), ("0", 0), ("0.01", 1), ("-1", -100),
])
def test_parse_percent(typed, bp):
    assert parse_percent(typed) == bp


@pytest.mark.parametrize("typed", ["", None, "abc", "0.001", "12.345", "inf"])
def test_parse_percent_refuses(typed):
    with pytest.raises(MoneyError):
        parse_percent(typed)


def test_template_filters(app):
    with app.test_request_context("/"):
        tmpl = app.jinja_env.from_string("{{ a|money }} {{ b|money }} {{ c|bp }}")
        assert tmpl.render(a=123456789, b=-1050, c=1250) == "¥1,234,567.89 -¥10.50 12.50%"
