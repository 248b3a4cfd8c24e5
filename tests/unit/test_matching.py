"""The customer matcher (DESIGN §3.4, §3.4.1): normalisation, signals, outcomes, blocking keys,
labelled-set quality and speed."""
from __future__ import annotations

import dataclasses
import time

import pytest

from bench.matching_eval import blocking, evaluate, load_pairs
from portal.core.uscc import ALPHABET, uscc_check_char
from portal.matching import divisions
from portal.matching.compare import MatchResult, compare
from portal.matching.contact_keys import normalize_domain, normalize_phone, phones
from portal.matching.keys import blocking_keys, record_keys
from portal.matching.lexicon import FREE_MAIL_DOMAINS
from portal.matching.names import former_names, name_parts, normalize_name

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
    ("广西壮族自治区柳工机械有限公司", "柳工"),  # sector words name the line of business
    ("招商银行股份有限公司", "招商"),
    ("臺灣宏達電機股份有限公司", "宏达"),  # Traditional → Simplified
    ("北京市朝阳区恒达科技有限公司", "恒达"),  # district
    ("江苏省昆山经济技术开发区瑞祥电子有限公司", "瑞祥"),  # county-level city + zone
    ("长兴县鼎盛纺织有限公司", "鼎盛"),  # county
    ("锦程物流（盐城）有限公司", "锦程"),  # prefecture city in brackets
    ("【VIP】恒达科技有限公司（王经理）", "恒达"),  # tag and contact
    ("恒达科技有限公司-二期项目", "恒达"),
    ("恒达科技有限公司（筹）", "恒达"),
    ("立信会计师事务所（特殊普通合伙）", "立信"),
    ("恒达科技有线公司", "恒达"),  # a typo in the legal form
    ("腾飞第三纺织厂", "腾飞三"),  # ordinals: 第三 = 三
    ("招商银行股份有限公司深圳分行", "招商"),  # a branch
    ("美的集团华东营销中心", "美的"),
    ("德昌餐饮管理有限公司", "德昌"),  # a county's name that is the trade name here
    ("Meridian Analytics L.L.C.", "meridiananalytics"),
    ("Rossi Meccanica S.p.A.", "rossimeccanica"),
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


@pytest.mark.parametrize("name, code", [
    ("北京市联想科技有限公司", "110000"),
    ("联想(北京)有限公司", "110000"),
    ("联想【北京】有限公司", "110000"),
    ("广东省深圳市华为技术有限公司", "440300"),
    ("Lenovo (Beijing) Co., Ltd.", "110000"),
    ("Hong Kong Sunway Holdings Ltd", "810000"),
    ("Sunway (HK) Limited", "810000"),
    ("ABC北京科技", "110000"),
    ("Yancheng Guanyu Information Technology Co., Ltd.", "320900"),
    ("北京市朝阳区恒达科技有限公司", "110105"),
    ("华为技术有限公司北京分公司", None),  # where a branch sits is not the company's region
    ("中国联通", None),
    ("华为技术有限公司", None),
])
def test_name_parts_region(name, code):
    region = name_parts(name).region
    assert (code in region) if code else region is None


def test_name_parts_normalized_keeps_industry_words():
    parts = name_parts("北京联想科技有限公司")
    assert (parts.core, parts.normalized, parts.sectors) == ("联想", "联想科技", frozenset({"tech"}))


def test_every_provincial_level_division_is_a_region():
    provinces = ["北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省",
                 "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省",
                 "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
                 "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
                 "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区"]
    for province in provinces:
        assert name_parts(f"{province}联想科技有限公司").region, province
        assert divisions.leading_region(province)[0] == province


def test_former_name_in_brackets_is_kept_apart():
    assert former_names("恒达科技有限公司（原瑞祥网络技术有限公司）") == ("瑞祥网络技术有限公司",)
    assert normalize_name("恒达科技有限公司（原瑞祥网络技术有限公司）") == "恒达"


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
    ("someone@163.net", None),
    ("shop@yeah.net", None),
    ("https://shop123.taobao.com", "shop123.taobao.com"),  # a platform: the shop is the identity
    ("mingxuan.en.alibaba.com", "mingxuan.en.alibaba.com"),
    ("office@czj.hangzhou.gov.cn", "czj.hangzhou.gov.cn"),  # one office under gov.cn
    ("someone.github.io", "someone.github.io"),
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


def test_domain_normalisation_is_idempotent():
    for a, b, _outcome, _note in PAIRS:
        for record in (a, b):
            domain = normalize_domain(record["domain"])
            assert normalize_domain(domain) == domain


def test_phone_fields_with_several_numbers_and_extensions():
    assert normalize_phone("0571-8888 1234 / 13800138000") == "8657188881234"
    assert phones("0571-88881234转8001") == phones("0571-88881234 ext 8001")
    assert phones("0571-88881234-8002")[0].extension == "8002"
    assert [p.number for p in phones("0571-88881234、13800138000")] == ["8657188881234",
                                                                       "8613800138000"]


def test_normalize_phone_rejects_short_numbers():
    assert normalize_phone("12345") is None
    assert normalize_phone("") is None
    assert normalize_phone(None) is None


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
    assert result.outcome == "none"
    assert "region_differs" in result.signals and "name_exact" not in result.signals
    other_city = compare({"name": "盐城市恒达纺织有限公司"}, {"name": "绍兴市恒达纺织有限公司"})
    assert other_city.outcome == "none"
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
    assert result.outcome == "possible"
    assert "uscc_differs" in result.signals and result.score < 0.5


def test_a_branch_with_its_own_uscc_is_its_company():
    result = compare({"name": "恒达软件股份有限公司盐城分公司", "uscc": USCC_A},
                     {"name": "恒达软件股份有限公司", "uscc": USCC_B})
    assert result.outcome == "match" and "uscc_differs" not in result.signals


def test_same_trade_name_other_business_is_possible_never_match():
    a, b = {"name": "杭州恒达文化传媒有限公司"}, {"name": "杭州恒达电子科技有限公司"}
    result = compare(a, b)
    assert result.outcome == "possible" and result.signals == ["trade_name_other_business"]
    assert compare({**a, "phone": "0571-86001234"}, {**b, "phone": "057186001234"}).outcome == "possible"
    both_keys = compare({**a, "phone": "0571-86001234", "domain": "hengda.com"},
                        {**b, "phone": "057186001234", "domain": "www.hengda.com"})
    assert both_keys.outcome == "match"


def test_traditional_and_simplified_match():
    assert compare({"name": "臺灣宏達電機股份有限公司"}, {"name": "台湾宏达电机股份有限公司"}).is_match


def test_pinyin_name_is_possible_alone_and_a_match_with_a_key():
    cn = {"name": "盐城市冠宇信息技术有限公司", "phone": "0515-85078512"}
    en = {"name": "Yancheng Guanyu Information Technology Co., Ltd.", "phone": "+86 515 8507 8512"}
    assert compare({"name": cn["name"]}, {"name": en["name"]}).outcome == "possible"
    result = compare(cn, en)
    assert result.outcome == "match" and set(result.signals) == {"pinyin", "phone"}


def test_keys_that_do_not_identify_a_company():
    shops = compare({"name": "盐城市恒达纺织有限公司", "domain": "https://shophengda.taobao.com"},
                    {"name": "盐城市瑞祥化工有限公司", "domain": "shopruixiang.taobao.com"})
    offices = compare({"name": "杭州市财政局", "domain": "czj.hangzhou.gov.cn"},
                      {"name": "杭州市公安局", "domain": "gaj.hangzhou.gov.cn"})
    board = compare({"name": "盐城市恒达纺织有限公司", "phone": "0515-88881234转8001"},
                    {"name": "盐城市瑞祥化工有限公司", "phone": "0515-88881234-8002"})
    assert shops.outcome == offices.outcome == board.outcome == "none"
    assert board.signals == ["switchboard"]


def test_aliases_are_matched_like_names():
    a = {"name": "恒达科技有限公司", "aliases": ["Hengda Tech"]}
    b = {"name": "HENGDA TECH LIMITED"}
    result = compare(a, b)
    assert result.is_match and "alias" in result.signals
    assert compare(b, a).signals == result.signals
    assert "n:hengda" in record_keys(a)


def test_compare_on_a_cold_name_is_fast():
    compare({"name": "预热科技有限公司", "phone": "010-12345678", "domain": "a.com"},
            {"name": "Warm Up Ltd"})  # load the libraries and the tables once
    warm = {"name": "杭州恒达文化传媒有限公司", "phone": "0571-86001234", "domain": "hengda.com"}
    compare(warm, warm)
    batches = []  # the fastest of five batches: the machine may be busy with other work
    for batch in range(5):
        start = time.perf_counter()
        for i in range(batch * 40, batch * 40 + 40):
            compare(warm, {"name": f"江苏省盐城市{chr(0x4e00 + 7 * i)}{chr(0x5e00 + 3 * i)}电子科技有限公司",
                           "phone": f"0515-8{i:07d}", "domain": f"x{i}.com.cn"})
        batches.append((time.perf_counter() - start) / 40)
    assert min(batches) < 0.0005


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
    assert only_domain.outcome == "possible" and only_domain.signals == ["domain"]
    assert 0 < only_domain.score < both.score


def test_fuzzy_name_is_a_medium_signal():
    a = {"name": "北京京东世纪贸易有限公司", "domain": "jd.com"}
    b = {"name": "京东", "domain": "https://www.jd.com"}
    result = compare(a, b)
    assert result.is_match
    assert any(signal.startswith("name_fuzzy:") for signal in result.signals)
    assert compare({"name": a["name"]}, {"name": b["name"]}).outcome == "none"


def test_free_mail_domain_is_no_evidence():
    result = compare({"name": "华为技术有限公司", "domain": "huawei@qq.com"},
                     {"name": "华美技术有限公司", "domain": "huamei@qq.com"})
    assert not result.is_match and result.signals == []


def test_missing_fields_are_allowed():
    assert compare({}, {}) == MatchResult(0.0, "none", [])
    assert not compare({"name": None, "uscc": None}, {"name": "联想"}).is_match


def test_result_is_frozen():
    result = compare({"name": "联想"}, {"name": "联想"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 0  # type: ignore[misc]


def test_compare_is_symmetric_on_the_labelled_set():
    for a, b, _outcome, note in PAIRS:
        forward, backward = compare(a, b), compare(b, a)
        assert forward.score == backward.score, note
        assert forward.outcome == backward.outcome, note
        assert set(forward.signals) == set(backward.signals), note
        assert 0.0 <= forward.score <= 1.0
        assert forward.is_match == (forward.outcome == "match")


def test_labelled_set_precision_and_recall():
    assert len(PAIRS) >= 600
    kinds = {outcome for _a, _b, outcome, _note in PAIRS}
    assert kinds == {"match", "possible", "none"}
    metrics = evaluate(PAIRS)
    assert metrics["precision"] >= 0.97, metrics["errors"]
    assert metrics["recall"] >= 0.95, metrics["errors"]
    assert metrics["matrix"][("possible", "possible")] >= 0.9 * sum(
        1 for _a, _b, outcome, _n in PAIRS if outcome == "possible")


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
    for a, b, _outcome, _note in PAIRS:
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
        assert compare({"name": a["name"]}, {"name": b["name"]}).outcome != "match"


def test_record_keys_cover_every_signal():
    keys = record_keys({"name": "联想(北京)有限公司", "uscc": USCC_A.lower(),
                        "domain": "zhang@lenovo.com", "phone": "010-5886 8888"})
    assert {"n:联想", f"u:{USCC_A}", "d:lenovo.com", "p:861058868888"} <= keys
    assert record_keys({"domain": "me@qq.com"}) == set()
