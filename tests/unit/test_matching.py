"""The customer matcher (DESIGN §3.4): normalisation, signals, blocking keys, labelled-set quality."""
from __future__ import annotations

import dataclasses

import pytest

from bench.matching_eval import blocking, evaluate, load_pairs
from portal.conflicts import lexicon
from portal.conflicts.matching import (
    FREE_MAIL_DOMAINS,
    MatchResult,
    blocking_keys,
    compare,
    name_parts,
    normalize_domain,
    normalize_name,
    normalize_phone,
    record_keys,
)
from portal.deals.uscc import ALPHABET, uscc_check_char

PAIRS = load_pairs()


def _uscc(prefix17: str) -> str:
    return prefix17 + uscc_check_char(prefix17)


USCC_A = _uscc("91110108551385082")
USCC_B = _uscc("91310115MA1K3Y4B2")


# --- Names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, core", [
    ("北京联想科技有限公司", "联想"),
    ("联想(北京)有限公司", "联想"),
    ("联想（北京）有限公司", "联想"),
    ("北京市联想信息技术有限公司", "联想"),
    ("联想集团", "联想"),
    ("华为技术有限公司北京分公司", "华为"),
    ("广东省深圳市华为技术有限公司", "华为"),
    ("腾讯科技（深圳）有限公司", "腾讯"),
    ("深圳市腾讯计算机系统有限公司", "腾讯"),
    ("浪潮电子信息产业股份有限公司", "浪潮"),
    ("中国移动通信集团有限公司", "移动"),
    ("新疆维吾尔自治区金风科技股份有限公司", "金风"),
    ("广西壮族自治区柳工机械有限公司", "柳工机械"),  # sector words stay
    ("招商银行股份有限公司", "招商银行"),
    ("ＡＢＣ（北京）科技有限公司", "abc"),
    ("ABC北京科技", "abc"),
    ("联 想 （北京） 有限 公司", "联想"),
    ("北京科技有限公司", "科技"),  # never stripped to nothing
    ("Lenovo (Beijing) Co., Ltd.", "lenovo"),
    ("LENOVO BEIJING LIMITED", "lenovo"),
    ("Huawei Technologies Co., Ltd.", "huawei"),
    ("The Coca-Cola Company", "cocacola"),
    ("Procter & Gamble (Guangzhou) Ltd.", "procterandgamble"),
    ("Siemens Ltd., China", "siemens"),
    ("Panasonic Corporation of China", "panasonic"),
    ("Xi'an Qinchuan Data Technology Co., Ltd.", "qinchuan"),
    ("", ""),
    (None, ""),
])
def test_normalize_name(name, core):
    assert normalize_name(name) == core


@pytest.mark.parametrize("name, region", [
    ("北京市联想科技有限公司", "北京"),
    ("联想(北京)有限公司", "北京"),
    ("联想【北京】有限公司", "北京"),
    ("广东省深圳市华为技术有限公司", "深圳"),
    ("Lenovo (Beijing) Co., Ltd.", "北京"),
    ("Hong Kong Sunway Holdings Ltd", "香港"),
    ("Sunway (HK) Limited", "香港"),
    ("ABC北京科技", "北京"),
    ("华为技术有限公司北京分公司", None),  # where a branch sits is not the company's region
    ("中国联通", None),
    ("华为技术有限公司", None),
])
def test_name_parts_region(name, region):
    assert name_parts(name).region == region


def test_name_parts_normalized_keeps_industry_words():
    parts = name_parts("北京联想科技有限公司")
    assert (parts.core, parts.region, parts.normalized) == ("联想", "北京", "联想科技")


def test_lexicon_has_all_34_provincial_level_divisions():
    assert len(lexicon.PROVINCES) == 34
    for province in lexicon.PROVINCES:
        assert name_parts(f"{province}联想科技有限公司").region == province


def test_full_width_and_half_width_are_equal():
    assert name_parts("ＬＥＮＯＶＯ（ＢＥＩＪＩＮＧ）") == name_parts("Lenovo (Beijing)")


# --- Domains and phones --------------------------------------------------------------------

@pytest.mark.parametrize("value, domain", [
    ("zhang.wei@Lenovo.com", "lenovo.com"),
    ("https://www.lenovo.com/cn/", "lenovo.com"),
    ("WWW.LENOVO.COM", "lenovo.com"),
    ("http://user@sales.huawei.com:8080/path", "huawei.com"),
    ("mail.lenovo.com.cn", "lenovo.com.cn"),
    ("Zhang Wei <zhang@jd.com>", "jd.com"),
    ("cn.ibm.com", "ibm.com"),
    ("someone@qq.com", None),
    ("https://mail.163.com", None),
    ("someone@vip.sina.com", None),
    ("x@gmail.com", None),
    ("localhost", None),
    ("192.168.1.10", None),
    ("", None),
    (None, None),
])
def test_normalize_domain(value, domain):
    assert normalize_domain(value) == domain


def test_free_mail_list_covers_the_common_providers():
    assert {"qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com",
            "foxmail.com", "aliyun.com", "139.com", "icloud.com"} <= FREE_MAIL_DOMAINS


@pytest.mark.parametrize("values", [
    ("029-8888 1234", "+86 29 88881234", "(029)88881234", "0086 29 8888 1234",
     "+86 (0)29 8888-1234", "029-88881234 转 801"),
    ("+86 138 0013 8000", "13800138000", "8613800138000", "138-0013-8000"),
])
def test_normalize_phone_variants_are_equal(values):
    assert len({normalize_phone(value) for value in values}) == 1
    assert normalize_phone(values[0]) is not None


def test_domain_and_phone_normalisation_is_idempotent():
    # services store the normalised values and compare() normalises again
    for a, b, _same, _note in PAIRS:
        for record in (a, b):
            domain, phone = normalize_domain(record["domain"]), normalize_phone(record["phone"])
            assert normalize_domain(domain) == domain
            assert normalize_phone(phone) == phone


def test_normalize_phone_rejects_short_numbers():
    assert normalize_phone("12345") is None
    assert normalize_phone("") is None
    assert normalize_phone(None) is None
    assert normalize_phone("88881234") == "88881234"  # local number without area code


# --- Compare -------------------------------------------------------------------------------

def test_required_matches():
    assert compare({"name": "北京联想科技有限公司"}, {"name": "联想(北京)有限公司"}).is_match
    assert compare({"name": "Lenovo (Beijing) Co., Ltd."}, {"name": "LENOVO BEIJING LIMITED"}).is_match
    assert compare({"name": "ＡＢＣ（北京）科技有限公司"}, {"name": "ABC北京科技"}).is_match


def test_required_non_match():
    result = compare({"name": "北京联想科技有限公司"}, {"name": "北京联通科技有限公司"})
    assert not result.is_match
    assert not any(signal.startswith("name") for signal in result.signals)


def test_same_trade_name_in_two_regions_is_two_companies():
    result = compare({"name": "北京联想科技有限公司"}, {"name": "上海联想科技有限公司"})
    assert not result.is_match
    assert "region_differs" in result.signals and "name_exact" not in result.signals
    # a city is compatible with its own province, and a missing region with any
    assert compare({"name": "深圳市华为技术有限公司"}, {"name": "广东华为技术有限公司"}).is_match
    assert compare({"name": "华为技术有限公司"}, {"name": "深圳华为技术有限公司"}).is_match


def test_same_uscc_is_decisive():
    result = compare({"name": "北京小米科技有限责任公司", "uscc": USCC_A},
                     {"name": "Xiaomi Inc.", "uscc": USCC_A.lower()})
    assert result.is_match and result.score == 1.0 and "uscc" in result.signals


def test_different_valid_usccs_veto_a_match():
    result = compare({"name": "北京联想科技有限公司", "uscc": USCC_A, "domain": "lenovo.com"},
                     {"name": "联想(北京)有限公司", "uscc": USCC_B, "domain": "www.lenovo.com"})
    assert not result.is_match
    assert "uscc_differs" in result.signals and result.score < 0.5


def test_invalid_uscc_is_ignored():
    typo = USCC_A[:5] + ALPHABET[(ALPHABET.index(USCC_A[5]) + 1) % 31] + USCC_A[6:]
    result = compare({"name": "联想(北京)有限公司", "uscc": USCC_A},
                     {"name": "北京联想科技有限公司", "uscc": typo})
    assert result.is_match and "uscc_differs" not in result.signals


def test_two_medium_signals_match_and_one_does_not():
    a = {"name": "联想(北京)有限公司", "domain": "lenovo.com", "phone": "010-58868888"}
    b = {"name": "Lenovo Group", "domain": "https://www.lenovo.com", "phone": "+86 10 5886 8888"}
    both = compare(a, b)
    assert both.is_match and set(both.signals) == {"domain", "phone"}
    only_domain = compare(a, {**b, "phone": None})
    assert not only_domain.is_match and only_domain.signals == ["domain"]
    assert 0 < only_domain.score < both.score


def test_fuzzy_name_is_a_medium_signal():
    a = {"name": "北京京东世纪贸易有限公司", "domain": "jd.com"}
    b = {"name": "京东", "domain": "https://www.jd.com"}
    result = compare(a, b)
    assert result.is_match
    assert any(signal.startswith("name_fuzzy:") for signal in result.signals)
    assert not compare({"name": a["name"]}, {"name": b["name"]}).is_match


def test_free_mail_domain_is_no_evidence():
    result = compare({"name": "华为技术有限公司", "domain": "huawei@qq.com"},
                     {"name": "华美技术有限公司", "domain": "huamei@qq.com"})
    assert not result.is_match and result.signals == []


def test_missing_fields_are_allowed():
    assert compare({}, {}) == MatchResult(0.0, False, [])
    assert not compare({"name": None, "uscc": None}, {"name": "联想"}).is_match


def test_result_is_frozen():
    result = compare({"name": "联想"}, {"name": "联想"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 0  # type: ignore[misc]


@pytest.mark.parametrize("a, b, same, note", PAIRS, ids=[p[3][:30] for p in PAIRS])
def test_compare_is_symmetric_on_the_labelled_set(a, b, same, note):
    forward, backward = compare(a, b), compare(b, a)
    assert forward.score == backward.score
    assert forward.is_match == backward.is_match
    assert set(forward.signals) == set(backward.signals)
    assert 0.0 <= forward.score <= 1.0


def test_labelled_set_precision_and_recall():
    assert len(PAIRS) >= 150
    metrics = evaluate(PAIRS)
    assert metrics["precision"] >= 0.95, metrics["errors"]
    assert metrics["recall"] >= 0.9, metrics["errors"]


# --- Blocking ------------------------------------------------------------------------------

@pytest.mark.parametrize("variants", [
    ("北京联想科技有限公司", "联想(北京)有限公司", "联想集团", "联 想（北京）"),
    ("北京京东世纪贸易有限公司", "京东"),
    ("广西柳工机械股份有限公司", "柳工"),
    ("Lenovo (Beijing) Co., Ltd.", "LENOVO BEIJING LIMITED", "Lenovo Group"),
    ("Accenture Co Ltd", "Acenture Co., Ltd."),
    ("Schneider Electric", "Schnieder Electric (China)"),
])
def test_variants_share_a_blocking_key(variants):
    first = blocking_keys(variants[0])
    for other in variants[1:]:
        assert first & blocking_keys(other), other


def test_blocking_keys_are_few_and_short():
    for a, b, _same, _note in PAIRS:
        for record in (a, b):
            keys = blocking_keys(record["name"])
            assert 1 <= len(keys) <= 8 if record["name"] else not keys
    assert blocking_keys("") == set() and blocking_keys(None) == set()


def test_every_true_pair_in_the_labelled_set_shares_a_key():
    result = blocking(PAIRS)
    assert result["missed"] == []
    # pairs with no name key in common are the ones linked by USCC, domain or phone only
    for a, b in result["name_missed"]:
        assert record_keys(a) & record_keys(b)
        assert not compare({"name": a["name"]}, {"name": b["name"]}).is_match


def test_record_keys_cover_every_signal():
    keys = record_keys({"name": "联想(北京)有限公司", "uscc": USCC_A.lower(),
                        "domain": "zhang@lenovo.com", "phone": "010-5886 8888"})
    assert {"n:联想", f"u:{USCC_A}", "d:lenovo.com", "p:1058868888"} <= keys
    assert record_keys({"domain": "me@qq.com"}) == set()
