"""Write the labelled customer pairs (bench/data/customer_pairs.csv) for `matching_eval.py`.

The first rows are the hand-written pairs of the first matcher (kept as they were, `outcome`
added). The rest are composed here from invented trade names (字号) and real place names, one block
per kind of real-world record the matcher has to handle (DESIGN §3.4.1), each labelled with the
outcome a channel manager expects: `match` (the same customer), `possible` (worth a look: same
trade name in another line of business, a name that only spells the other in pinyin, a shared
company domain), `none`. The Traditional-character spellings are written out by hand.

    .venv/bin/python bench/data/build_pairs.py      # rewrites customer_pairs.csv
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "customer_pairs.csv"
FIELDS = ["a_name", "a_uscc", "a_domain", "a_phone", "b_name", "b_uscc", "b_domain", "b_phone",
          "same", "outcome", "note"]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

rng = random.Random(20261203)


def uscc() -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + \
        "".join(rng.choice(ALPHABET) for _ in range(9))
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + ALPHABET[(31 - total % 31) % 31]


#: Invented two- and three-character trade names with their pinyin.
TRADE = [("恒达", "hengda"), ("瑞祥", "ruixiang"), ("鼎盛", "dingsheng"), ("锦程", "jincheng"),
         ("宏图", "hongtu"), ("中辰", "zhongchen"), ("祥云", "xiangyun"), ("博远", "boyuan"),
         ("华岳", "huayue"), ("正泰和", "zhengtaihe"), ("嘉禾", "jiahe"), ("天润", "tianrun"),
         ("凯晟", "kaisheng"), ("德昌", "dechang"), ("新元", "xinyuan"), ("明轩", "mingxuan"),
         ("汇川源", "huichuanyuan"), ("启航", "qihang"), ("泰隆", "tailong"), ("卓越星", "zhuoyuexing"),
         ("远洋", "yuanyang"), ("福瑞", "furui"), ("安顺达", "anshunda"), ("冠宇", "guanyu"),
         ("金桥", "jinqiao"), ("晨光", "chenguang"), ("永辉", "yonghui"), ("腾飞", "tengfei"),
         ("聚源", "juyuan"), ("广和", "guanghe"), ("君泰", "juntai"), ("立信达", "lixinda"),
         ("鑫源", "xinyuan2"), ("海纳", "haina"), ("万嘉", "wanjia"), ("宇通达", "yutongda"),
         ("星河", "xinghe"), ("东岳", "dongyue"), ("正元", "zhengyuan"), ("同创", "tongchuang"),
         ("盛世", "shengshi"), ("和信", "hexin"), ("佳禾", "jiahe2"), ("蓝海", "lanhai"),
         ("九州通达", "jiuzhoutongda"), ("山河", "shanhe"), ("青松", "qingsong"), ("云帆", "yunfan"),
         ("乐家", "lejia"), ("百川", "baichuan")]
TRADE = [(t, p.rstrip("2")) for t, p in TRADE]
#: Industry words with an English rendering, grouped by line of business.
INDUSTRY = [("电子科技", "Electronic Technology"), ("软件", "Software"), ("信息技术", "Information Technology"),
            ("机械制造", "Machinery"), ("纺织", "Textile"), ("文化传媒", "Culture Media"),
            ("餐饮管理", "Catering Management"), ("建筑工程", "Construction Engineering"),
            ("生物医药", "Biopharmaceutical"), ("物流", "Logistics"), ("房地产开发", "Real Estate"),
            ("食品", "Food"), ("化工", "Chemical"), ("服饰", "Apparel"), ("教育科技", "Education Technology"),
            ("汽车销售服务", "Auto Sales"), ("环保科技", "Environmental Technology"),
            ("农业发展", "Agriculture"), ("酒店管理", "Hotel Management"), ("医疗器械", "Medical Devices")]
#: Pairs of lines of business that are clearly different (for same trade name → possible).
DIFFERENT = [("文化传媒", "电子科技"), ("餐饮管理", "软件"), ("建筑工程", "生物医药"), ("服饰", "化工"),
             ("酒店管理", "机械制造"), ("物流", "教育科技"), ("食品", "房地产开发"), ("医疗器械", "农业发展"),
             ("汽车销售服务", "纺织"), ("环保科技", "餐饮管理")]
#: (province, prefecture city, a district or county of it, its pinyin, area code)
PLACES = [("江苏省", "盐城市", "亭湖区", "yancheng", "0515"), ("浙江省", "绍兴市", "柯桥区", "shaoxing", "0575"),
          ("浙江省", "金华市", "婺城区", "jinhua", "0579"), ("贵州省", "遵义市", "红花岗区", "zunyi", "0851"),
          ("江西省", "赣州市", "章贡区", "ganzhou", "0797"), ("湖南省", "岳阳市", "岳阳楼区", "yueyang", "0730"),
          ("陕西省", "榆林市", "榆阳区", "yulin", "0912"), ("四川省", "德阳市", "旌阳区", "deyang", "0838"),
          ("山东省", "日照市", "东港区", "rizhao", "0633"), ("河南省", "南阳市", "卧龙区", "nanyang", "0377"),
          ("安徽省", "蚌埠市", "蚌山区", "bengbu", "0552"), ("广东省", "肇庆市", "端州区", "zhaoqing", "0758"),
          ("河北省", "邢台市", "信都区", "xingtai", "0319"), ("湖北省", "荆州市", "沙市区", "jingzhou", "0716"),
          ("福建省", "莆田市", "城厢区", "putian", "0594"), ("辽宁省", "锦州市", "古塔区", "jinzhou", "0416"),
          ("广西壮族自治区", "玉林市", "玉州区", "yulin", "0775"), ("云南省", "曲靖市", "麒麟区", "qujing", "0874"),
          ("甘肃省", "天水市", "秦州区", "tianshui", "0938"), ("黑龙江省", "齐齐哈尔市", "龙沙区", "qiqihar", "0452")]
#: Municipality districts: (city, district, pinyin)
DISTRICTS = [("北京市", "朝阳区"), ("北京市", "海淀区"), ("上海市", "浦东新区"), ("上海市", "闵行区"),
             ("天津市", "滨海新区"), ("重庆市", "渝北区"), ("北京市", "丰台区"), ("上海市", "嘉定区"),
             ("天津市", "西青区"), ("重庆市", "江北区")]
COUNTIES = [("浙江省", "长兴县"), ("河北省", "正定县"), ("江苏省", "沛县"), ("山东省", "莒县"),
            ("湖南省", "宁乡市"), ("江苏省", "江阴市"), ("浙江省", "义乌市"), ("江苏省", "张家港市"),
            ("四川省", "郫县"), ("福建省", "晋江市"), ("安徽省", "肥西县"), ("河南省", "新郑市")]
ZONES = [("江苏省昆山开发区", "昆山"), ("昆山经济技术开发区", "昆山"), ("苏州工业园区", "苏州"),
         ("天津经济技术开发区", "天津"), ("武汉东湖新技术开发区", "武汉"), ("成都高新区", "成都"),
         ("西安高新技术产业开发区", "西安"), ("广州经济技术开发区", "广州"), ("合肥高新区", "合肥"),
         ("长沙经济技术开发区", "长沙"), ("大连保税区", "大连"), ("青岛西海岸新区", "青岛")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"

rows: list[dict] = []


def add(a, b, outcome, note, **keys):
    row = {f: "" for f in FIELDS}
    row["a_name"], row["b_name"] = a, b
    for k, v in keys.items():
        row[k] = v
    row["outcome"] = outcome
    row["same"] = "1" if outcome == "match" else "0"
    row["note"] = note
    rows.append(row)


def trade(i):
    return TRADE[i % len(TRADE)]


def industry(i):
    return INDUSTRY[i % len(INDUSTRY)]


def phone(code):
    return f"{code}-{rng.randint(2, 8)}{rng.randint(100, 999)}{rng.randint(1000, 9999)}"


def main():
    old = list(csv.DictReader(open(HERE / "customer_pairs_v1.csv", encoding="utf-8")))
    relabel = {  # the first set's "different" pairs that a channel manager wants to see
        ("招商银行股份有限公司", "招商证券股份有限公司"): "possible",
        ("华润医药集团有限公司", "华润电力控股有限公司"): "possible",
        ("北京联想科技有限公司", "上海联想科技有限公司"): None,
        ("上海华东电脑股份有限公司", "上海华东医药股份有限公司"): "possible",
        ("南京擎天科技有限公司", "南京擎天汽车有限公司"): "possible",
        ("北京华信科技有限公司", "北京华信科技有限公司"): "possible",
        ("北京金山办公软件股份有限公司", "珠海金山软件有限公司"): "possible",
    }
    for row in old:
        outcome = "match" if row["same"].strip() == "1" else "none"
        label = relabel.get((row["a_name"], row["b_name"]))
        if label and (row["a_domain"] or row["a_phone"] or row["a_uscc"] or label == "possible"):
            outcome = label
        if row["a_name"] == "北京联想科技有限公司" and row["b_name"] == "上海联想科技有限公司" \
                and row["a_domain"]:
            outcome = "possible"  # two regions, but one group domain: worth a look
        add(row["a_name"], row["b_name"], outcome, row["note"],
            **{f: row[f] for f in FIELDS if f[2:] in ("uscc", "domain", "phone")})

    # 1. District, county, zone and prefecture-city prefixes ------------------------------------
    for i, (city, district) in enumerate(DISTRICTS):
        t, _p = trade(i)
        ind, _e = industry(i)
        add(f"{city}{district}{t}{ind}有限公司", f"{t}{ind}（{city[:-1]}）有限公司", "match", "district prefix vs city in brackets")
        add(f"{city[:-1]}{district}{t}{ind}有限公司", f"{city}{t}{ind}有限公司", "match", "district without 市 vs city")
    for i, (prov, city, district, _py, _code) in enumerate(PLACES):
        t, _p = trade(i + 10)
        ind, _e = industry(i + 3)
        add(f"{prov}{city}{t}{ind}有限公司", f"{t}{ind}有限公司", "match", "province + prefecture city prefix")
        add(f"{city}{district}{t}{ind}有限公司", f"{city[:-1]}{t}{ind}有限公司", "match", "prefecture city + district")
        add(f"{t}{ind}（{city[:-1]}）有限公司", f"{prov}{t}{ind}有限公司", "match", "prefecture city in brackets vs province")
    for i, (prov, county) in enumerate(COUNTIES):
        t, _p = trade(i + 30)
        ind, _e = industry(i + 7)
        short = county[:-1] if len(county) > 2 else county
        add(f"{county}{t}{ind}有限公司", f"{short}{t}{ind}有限公司", "match", "county with and without its suffix")
        add(f"{prov}{county}{t}{ind}有限公司", f"{t}{ind}有限公司", "match", "province + county prefix")
    for i, (zone, city) in enumerate(ZONES):
        t, _p = trade(i + 20)
        ind, _e = industry(i + 11)
        add(f"{zone}{t}{ind}有限公司", f"{city}{t}{ind}有限公司", "match", "development zone vs its city")
    # pinyin of prefecture cities in English names
    for i, (_prov, _city, _d, py, _code) in enumerate(PLACES[:14]):
        t, p = trade(i + 5)
        _ind, eng = industry(i + 2)
        add(f"{py.title()} {p.title()} {eng} Co., Ltd.", f"{p.title()} {eng} Co Ltd", "match", "prefecture city pinyin in an English name")
    # same trade name and industry in two different regions: two companies
    for i in range(20):
        t, _p = trade(i + 2)
        ind, _e = industry(i + 5)
        (p1, c1, *_r1), (p2, c2, *_r2) = PLACES[i % 20], PLACES[(i + 7) % 20]
        if p1 == p2:
            continue
        add(f"{c1}{t}{ind}有限公司", f"{c2}{t}{ind}有限公司", "none", "same trade name, other prefecture city")
    for i in range(6):
        t, _p = trade(i + 40)
        ind, _e = industry(i)
        (c1, d1), (c2, d2) = DISTRICTS[i], DISTRICTS[(i + 2) % 10]
        if c1 != c2:
            add(f"{c1}{d1}{t}{ind}有限公司", f"{t}{ind}（{c2[:-1]}）有限公司", "none", "same trade name, other municipality")

    # 2. Traditional characters (written by hand) -----------------------------------------------
    trad = [("臺灣宏達電機股份有限公司", "台湾宏达电机股份有限公司"), ("香港恆達貿易有限公司", "香港恒达贸易有限公司"),
            ("鴻海精密工業股份有限公司", "鸿海精密工业股份有限公司"), ("聯發科技股份有限公司", "联发科技股份有限公司"),
            ("華碩電腦股份有限公司", "华硕电脑股份有限公司"), ("廣達電腦股份有限公司", "广达电脑股份有限公司"),
            ("東莞瑞祥電子有限公司", "东莞瑞祥电子有限公司"), ("億達實業（香港）有限公司", "亿达实业有限公司"),
            ("台灣積體電路製造股份有限公司", "台湾积体电路制造股份有限公司"), ("統一企業股份有限公司", "统一企业股份有限公司"),
            ("長榮海運股份有限公司", "长荣海运股份有限公司"), ("澳門鼎盛國際貿易有限公司", "澳门鼎盛国际贸易有限公司"),
            ("錦程物流（深圳）有限公司", "深圳锦程物流有限公司"), ("廣東華岳實業有限公司", "广东华岳实业有限公司"),
            ("臺北嘉禾資訊股份有限公司", "台北嘉禾资讯股份有限公司"), ("豐順紡織廠有限公司", "丰顺纺织厂有限公司"),
            ("興業銀行股份有限公司", "兴业银行股份有限公司"), ("萬嘉電器（上海）有限公司", "上海万嘉电器有限公司"),
            ("凱晟醫療器械有限公司", "凯晟医疗器械有限公司"), ("啟航教育科技有限公司", "启航教育科技有限公司"),
            ("遠洋漁業集團有限公司", "远洋渔业集团有限公司"), ("聚源環保科技有限公司", "聚源环保科技有限公司"),
            ("雲帆軟體股份有限公司", "云帆软件股份有限公司"), ("新竹縣同創電子有限公司", "同创电子有限公司"),
            ("臺灣德昌機械股份有限公司", "德昌机械（台湾）有限公司"), ("國泰人壽保險股份有限公司", "国泰人寿保险股份有限公司")]
    for a, b in trad:
        add(a, b, "match", "Traditional vs Simplified characters")
    for a, b in [("臺灣宏達電機股份有限公司", "台湾宏远电机股份有限公司"), ("香港恆達貿易有限公司", "香港恒通贸易有限公司"),
                 ("華碩電腦股份有限公司", "华硕生物科技有限公司"), ("長榮海運股份有限公司", "长城海运股份有限公司"),
                 ("聯發科技股份有限公司", "联华科技股份有限公司"), ("廣達電腦股份有限公司", "广通电脑股份有限公司")]:
        outcome = "possible" if "华硕" in b else "none"
        add(a, b, outcome, "Traditional look-alike" if outcome == "none" else "Traditional, same trade name, other business")

    # 3. Legal-form spellings and typos ---------------------------------------------------------
    en_forms = [("L.L.C.", "LLC"), ("G.M.B.H.", "GmbH"), ("S.p.A.", "SpA"), ("Aktiengesellschaft", "AG"),
                ("Incorporated", "Inc."), ("Corporation", "Corp"), ("Pte. Ltd.", "Pte Ltd"), ("S.A.", "SA"),
                ("B.V.", "BV"), ("Co.,Ltd.", "Company Limited"), ("Ltd", "Limited"), ("S.A.R.L.", "SARL"),
                ("Pty. Ltd.", "Pty Ltd"), ("K.K.", "Kabushiki Kaisha"), ("S.r.l.", "SRL"), ("P.L.C.", "plc")]
    en_names = ["Meridian Analytics", "Harbour Gate", "Northwind Traders", "Vantor Systems", "Kellerman Tools",
                "Rossi Meccanica", "Alder Bay Foods", "Brightwell Optics", "Castell Marine", "Dunmore Freight",
                "Falkner Instruments", "Greystone Partners", "Hallett Pumps", "Ivory Coast Textiles",
                "Juniper Robotics", "Kestrel Aviation"]
    for (f1, f2), n in zip(en_forms, en_names, strict=True):
        add(f"{n} {f1}", f"{n.upper()} {f2}", "match", "English legal form spelled two ways")
    for (f1, f2), n in zip(en_forms[:8], en_names[8:], strict=True):
        add(f"{n} {f1}", f"{n} {f2}".replace(n.split()[0], n.split()[0] + "s", 1), "match", "plural slip and legal form")
    cn_typos = [("有线公司", "有限公司"), ("有限公式", "有限公司"), ("股分有限公司", "股份有限公司"),
                ("有限责任公", "有限责任公司"), ("有限工司", "有限公司"), ("股份有线公司", "股份有限公司"),
                ("有現公司", "有限公司"), ("有限责任公式", "有限责任公司")]
    for i, (typo, right) in enumerate(cn_typos * 2):
        t, _p = trade(i + 12)
        ind, _e = industry(i + 1)
        city = PLACES[i % 20][1]
        add(f"{city}{t}{ind}{typo}", f"{city}{t}{ind}{right}", "match", "typo inside the legal form")
    # English look-alikes and different companies under one legal form
    for a, b in [("Meridian Analytics LLC", "Meridian Capital LLC"), ("Harbour Gate GmbH", "Harbour View GmbH"),
                 ("Northwind Traders Inc.", "Northfield Traders Inc."), ("Kellerman Tools AG", "Kellermann Logistik AG"),
                 ("Rossi Meccanica S.p.A.", "Rossi Moda S.p.A."), ("Brightwell Optics Ltd", "Brightway Optics Ltd"),
                 ("Castell Marine S.A.", "Castello Marine Foods S.A."), ("Dunmore Freight B.V.", "Dunmore Bakery B.V."),
                 ("Falkner Instruments Corp", "Faulkner Insurance Corp"), ("Hallett Pumps plc", "Hallmark Pumps plc")]:
        add(a, b, "none", "English names sharing a word or a legal form")

    # 4. Ordinals -------------------------------------------------------------------------------
    for i, (ord_, num) in enumerate([("第一", "一"), ("第二", "二"), ("第三", "三"), ("第五", "五"), ("第十一", "十一")] * 2):
        t, _p = trade(i + 22)
        kind = ["纺织厂", "建筑工程有限公司", "机械厂", "印染有限公司", "食品厂"][i % 5]
        city = PLACES[(i * 3) % 20][1]
        add(f"{city}{t}{ord_}{kind}", f"{city}{t}{num}{kind}", "match", "ordinal 第 written or not")
    for i, (n1, n2) in enumerate([("第一", "第二"), ("第三", "第四"), ("一", "二"), ("第五", "第六")]):
        t, _p = trade(i + 26)
        city = PLACES[(i * 5) % 20][1]
        add(f"{city}{t}{n1}纺织厂", f"{city}{t}{n2}纺织厂", "none", "two numbered works of one name")

    # 5. Noise in the name field ------------------------------------------------------------------
    for i in range(40):
        t, _p = trade(i)
        ind, _e = industry(i + 4)
        city = PLACES[i % 20][1]
        base = f"{city}{t}{ind}有限公司"
        noise = i % 8
        if noise == 0:
            a = f"{base}（{SURNAMES[i % 20]}经理）"
        elif noise == 1:
            a = f"【VIP】{base}"
        elif noise == 2:
            a = f"{base}-{['二期', '三期', '新厂区', '一期扩建'][i % 4]}项目"
        elif noise == 3:
            a = f"{base}（筹）"
        elif noise == 4:
            a = f"{base}(联系人:{SURNAMES[(i + 3) % 20]}工 13{rng.randint(100000000, 999999999)})"
        elif noise == 5:
            a = f"[重点客户]{base}"
        elif noise == 6:
            a = f"{base}（筹建）"
        else:
            a = f"{base} — {['办公楼', '数据中心', '生产线改造'][i % 3]}项目"
        add(a, base, "match", "noise in the name field")
    firms = [("立信", "会计师事务所"), ("天健", "会计师事务所"), ("中伦", "律师事务所"), ("金杜", "律师事务所"),
             ("大华", "会计师事务所"), ("君合", "律师事务所")]
    for i, (t, kind) in enumerate(firms):
        city = PLACES[i][1]
        add(f"{t}{kind}（特殊普通合伙）", f"{t}{kind}", "match", "partnership form of a professional firm")
        add(f"{t}{kind}（特殊普通合伙）{city[:-1]}分所", f"{t}{kind}（特殊普通合伙）", "match", "local office of a partnership")
    for i in range(12):
        t, _p = trade(i + 15)
        t2, _p2 = trade(i + 33)
        ind, _e = industry(i + 6)
        city = PLACES[(i + 4) % 20][1]
        add(f"{city}{t}{ind}有限公司（原{city}{t2}{ind}有限公司）", f"{city}{t2}{ind}有限公司", "match", "former name in brackets")
        if i < 6:
            add(f"{city}{t}{ind}有限公司（原{t2}网络技术有限公司）", f"{city}{t}{ind}有限公司", "match", "current name with former name")

    # 6. Branches -------------------------------------------------------------------------------
    banks = [("招商银行股份有限公司", "招商银行"), ("兴业银行股份有限公司", "兴业银行"), ("中信银行股份有限公司", "中信银行"),
             ("宁波银行股份有限公司", "宁波银行"), ("中国工商银行股份有限公司", "工商银行"), ("交通银行股份有限公司", "交通银行")]
    for i, (full, short) in enumerate(banks):
        prov, city, district, *_r = PLACES[i + 2]
        add(f"{short}{city[:-1]}{district[:-1]}支行", full, "match", "bank sub-branch vs the bank")
        add(f"{full}{city[:-1]}分行", f"{full}{PLACES[i + 9][1][:-1]}分行", "match", "two branches of one bank")
        add(f"{full}{city[:-1]}分行营业部", short, "match", "branch business office")
    groups = [("美的集团股份有限公司", "美的集团"), ("海尔集团公司", "海尔集团"), ("三一集团有限公司", "三一集团"),
              ("恒达控股集团有限公司", "恒达集团"), ("瑞祥实业集团有限公司", "瑞祥集团"), ("鼎盛建设集团有限公司", "鼎盛建设集团")]
    for i, (full, short) in enumerate(groups):
        area = ["华东", "华南", "西南", "华北", "东北", "西北"][i]
        add(f"{short}{area}营销中心", full, "match", "group's regional marketing centre")
        add(f"{full}{area}区域中心", f"{full}{PLACES[i][1][:-1]}办事处", "match", "two branches of a group")
    for i in range(12):
        t, _p = trade(i + 8)
        ind, _e = industry(i + 9)
        prov, city, *_r = PLACES[(i + 6) % 20]
        head = f"{t}{ind}股份有限公司"
        add(f"{head}{city[:-1]}分公司", head, "match", "branch with its own USCC", a_uscc=uscc(), b_uscc=uscc())
        if i < 6:
            add(f"{head}{city[:-1]}分公司", f"{head}{PLACES[(i + 11) % 20][1][:-1]}分公司", "match",
                "two branches with their own USCCs", a_uscc=uscc(), b_uscc=uscc())
    # Different legal entities, both valid codes, and not a branch: not the same customer
    for i in range(6):
        t, _p = trade(i + 36)
        t2, _p2 = trade(i + 44)
        ind, _e = industry(i)
        city = PLACES[i][1]
        add(f"{city}{t}{ind}有限公司", f"{city}{t2}{ind}有限公司", "none", "different names, different USCCs",
            a_uscc=uscc(), b_uscc=uscc())

    # 7. Pinyin / English names and keys --------------------------------------------------------
    for i in range(24):
        t, p = trade(i + 3)
        ind, eng = industry(i + 2)
        prov, city, _d, py, code = PLACES[i % 20]
        cn = f"{city}{t}{ind}有限公司"
        en = f"{py.title()} {p.title()} {eng} Co., Ltd."
        ph = phone(code)
        dom = f"{p}-{py}.com"
        if i % 4 == 0:
            add(cn, en, "match", "English name in pinyin + shared phone", a_phone=ph, b_phone=f"+86 {ph[1:].replace('-', ' ')}")
        elif i % 4 == 1:
            add(cn, en, "match", "English name in pinyin + shared domain", a_domain=f"www.{dom}", b_domain=f"sales@{dom}")
        elif i % 4 == 2:
            add(cn, en, "possible", "English name in pinyin, no shared key")
        else:
            add(cn, f"{py.title()} {p.title()} {eng} Youxian Gongsi", "possible", "full pinyin name, no shared key")
    for i in range(8):
        t, p = trade(i + 30)
        ind, eng = industry(i + 5)
        prov, city, _d, py, code = PLACES[(i + 5) % 20]
        ph = phone(code)
        add(f"{city}{t}{ind}有限公司", f"{py.title()} {p.title()} Keji Youxian Gongsi", "match",
            "full pinyin name + shared phone", a_phone=ph, b_phone=ph.replace("-", ""))
    for i in range(10):
        t, p = trade(i + 11)
        t2, p2 = trade(i + 27)
        ind, eng = industry(i)
        prov, city, _d, py, code = PLACES[i % 20]
        add(f"{city}{t}{ind}有限公司", f"{py.title()} {p2.title()} {eng} Co., Ltd.", "none", "English name spelling another trade name")

    # 8. Keys that do not identify a company ---------------------------------------------------
    platforms = ["taobao.com", "tmall.com", "1688.com", "jd.com", "made-in-china.com", "b2b168.com",
                 "wixsite.com", "github.io", "weebly.com", "en.alibaba.com"]
    for i, plat in enumerate(platforms):
        t, p = trade(i + 1)
        t2, p2 = trade(i + 19)
        ind, _e = industry(i + 2)
        ind2, _e2 = industry(i + 8)
        city = PLACES[i][1]
        host = "shop" if plat in ("taobao.com", "tmall.com", "jd.com") else ""
        d1 = f"https://{host}{p}.{plat}" if plat != "en.alibaba.com" else f"https://{p}.en.alibaba.com"
        d2 = f"https://{host}{p2}.{plat}" if plat != "en.alibaba.com" else f"https://{p2}.en.alibaba.com"
        add(f"{city}{t}{ind}有限公司", f"{city}{t2}{ind2}有限公司", "none", "two shops on one platform", a_domain=d1, b_domain=d2)
        add(f"{city}{t}{ind}有限公司", f"{t}{ind}", "match", "same shop on a platform", a_domain=d1, b_domain=d1.replace("https://", ""))
    gov = [("杭州市财政局", "czj.hangzhou.gov.cn", "杭州市公安局", "gaj.hangzhou.gov.cn"),
           ("南京市教育局", "edu.nanjing.gov.cn", "南京市卫生健康委员会", "wjw.nanjing.gov.cn"),
           ("成都市税务局", "chengdu.chinatax.gov.cn", "四川省税务局", "sichuan.chinatax.gov.cn"),
           ("深圳市交通运输局", "jtys.sz.gov.cn", "深圳市水务局", "swj.sz.gov.cn"),
           ("苏州市人民政府办公室", "www.suzhou.gov.cn", "苏州市自然资源和规划局", "zrzy.suzhou.gov.cn"),
           ("武汉市科学技术局", "kjj.wuhan.gov.cn", "武汉市统计局", "tjj.wuhan.gov.cn"),
           ("宁波市商务局", "swj.ningbo.gov.cn", "宁波市市场监督管理局", "scjg.ningbo.gov.cn"),
           ("厦门市住房和建设局", "zjj.xm.gov.cn", "厦门市生态环境局", "sthjj.xm.gov.cn")]
    for a, da, b, db_ in gov:
        add(a, b, "none", "two government offices under one gov.cn umbrella", a_domain=f"office@{da}", b_domain=f"http://{db_}")
        add(a, a.replace("市", "市人民政府", 1) if "人民政府" not in a else a, "match", "the same office written two ways",
            a_domain=da, b_domain=f"info@{da}")
    free = ["163.net", "yeah.net", "sina.cn", "139.com", "aliyun.com", "foxmail.com", "sohu.com", "126.com",
            "outlook.com", "yahoo.com", "hotmail.com", "qq.com"]
    for i, fm in enumerate(free):
        t, p = trade(i + 4)
        t2, p2 = trade(i + 24)
        ind, _e = industry(i + 1)
        city = PLACES[(i + 2) % 20][1]
        add(f"{city}{t}{ind}有限公司", f"{city}{t2}{ind}有限公司", "none", "same free-mail provider",
            a_domain=f"{p}2020@{fm}", b_domain=f"{p2}_sales@{fm}")
    for i in range(12):
        t, p = trade(i + 6)
        t2, p2 = trade(i + 16)
        ind, _e = industry(i + 3)
        ind2, _e2 = industry(i + 12)
        prov, city, _d, _py, code = PLACES[(i + 1) % 20]
        board = phone(code)
        ext = ["转", "-", " ext ", "转分机", " x", "#"][i % 6]
        add(f"{city}{t}{ind}有限公司", f"{city}{t2}{ind2}有限公司", "none", "two extensions of one switchboard",
            a_phone=f"{board}{ext}80{i:02d}", b_phone=f"{board}{ext}81{i:02d}")
        if i < 6:
            add(f"{city}{t}{ind}有限公司", f"{t}{ind}", "match", "same switchboard, same name", a_phone=f"{board}转80{i:02d}",
                b_phone=board)
    for i in range(8):
        t, p = trade(i + 2)
        prov, city, _d, py, code = PLACES[(i + 9) % 20]
        ph = phone(code)
        add(f"{city}{t}科技有限公司", f"{city}{t}科技有限公司", "match", "several numbers in one field",
            a_phone=f"{ph} / 138{rng.randint(10000000, 99999999)}", b_phone=ph.replace("-", " "))

    # 9. Same trade name, different business ----------------------------------------------------
    for i, (ind1, ind2) in enumerate(DIFFERENT * 3):
        t, _p = trade(i + 7)
        prov, city, *_r = PLACES[(i * 3) % 20]
        if i < 10:
            add(f"{city}{t}{ind1}有限公司", f"{city}{t}{ind2}有限公司", "possible", "same trade name and city, other business")
        elif i < 20:
            add(f"{t}{ind1}（{city[:-1]}）有限公司", f"{prov}{city}{t}{ind2}有限公司", "possible",
                "same trade name and city, other business, region written two ways")
        else:
            other = PLACES[(i * 3 + 5) % 20]
            if other[0] != prov:
                add(f"{city}{t}{ind1}有限公司", f"{other[1]}{t}{ind2}有限公司", "none", "same trade name, other city and business")
    for i in range(10):
        t, _p = trade(i + 9)
        ind, _e = industry(i + 2)
        prov, city, *_r = PLACES[(i + 2) % 20]
        dom = f"{trade(i + 9)[1]}-group.com"
        ind, ind2 = DIFFERENT[i]
        add(f"{city}{t}{ind}有限公司", f"{city}{t}{ind2}有限公司", "match" if i % 2 else "possible",
            "same trade name, other business, shared domain" if i % 2 else "same trade name, other business, only a group domain",
            **({"a_domain": dom, "b_domain": f"info@{dom}", "a_phone": f"{_r[-1]}-86001234",
                "b_phone": f"{_r[-1]}86001234"} if i % 2 else {"a_domain": f"www.{dom}", "b_domain": f"hr@{dom}"}))
    # Different names sharing one company key
    for i in range(8):
        t, p = trade(i + 13)
        t2, p2 = trade(i + 37)
        ind, _e = industry(i + 4)
        prov, city, _d, _py, code = PLACES[(i + 3) % 20]
        if i % 2:
            add(f"{city}{t}{ind}有限公司", f"{city}{t2}{ind}有限公司", "possible", "different names, one company domain",
                a_domain=f"{p}.com.cn", b_domain=f"mail@{p}.com.cn")
        else:
            ph = phone(code)
            add(f"{city}{t}{ind}有限公司", f"{city}{t2}{ind}有限公司", "possible", "different names, one phone number",
                a_phone=ph, b_phone=ph)

    # 10. More that already works and hard negatives --------------------------------------------
    for i in range(30):
        t, p = trade(i + 1)
        ind, _e = industry(i + 10)
        prov, city, *_r = PLACES[(i + 8) % 20]
        variants = [(f"{prov}{t}{ind}有限公司", f"{city}{t}{ind}有限公司"),
                    (f"{t}{ind}有限公司", f"{t}{ind}股份有限公司"),
                    (f"{city}{t}{ind}有限公司", f"{t}{ind}"),
                    (f"{t}（{city[:-1]}）{ind}有限公司", f"{city[:-1]}{t}{ind}有限责任公司"),
                    (f"{city}{t}{ind}集团有限公司", f"{t}{ind}集团")]
        a, b = variants[i % 5]
        add(a, b, "match", "region and legal form variants")
    look = [("恒达", "恒大"), ("瑞祥", "瑞翔"), ("鼎盛", "鼎胜"), ("锦程", "锦城"), ("宏图", "宏途"), ("中辰", "中晨"),
            ("祥云", "翔云"), ("博远", "博源"), ("华岳", "华越"), ("嘉禾", "佳禾"), ("天润", "天瑞"), ("凯晟", "凯盛"),
            ("德昌", "德隆"), ("新元", "新源"), ("明轩", "明宣"), ("启航", "起航"), ("泰隆", "泰龙"), ("远洋", "远扬"),
            ("福瑞", "富瑞"), ("冠宇", "冠宏"), ("金桥", "金乔"), ("晨光", "辰光"), ("永辉", "永晖"), ("腾飞", "腾辉"),
            ("聚源", "聚元"), ("广和", "广合"), ("君泰", "君太"), ("海纳", "海讷"), ("万嘉", "万家"), ("星河", "兴和")]
    for i, (t1, t2) in enumerate(look):
        ind, _e = industry(i + 3)
        prov, city, *_r = PLACES[(i + 4) % 20]
        add(f"{city}{t1}{ind}有限公司", f"{city}{t2}{ind}有限公司", "none", "one character differs (homophone)")
    for i in range(20):
        t, _p = trade(i + 5)
        t2, _p2 = trade(i + 6)
        prov, city, *_r = PLACES[(i + 13) % 20]
        add(f"{city}{t}{t2[0]}科技有限公司", f"{city}{t}科技有限公司", "none", "longer trade name containing another")
    for i in range(14):
        prov, city, *_r = PLACES[i]
        ind, _e = industry(i)
        add(f"{city}{ind}有限公司", f"{PLACES[i + 1][1]}{ind}有限公司", "none", "no trade name, only region and industry")

    with open(OUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        seen = set()
        for row in rows:
            key = tuple(row[f] for f in FIELDS[:8])
            if key in seen:
                continue
            seen.add(key)
            writer.writerow(row)
    print(f"{len(seen)} pairs written to {OUT}")


if __name__ == "__main__":
    main()
