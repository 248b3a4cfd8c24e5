"""USCC validation (GB 32100-2015): length, alphabet and check character, each with its reason."""
from __future__ import annotations

import random

import pytest

from portal.core.uscc import ALPHABET, UsccError, is_valid_uscc, uscc_check_char, validate_uscc

KNOWN_VALID = "91110108551385082Q"  # checked by hand against the weights below


def _random_codes(count: int, seed: int = 32100) -> list[str]:
    rng = random.Random(seed)
    codes = []
    for _ in range(count):
        prefix = "".join(rng.choice(ALPHABET) for _ in range(17))
        codes.append(prefix + uscc_check_char(prefix))
    return codes


def test_check_char_follows_the_standard_formula():
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(ALPHABET.index(c) * w for c, w in zip(KNOWN_VALID[:17], weights, strict=True))
    assert ALPHABET[(31 - total % 31) % 31] == "Q"
    assert uscc_check_char(KNOWN_VALID[:17]) == "Q"


def test_known_code_is_valid_and_returned_normalised():
    assert validate_uscc(KNOWN_VALID) == KNOWN_VALID
    assert validate_uscc(" 911101085 51385082q ") == KNOWN_VALID
    assert validate_uscc("９１１１０１０８５５１３８５０８２Ｑ") == KNOWN_VALID  # full-width input
    assert is_valid_uscc(KNOWN_VALID.lower())


def test_alphabet_has_31_characters_without_i_o_s_v_z():
    assert len(ALPHABET) == 31 == len(set(ALPHABET))
    assert not set("IOSVZ") & set(ALPHABET)


def test_generated_codes_are_valid():
    for code in _random_codes(200):
        assert validate_uscc(code) == code


def test_every_single_character_typo_is_caught_by_the_checksum():
    for code in _random_codes(40, seed=7):
        for position in range(18):
            for replacement in ALPHABET:
                if replacement == code[position]:
                    continue
                typo = code[:position] + replacement + code[position + 1:]
                with pytest.raises(UsccError) as info:
                    validate_uscc(typo)
                assert info.value.reason == "checksum"


@pytest.mark.parametrize("code", ["", None, KNOWN_VALID[:17], KNOWN_VALID + "0", "9111010855138508"])
def test_wrong_length(code):
    with pytest.raises(UsccError) as info:
        validate_uscc(code)
    assert info.value.reason == "length"
    assert not is_valid_uscc(code)


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_character_outside_the_alphabet(bad):
    code = KNOWN_VALID[:5] + bad + KNOWN_VALID[6:]
    with pytest.raises(UsccError) as info:
        validate_uscc(code)
    assert info.value.reason == "alphabet"
    assert bad.upper() in str(info.value)


def test_wrong_check_character():
    with pytest.raises(UsccError) as info:
        validate_uscc(KNOWN_VALID[:17] + "P")
    assert info.value.reason == "checksum"
    assert not is_valid_uscc(KNOWN_VALID[:17] + "P")


def test_error_is_a_value_error_with_reason_and_readable_message():
    with pytest.raises(ValueError) as info:
        validate_uscc("123")
    error = info.value
    assert isinstance(error, UsccError)
    assert error.args[0] == "length" and error.args[1] is error.message
    assert "18" in str(error.message) and "3" in str(error.message)  # lazy string renders w/o app


def test_check_char_rejects_bad_input():
    with pytest.raises(UsccError) as info:
        uscc_check_char("123")
    assert info.value.reason == "length"
    with pytest.raises(UsccError) as info:
        uscc_check_char("I" * 17)
    assert info.value.reason == "alphabet"
