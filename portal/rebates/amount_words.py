"""Amounts in Chinese financial upper-case (大写金额) for statements and their PDF.

The rules are those for bills and settlement vouchers (《正确填写票据和结算凭证的基本规定》) as banks
apply them; where they allow two spellings, this module picks one and keeps to it:

- Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, sections 万 and 亿 (万亿 for 10^12), then 元角分.
  A leading ten is written 壹拾 (壹拾元, 壹拾万), never a bare 拾, so that nothing can be prefixed.
- 整 follows 元 when there are no jiao and no fen (叁万陆仟元整). Nothing follows 角 or 分:
  the rules make 整 after 角 optional and common bank practice leaves it out (壹佰元伍角).
- Amounts below one yuan start with the jiao or fen, without 零元 (壹角, 伍分, 壹角伍分).
- A run of zeros *inside* the yuan figure is written as one 零 (壹仟肆佰零玖元, 壹仟万零壹佰元);
  zeros at the end of the figure or of a section are not written (壹佰万元, never 壹佰万零元).
- Where the rules allow 零 or nothing — a section that ends in zeros followed by a section whose
  thousands digit is not zero (107,000 → 壹拾万柒仟), or a yuan figure ending in 0 followed by jiao
  (1,680.30 → 壹仟陆佰捌拾元叁角) — nothing is written, as in ordinary reading.
- When jiao is zero and fen is not, 零 is written after 元 (16,409.02 → 壹万陆仟肆佰零玖元零贰分);
  the rules require it.
- Zero is 零元整; negative amounts are prefixed with 负.
Range: up to ±9,999,999,999,999.99 yuan.
"""
from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
MAX_FEN = 999_999_999_999_999  # 9,999,999,999,999.99 yuan


def amount_in_words(fen: int) -> str:
    """`fen` (integer fen) in Chinese financial upper-case, e.g. 3,600,000 → 叁万陆仟元整,
    1,005 → 壹拾元零伍分, 10 → 壹角. Raises TypeError for non-integers (money is never float)
    and ValueError beyond ±9,999,999,999,999.99 yuan."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amount must be integer fen, not {type(fen).__name__}")
    if abs(fen) > MAX_FEN:
        raise ValueError("amount is beyond 9,999,999,999,999.99 yuan")
    if fen == 0:
        return "零元整"
    sign = "负" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(cents, 10)

    words = _integer(yuan) + "元" if yuan else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen_digit and yuan:
        words += "零"  # jiao is zero but fen is not: required after 元
    if fen_digit:
        words += DIGITS[fen_digit] + "分"
    if not cents:
        words += "整"
    return sign + words


def _integer(n: int) -> str:
    """A positive integer in upper-case digits with 拾佰仟万亿 (no 元)."""
    if n >= 100_000_000:
        high, low = divmod(n, 100_000_000)
        return _integer(high) + "亿" + _tail(low, 10_000_000)
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        return _section(high) + "万" + _tail(low, 1_000)
    return _section(n)


def _tail(low: int, top: int) -> str:
    """The part after a 亿 or 万: nothing if zero, and one 零 first if its leading digit (`top`) is
    zero — the zeros between the section marker and the next non-zero digit."""
    if low == 0:
        return ""
    return ("零" if low < top else "") + _integer(low)


def _section(n: int) -> str:
    """1..9,999 with 拾佰仟; a run of inner zeros gives one 零, trailing zeros give nothing."""
    words, pending_zero = "", False
    for position in range(3, -1, -1):
        digit = n // 10 ** position % 10
        if digit == 0:
            pending_zero = bool(words)  # only zeros after a written digit need a 零
            continue
        if pending_zero:
            words += "零"
            pending_zero = False
        words += DIGITS[digit] + _UNITS[position]
    return words
