"""Demo customers, registrations in every state, and direct leads (`flask seed demo`).

About 200 customers with Chinese and English names, near-duplicates among them (the same company
as two dealers wrote it), head-office key accounts owned by reps; registrations of several dealers
in every state. Approved, protected registrations of D0001 and D0002 go to `ctx["deals"]` for the
price-exception and order seeds (keys `d1_approved`, `d2_approved`, …).
"""
from __future__ import annotations

import random
from datetime import timedelta

from portal.accounts.models import User
from portal.core import clock
from portal.core.uscc import ALPHABET, uscc_check_char
from portal.deals.models import (
    Customer,
    DealExtension,
    DealLine,
    DealRegistration,
    DealStatus,
    DirectLead,
    LeadLine,
)
from portal.deals.services import refresh_keys
from portal.extensions import db

TRADE_NAMES = ["华辰", "金桥", "恒通", "瑞丰", "海川", "中科远景", "博睿", "天成", "卓越", "银河",
               "星海", "鼎盛", "华兴", "启明", "宏图", "东方海纳", "新锐", "安泰", "嘉禾", "同创",
               "正元", "润泽", "泰和", "凯旋", "明德", "远航", "汇智", "龙腾", "国信", "长城智云"]
REGIONS = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "天津", "济南",
           "苏州", "重庆", "厦门", "合肥"]
INDUSTRIES = ["科技", "信息技术", "网络", "电子", "软件", "数据", "智能", "系统集成"]
SECTORS = ["医院", "银行", "证券", "制药", "物流", "汽车", "能源", "教育", "航空", "零售"]
ENGLISH = ["Acme Logistics", "Pacific Rim Trading", "Northwind Foods", "Blue Ocean Pharma",
           "Summit Health", "Golden Gate Hotels", "Evergreen Education", "Silverline Motors",
           "Harbor Bank", "Orion Energy", "Maple Retail", "Zenith Aviation"]
#: Near-duplicates: (the name one owner wrote, how another owner wrote it).
NEAR_DUPLICATES = [
    ("中国工商银行股份有限公司北京分行", "工商银行北京分行"),
    ("华为技术有限公司", "华为技术(深圳)有限公司"),
    ("上海浦东发展银行股份有限公司", "浦发银行股份有限公司"),
    ("Siemens Ltd., China", "SIEMENS LTD CHINA"),
    ("腾讯科技(深圳)有限公司", "深圳市腾讯计算机系统有限公司"),
    ("北京京东世纪贸易有限公司", "京东世纪贸易有限公司"),
    ("Haier Group Corporation", "海尔集团公司"),
    ("招商银行股份有限公司", "招商银行股份有限公司深圳分行"),
]
#: Head-office key accounts (大客户) and the rep who owns each: (name, region code, rep key).
KEY_ACCOUNTS = [
    ("国家电网有限公司", "north", "rep_north"),
    ("中国石油天然气集团有限公司", "north", "rep_north"),
    ("中国移动通信集团北京有限公司", "north", "rep_north"),
    ("中国东方航空股份有限公司", "east", "rep_east"),
    ("上海汽车集团股份有限公司", "east", "rep_east"),
    ("交通银行股份有限公司", "east", "rep_east"),
]


def make_uscc(rng: random.Random) -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + \
        "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def _customer(owner, name, rng, *, region_id=None, key_account=False, rep=None, uscc=True):
    c = Customer(dealer_id=owner.id if owner else None, name=name,
                 region_id=region_id or (owner.region_id if owner else None),
                 uscc=make_uscc(rng) if uscc else None, key_account=key_account,
                 owner_rep_id=rep.id if rep else None, city=name[:2] if name[:2] in REGIONS else "",
                 industry=rng.choice(SECTORS))
    db.session.add(c)
    db.session.flush()
    refresh_keys(c)
    return c


def seed_demo(ctx: dict) -> None:
    rng = random.Random(2026)
    dealers, users, regions = ctx["dealers"], ctx["users"], ctx["regions"]
    lines = ctx.get("lines") or {}
    products = ctx.get("products") or {}
    dealer_codes = ["D0001", "D0002", "D0003", "D0005", "D0006", "D0009"]
    customers: dict[str, list[Customer]] = {code: [] for code in dealer_codes}

    # Dealers' own customer records: ~150, from trade names, regions and industries.
    names = set()
    while len(names) < 140:
        names.add(f"{rng.choice(REGIONS)}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}有限公司")
    for i, name in enumerate(sorted(names)):
        code = dealer_codes[i % len(dealer_codes)]
        customers[code].append(_customer(dealers[code], name, rng, uscc=i % 3 != 0))
    for i, name in enumerate(ENGLISH):
        code = dealer_codes[i % len(dealer_codes)]
        customers[code].append(_customer(dealers[code], f"{name} Co., Ltd.", rng, uscc=False))
    # Near-duplicates: the same company recorded by two dealers (same credit code), linked later
    # by the matcher, never merged.
    for i, (one, other) in enumerate(NEAR_DUPLICATES):
        code_a, code_b = dealer_codes[i % 3 + 2], dealer_codes[(i + 1) % 3 + 3]
        a = _customer(dealers[code_a], one, rng)
        b = _customer(dealers[code_b], other, rng, uscc=False)
        b.uscc = a.uscc
        refresh_keys(b)
        customers[code_a].append(a)
        customers[code_b].append(b)
    # Head-office key accounts, each owned by a rep.
    key_accounts = {}
    for name, region, rep in KEY_ACCOUNTS:
        key_accounts[name] = _customer(None, name, rng, region_id=regions[region].id,
                                       key_account=True, rep=users[rep])
    for _ in range(20):
        _customer(None, f"{rng.choice(REGIONS)}{rng.choice(TRADE_NAMES)}{rng.choice(SECTORS)}集团有限公司",
                  rng, region_id=regions[rng.choice(["north", "east", "south", "west"])].id)
    ctx["key_accounts"] = key_accounts
    ctx["customers"] = customers

    line_list = list(lines.values())
    by_line = {}
    for product in products.values():
        by_line.setdefault(product.line_id, []).append(product)
    now, today = clock.now(), clock.today()
    deals: dict[str, DealRegistration] = {}

    def deal(label, code, status, *, line=0, days_ago=10, protected_days=80, creator=None,
             customer=None, value=500_000):
        dealer = dealers[code]
        creator = creator or _first_user(users, dealer)
        cust = customer or customers[code].pop(0)
        pl = line_list[line % len(line_list)] if line_list else None
        d = DealRegistration(
            dealer_id=dealer.id, created_by_id=creator.id, customer_id=cust.id,
            region_id=dealer.region_id, project_name=f"{cust.name[:12]} {pl.name_zh if pl else ''}采购项目",
            estimated_value_fen=value * 100, expected_close_date=today + timedelta(days=45),
            stage=rng.choice(["qualifying", "solution", "quoting", "negotiation"]),
            competitors=rng.choice(["华为", "浪潮, 新华三", "戴尔", ""]), notes="", status=status,
            created_at=now - timedelta(days=days_ago + 1))
        if pl is not None:
            sku = (by_line.get(pl.id) or [None])[0]
            d.lines = [DealLine(line_id=pl.id, product_id=sku.id if sku else None,
                                quantity=rng.randint(2, 40))]
        if status != DealStatus.DRAFT:
            d.submitted_at = now - timedelta(days=days_ago)
        if status in (DealStatus.APPROVED, DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED):
            d.approved_at = now - timedelta(days=days_ago - 1)
            d.approved_by_id = users["cm_north" if dealer.region_id == regions["north"].id
                                     else "cm_east"].id
            d.protected_until = today + timedelta(days=protected_days)
        if status in (DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED, DealStatus.REJECTED):
            d.closed_at = now - timedelta(days=1)
        if status == DealStatus.REJECTED:
            d.rejection_reason = "客户信息无法核实 / customer could not be verified"
        db.session.add(d)
        db.session.flush()
        d.number = f"R{today.year}-{d.id:05d}"
        deals[label] = d
        return d

    deal("d1_approved", "D0001", DealStatus.APPROVED, line=0, value=1_800_000)
    deal("d1_approved_storage", "D0001", DealStatus.APPROVED, line=1, value=650_000,
         creator=users["dealer1_sales"])
    deal("d1_expiring", "D0001", DealStatus.APPROVED, line=2, days_ago=85, protected_days=5)
    deal("d1_draft", "D0001", DealStatus.DRAFT, line=3, creator=users["dealer1_sales"])
    deal("d1_submitted", "D0001", DealStatus.SUBMITTED, line=4, days_ago=3)
    deal("d1_won", "D0001", DealStatus.WON, line=0, days_ago=60)
    deal("d1_lost", "D0001", DealStatus.LOST, line=1, days_ago=50)
    deal("d1_expired", "D0001", DealStatus.EXPIRED, line=2, days_ago=120, protected_days=-20)
    deal("d1_rejected", "D0001", DealStatus.REJECTED, line=3, days_ago=20)
    deal("d2_approved", "D0002", DealStatus.APPROVED, line=0, value=1_200_000)
    deal("d2_approved_network", "D0002", DealStatus.APPROVED, line=2, value=300_000)
    deal("d2_draft", "D0002", DealStatus.DRAFT, line=1)
    deal("d2_submitted", "D0002", DealStatus.SUBMITTED, line=3, days_ago=4)
    deal("d2_won", "D0002", DealStatus.WON, line=1, days_ago=70)
    deal("d2_expired", "D0002", DealStatus.EXPIRED, line=4, days_ago=130, protected_days=-30)
    for code in ("D0003", "D0005", "D0006", "D0009"):
        for j, status in enumerate([DealStatus.APPROVED, DealStatus.SUBMITTED, DealStatus.DRAFT,
                                    DealStatus.WON, DealStatus.LOST]):
            deal(f"{code.lower()}_{status}", code, status, line=j, days_ago=5 + 7 * j)
    ctx["deals"] = deals
    db.session.add(DealExtension(deal_id=deals["d1_expiring"].id, requested_by_id=users["dealer1_admin"].id,
                                 days=30, reason="客户招标延期至下月 / the tender moved to next month",
                                 requested_at=now - timedelta(days=1)))

    # Direct leads of the reps on their key accounts.
    leads = {}
    for name, _region, rep in KEY_ACCOUNTS[1:]:
        account = key_accounts[name]
        rep_user = users[rep]
        lead = DirectLead(rep_id=rep_user.id, customer_id=account.id, region_id=account.region_id,
                          project_name=f"{name[:8]} 直销项目", status="submitted",
                          submitted_at=now - timedelta(days=15), created_at=now - timedelta(days=15),
                          estimated_value_fen=3_000_000_00)
        if line_list:
            lead.lines = [LeadLine(line_id=line_list[3].id)]
        db.session.add(lead)
        db.session.flush()
        lead.number = f"L{today.year}-{lead.id:05d}"
        leads[name] = lead
    ctx["leads"] = leads


def _first_user(users, dealer):
    for user in users.values():
        if user.dealer_id == dealer.id:
            return user
    from sqlalchemy import select

    return db.session.scalar(select(User).where(User.dealer_id == dealer.id))
