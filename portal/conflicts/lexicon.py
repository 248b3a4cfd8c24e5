"""Word lists for customer-name normalisation and matching (DESIGN §3.4).

Kept apart from `matching.py` so that the rules stay readable and the lists can grow without
touching code. Every entry is already in the form the normaliser compares against: NFKC,
case-folded, without spaces or punctuation.

A Chinese company name is region + trade name (字号) + industry + legal form, for example
北京 + 联想 + 科技 + 有限公司. Only the trade name identifies the company, so the normaliser strips
the other three using these lists. The industry list deliberately holds only the *generic*
descriptors that IT and trading companies pile on (科技, 信息技术, 网络 …); words that name a
sector (银行, 证券, 保险, 医药, 航空, 汽车 …) stay in the core, because 招商银行 and 招商证券, or
华润医药 and 华润电力, are different customers.
"""
from __future__ import annotations

# --- Regions -------------------------------------------------------------------------------

#: The 34 provincial-level divisions: canonical short name → the suffixes its full name may take.
PROVINCES: dict[str, tuple[str, ...]] = {
    # municipalities (直辖市)
    "北京": ("市",), "天津": ("市",), "上海": ("市",), "重庆": ("市",),
    # provinces (省)
    "河北": ("省",), "山西": ("省",), "辽宁": ("省",), "吉林": ("省",), "黑龙江": ("省",),
    "江苏": ("省",), "浙江": ("省",), "安徽": ("省",), "福建": ("省",), "江西": ("省",),
    "山东": ("省",), "河南": ("省",), "湖北": ("省",), "湖南": ("省",), "广东": ("省",),
    "海南": ("省",), "四川": ("省",), "贵州": ("省",), "云南": ("省",), "陕西": ("省",),
    "甘肃": ("省",), "青海": ("省",), "台湾": ("省",),
    # autonomous regions (自治区)
    "内蒙古": ("自治区",), "广西": ("壮族自治区", "自治区"), "西藏": ("自治区",),
    "宁夏": ("回族自治区", "自治区"), "新疆": ("维吾尔自治区", "自治区"),
    # special administrative regions
    "香港": ("特别行政区",), "澳门": ("特别行政区",),
}

#: Major cities → their province, so that 深圳华为 and 广东华为 are not "different regions".
CITIES: dict[str, str] = {
    "深圳": "广东", "广州": "广东", "东莞": "广东", "佛山": "广东", "珠海": "广东", "惠州": "广东",
    "汕头": "广东", "江门": "广东", "湛江": "广东",
    "杭州": "浙江", "宁波": "浙江", "温州": "浙江", "绍兴": "浙江", "嘉兴": "浙江", "湖州": "浙江",
    "台州": "浙江", "义乌": "浙江",
    "南京": "江苏", "苏州": "江苏", "无锡": "江苏", "常州": "江苏", "徐州": "江苏", "南通": "江苏",
    "扬州": "江苏", "镇江": "江苏", "盐城": "江苏", "昆山": "江苏",
    "成都": "四川", "绵阳": "四川", "武汉": "湖北", "宜昌": "湖北", "襄阳": "湖北",
    "西安": "陕西", "咸阳": "陕西", "宝鸡": "陕西", "青岛": "山东", "济南": "山东", "烟台": "山东",
    "潍坊": "山东", "淄博": "山东", "威海": "山东", "临沂": "山东",
    "厦门": "福建", "福州": "福建", "泉州": "福建", "漳州": "福建",
    "大连": "辽宁", "沈阳": "辽宁", "鞍山": "辽宁", "长春": "吉林", "哈尔滨": "黑龙江", "大庆": "黑龙江",
    "吉林": "吉林", "长沙": "湖南", "株洲": "湖南", "郑州": "河南", "洛阳": "河南", "合肥": "安徽",
    "芜湖": "安徽",
    "南昌": "江西", "赣州": "江西", "昆明": "云南", "贵阳": "贵州", "南宁": "广西", "柳州": "广西",
    "桂林": "广西", "石家庄": "河北", "唐山": "河北", "保定": "河北", "廊坊": "河北",
    "太原": "山西", "呼和浩特": "内蒙古", "包头": "内蒙古", "兰州": "甘肃", "西宁": "青海",
    "银川": "宁夏", "乌鲁木齐": "新疆", "拉萨": "西藏", "海口": "海南", "三亚": "海南",
}

#: Cities whose bare name is also a common trade name: recognised only with the 市 suffix.
CITIES_WITH_SUFFIX_ONLY: dict[str, str] = {
    "中山": "广东", "金华": "浙江", "大同": "山西", "东方": "海南", "开封": "河南", "宁德": "福建",
}

#: Romanised region names (as they appear in English company names) → canonical Chinese name.
REGIONS_EN: dict[str, str] = {
    "beijing": "北京", "peking": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆",
    "hebei": "河北", "shanxi": "山西", "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江",
    "jiangsu": "江苏", "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西",
    "shandong": "山东", "henan": "河南", "hubei": "湖北", "hunan": "湖南", "guangdong": "广东",
    "hainan": "海南", "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "shaanxi": "陕西",
    "gansu": "甘肃", "qinghai": "青海", "taiwan": "台湾", "innermongolia": "内蒙古",
    "guangxi": "广西", "tibet": "西藏", "xizang": "西藏", "ningxia": "宁夏", "xinjiang": "新疆",
    "hongkong": "香港", "hk": "香港", "macau": "澳门", "macao": "澳门",
    "shenzhen": "深圳", "guangzhou": "广州", "dongguan": "东莞", "foshan": "佛山", "zhuhai": "珠海",
    "hangzhou": "杭州", "ningbo": "宁波", "wenzhou": "温州", "nanjing": "南京", "suzhou": "苏州",
    "wuxi": "无锡", "changzhou": "常州", "kunshan": "昆山", "chengdu": "成都", "wuhan": "武汉",
    "xian": "西安", "qingdao": "青岛", "jinan": "济南", "yantai": "烟台", "xiamen": "厦门",
    "fuzhou": "福州", "dalian": "大连", "shenyang": "沈阳", "changchun": "长春", "harbin": "哈尔滨",
    "changsha": "长沙", "zhengzhou": "郑州", "hefei": "合肥", "nanchang": "南昌", "kunming": "昆明",
    "guiyang": "贵阳", "nanning": "南宁", "shijiazhuang": "石家庄", "taiyuan": "太原",
    "lanzhou": "兰州", "urumqi": "乌鲁木齐", "haikou": "海口",
}

#: Two-word English regions, joined without the space before lookup.
REGIONS_EN_TWO_WORDS = frozenset({"hongkong", "innermongolia"})

#: National prefixes: stripped like a region but not recorded as one (中国联通 → 联通).
NATIONAL_CN = ("中华人民共和国", "中国")
NATIONAL_EN = frozenset({"china", "prc", "chinese"})


def _region_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for name, suffixes in PROVINCES.items():
        forms[name] = name
        for suffix in suffixes:
            forms[name + suffix] = name
    for city in CITIES:
        forms[city] = forms[city + "市"] = city
    for city in CITIES_WITH_SUFFIX_ONLY:
        forms[city + "市"] = city
    return forms


#: Every written form of a Chinese region (北京, 北京市, 广西壮族自治区 …) → canonical name.
REGION_FORMS_CN: dict[str, str] = _region_forms()

#: City → province for the compatibility check (a city is compatible with its own province).
REGION_PARENT: dict[str, str] = {**CITIES, **CITIES_WITH_SUFFIX_ONLY}

# --- Legal forms ---------------------------------------------------------------------------

#: Chinese legal forms, stripped from the end (longest first, repeatedly).
LEGAL_FORMS_CN = (
    "集团股份有限公司", "集团有限责任公司", "控股集团有限公司", "股份有限公司", "有限责任公司",
    "集团有限公司", "集团公司", "有限公司", "股份公司", "总公司", "公司", "集团", "股份",
    "普通合伙", "有限合伙", "合伙企业", "个人独资企业", "独资企业", "经营部", "门市部", "商行",
    "工作室",
)

#: Branch suffixes: stripped together with a region just before them, which is *not* recorded
#: as the company's region (华为技术有限公司北京分公司 is Huawei, wherever the branch sits).
BRANCH_CN = ("分公司", "分部", "办事处", "营业部", "分厂", "分店", "分行", "支行")

#: English legal forms, stripped as whole words from the end.
LEGAL_FORMS_EN = frozenset({
    "co", "cos", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
    "llc", "lc", "llp", "lp", "gmbh", "ag", "plc", "se", "sa", "sas", "sarl", "srl", "spa", "bv",
    "nv", "pte", "pty", "pvt", "private", "public", "kk", "oy", "ab", "group", "holding",
    "holdings",
})

#: English words with no identifying value at the start (The Coca-Cola Company) or at the end,
#: once the legal form is gone (Panasonic Corporation of China).
LEADING_EN = frozenset({"the"})
TRAILING_EN = frozenset({"of", "and"})

# --- Industry words ------------------------------------------------------------------------

#: Generic Chinese industry descriptors, stripped from the end after the legal form.
INDUSTRY_CN = (
    "信息技术", "人工智能", "集成电路", "企业管理", "技术服务", "进出口", "计算机", "云计算",
    "大数据", "互联网", "物联网", "区块链", "自动化", "半导体", "微电子", "新能源", "供应链",
    "科技", "技术", "信息", "网络", "电子", "软件", "数据", "通信", "通讯", "智能", "系统", "实业",
    "贸易", "商贸", "工贸", "经贸", "科贸", "发展", "工程", "电气", "设备", "控股", "投资", "咨询",
    "服务", "管理", "创新", "数码", "数字", "集成", "机电", "光电", "电脑", "文化", "传媒", "商务",
    "国际", "产业", "工业", "企业", "开发", "研发", "应用", "安防", "高新", "高科", "新技术", "制造",
)

#: Generic English industry words, stripped as whole words from the end.
INDUSTRY_EN = frozenset({
    "technology", "technologies", "tech", "information", "info", "software", "network",
    "networks", "networking", "system", "systems", "electronic", "electronics", "international",
    "intl", "china", "global", "solution", "solutions", "service", "services", "digital", "data",
    "communication", "communications", "telecom", "telecommunications", "trading", "trade",
    "industry", "industries", "industrial", "development", "engineering", "enterprise",
    "enterprises", "consulting", "innovation", "innovations", "computer", "computers",
    "semiconductor", "semiconductors", "investment", "investments", "asia", "pacific",
    "worldwide",
})

# --- E-mail ----------------------------------------------------------------------------------

#: Free-mail providers: a shared address at one of these says nothing about the company.
FREE_MAIL_DOMAINS = frozenset({
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "188.com",
    "vip.163.com", "vip.126.com", "netease.com", "sina.com", "sina.cn", "sina.com.cn", "vip.sina.com",
    "sohu.com", "tom.com", "21cn.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "263.net",
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "live.cn", "msn.com",
    "yahoo.com", "yahoo.com.cn", "yahoo.cn", "ymail.com", "icloud.com", "me.com", "mac.com",
    "aol.com", "mail.com", "gmx.com", "protonmail.com", "proton.me", "yandex.com", "zoho.com",
})

#: Public suffixes of more than one label that registrable domains sit under (the rest are
#: single-label: .com, .cn, .net …). A short list suffices: customers are Chinese or global.
MULTI_LABEL_SUFFIXES = frozenset({
    "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "mil.cn",
    "bj.cn", "sh.cn", "tj.cn", "cq.cn", "he.cn", "sx.cn", "nm.cn", "ln.cn", "jl.cn", "hl.cn",
    "js.cn", "zj.cn", "ah.cn", "fj.cn", "jx.cn", "sd.cn", "ha.cn", "hb.cn", "hn.cn", "gd.cn",
    "gx.cn", "hi.cn", "sc.cn", "gz.cn", "yn.cn", "xz.cn", "sn.cn", "gs.cn", "qh.cn", "nx.cn",
    "xj.cn", "com.hk", "org.hk", "net.hk", "edu.hk", "gov.hk", "com.tw", "org.tw", "com.mo",
    "co.uk", "org.uk", "ac.uk", "co.jp", "ne.jp", "or.jp", "co.kr", "or.kr", "com.sg", "com.au",
    "net.au", "org.au", "co.nz", "com.my", "co.in", "com.br", "co.za",
})
