"""Chinese financial upper-case amounts (大写金额) on statements (DESIGN.md §3.6)."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from portal.rebates.amount_words import amount_in_words

# Each case worked out by hand against the bill-writing rules (see the module docstring).
CASES = [
    (0, "零元整"),
    (1, "壹分"),
    (10, "壹角"),  # 整 is not written after 角
    (15, "壹角伍分"),
    (50, "伍角"),
    (100, "壹元整"),
    (105, "壹元零伍分"),  # jiao zero, fen not: 零 after 元
    (110, "壹元壹角"),
    (1000, "壹拾元整"),  # a leading ten is 壹拾, never a bare 拾
    (1005, "壹拾元零伍分"),
    (1100, "壹拾壹元整"),
    (2000, "贰拾元整"),
    (10000, "壹佰元整"),
    (10100, "壹佰零壹元整"),
    (11000, "壹佰壹拾元整"),
    (100100, "壹仟零壹元整"),  # a run of zeros: one 零
    (140950, "壹仟肆佰零玖元伍角"),  # ¥1,409.50, the rules' own example
    (168032, "壹仟陆佰捌拾元叁角贰分"),  # ¥1,680.32: the variant without 零 after 元
    (600000, "陆仟元整"),
    (1000000, "壹万元整"),
    (1000100, "壹万零壹元整"),
    (1010000, "壹万零壹佰元整"),
    (1640902, "壹万陆仟肆佰零玖元零贰分"),  # ¥16,409.02, the rules' own example
    (2100000, "贰万壹仟元整"),
    (3600000, "叁万陆仟元整"),  # the statement example in DESIGN.md
    (10700053, "壹拾万柒仟元伍角叁分"),  # ¥107,000.53: no 零 before a non-zero thousands digit
    (32500400, "叁拾贰万伍仟零肆元整"),
    (50000005, "伍拾万元零伍分"),
    (100000000, "壹佰万元整"),  # no 零 before 元 for trailing zeros
    (100000100, "壹佰万零壹元整"),
    (1000010000, "壹仟万零壹佰元整"),
    (10000000000, "壹亿元整"),
    (10000010000, "壹亿零壹佰元整"),
    (10010000000, "壹亿零壹拾万元整"),
    (11000000000, "壹亿壹仟万元整"),
    (200000000000, "贰拾亿元整"),
    (123456789012, "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"),
    (100000000000000, "壹万亿元整"),
    (999999999999999, "玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (-3600000, "负叁万陆仟元整"),
    (-1, "负壹分"),
]


@pytest.mark.parametrize("fen, words", CASES)
def test_amount_in_words(fen, words):
    assert amount_in_words(fen) == words


@pytest.mark.parametrize("fen", [10 ** 15, -(10 ** 15)])
def test_out_of_range(fen):
    with pytest.raises(ValueError):
        amount_in_words(fen)


@pytest.mark.parametrize("value", [1.0, Decimal("1"), True, "100"])
def test_only_integer_fen(value):
    with pytest.raises(TypeError):
        amount_in_words(value)


# --- round trip and zero rules on random amounts --------------------------------------------------

DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def parse_section(text: str) -> int:
    value, digit = 0, 0
    for char in text:
        if char in UNIT:
            value += digit * UNIT[char]
            digit = 0
        else:
            digit = DIGIT[char]
    return value + digit


def parse_integer(text: str) -> int:
    if "亿" in text:
        high, low = text.split("亿")
        return parse_integer(high) * 10 ** 8 + parse_integer(low)
    if "万" in text:
        high, low = text.split("万")
        return parse_section(high) * 10 ** 4 + parse_section(low)
    return parse_section(text)


def parse_words(words: str) -> int:
    """An independent reader of upper-case amounts, to check values, not spellings."""
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负").removesuffix("整")
    fen = 0
    if "元" in words:
        yuan, words = words.split("元")
        fen += parse_integer(yuan) * 100
    words = words.removeprefix("零")
    if "角" in words:
        jiao, words = words.split("角")
        fen += DIGIT[jiao] * 10
    if "分" in words:
        fen += DIGIT[words.removesuffix("分")]
    return sign * fen


def random_amounts():
    rng = random.Random(20260101)
    for _ in range(5000):
        digits = rng.randint(1, 15)
        # Amounts with many zeros are the interesting ones.
        yield int("".join(rng.choice("0000123456789") for _ in range(digits)))


def test_round_trip_and_zero_rules():
    for fen in random_amounts():
        words = amount_in_words(fen)
        assert parse_words(words) == fen, (fen, words)
        if fen == 0:
            continue
        assert "零零" not in words
        assert not any(f"零{mark}" in words for mark in "万亿元角分")
        assert not words.startswith("零")
        assert words.endswith("整") == (fen % 100 == 0)
        assert ("元" in words) == (fen >= 100)
        assert not words.startswith("拾") and "零拾" not in words
        assert amount_in_words(-fen) == "负" + words
