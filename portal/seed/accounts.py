"""Demo dealers and users (DESIGN §4)."""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.auth import hash_password
from portal.accounts.models import Dealer, Region, User
from portal.core.permissions import Role
from portal.extensions import db

DEMO_PASSWORD = "demo-pass-2026"

DEMO_LOGINS = [
    ("admin@example.com", "admin"),
    ("director@example.com", "sales_director"),
    ("finance@example.com", "finance"),
    ("cm.north@example.com", "channel_manager 华北"),
    ("cm.east@example.com", "channel_manager 华东"),
    ("rep.north@example.com", "sales_rep 华北"),
    ("dealer1.admin@example.com", "dealer_admin D0001 platinum 华北"),
    ("dealer1.sales@example.com", "dealer_sales D0001"),
    ("dealer2.admin@example.com", "dealer_admin D0002 gold 华东"),
]

#: code, name, tier, region code, city
DEALERS = [
    ("D0001", "北京华信智联科技有限公司", "platinum", "north", "北京"),
    ("D0002", "上海沪联数据系统有限公司", "gold", "east", "上海"),
    ("D0003", "广州粤通信息技术有限公司", "platinum", "south", "广州"),
    ("D0004", "成都天府云网络科技有限公司", "gold", "west", "成都"),
    ("D0005", "天津津门电子工程有限公司", "silver", "north", "天津"),
    ("D0006", "杭州西湖数智科技有限公司", "platinum", "east", "杭州"),
    ("D0007", "深圳鹏城网络技术有限公司", "gold", "south", "深圳"),
    ("D0008", "西安长安信息系统有限公司", "silver", "west", "西安"),
    ("D0009", "石家庄冀联科技有限公司", "authorized", "north", "石家庄"),
    ("D0010", "南京金陵计算机系统有限公司", "silver", "east", "南京"),
    ("D0011", "厦门鹭岛信息科技有限公司", "authorized", "south", "厦门"),
    ("D0012", "重庆山城数码科技有限公司", "authorized", "west", "重庆"),
    ("D0013", "太原晋商网络有限公司", "gold", "north", "太原"),
    ("D0014", "苏州姑苏智能科技有限公司", "authorized", "east", "苏州"),
    ("D0015", "南宁绿城信息技术有限公司", "silver", "south", "南宁"),
    ("D0016", "昆明春城软件有限公司", "gold", "west", "昆明"),
    ("D0017", "济南泉城电子科技有限公司", "platinum", "north", "济南"),
    ("D0018", "合肥庐州数据科技有限公司", "gold", "east", "合肥"),
    ("D0019", "海口椰城网络科技有限公司", "authorized", "south", "海口"),
    ("D0020", "兰州金城信息技术有限公司", "silver", "west", "兰州"),
]


def seed_demo(ctx: dict) -> None:
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    dealers = {}
    for code, name, tier, region, city in DEALERS:
        dealer = Dealer(code=code, name=name, tier=tier, region_id=regions[region].id, city=city)
        db.session.add(dealer)
        dealers[code] = dealer
    db.session.flush()
    pw = hash_password(DEMO_PASSWORD)

    def user(email, name, role, dealer=None, region_codes=(), locale=None):
        u = User(email=email, name=name, role=role, dealer_id=dealer.id if dealer else None,
                 password_hash=pw, locale=locale)
        u.regions = [regions[c] for c in region_codes]
        db.session.add(u)
        return u

    users = {
        "admin": user("admin@example.com", "系统管理员 Admin", Role.ADMIN),
        "director": user("director@example.com", "王总监 Wang (Director)", Role.SALES_DIRECTOR),
        "finance": user("finance@example.com", "李会计 Li (Finance)", Role.FINANCE),
        "cm_north": user("cm.north@example.com", "赵经理 Zhao (CM North)", Role.CHANNEL_MANAGER,
                         region_codes=["north"]),
        "cm_east": user("cm.east@example.com", "钱经理 Qian (CM East)", Role.CHANNEL_MANAGER,
                        region_codes=["east"]),
        "cm_south": user("cm.south@example.com", "孙经理 Sun (CM South)", Role.CHANNEL_MANAGER,
                         region_codes=["south", "west"]),
        "rep_north": user("rep.north@example.com", "周销售 Zhou (Rep North)", Role.SALES_REP,
                          region_codes=["north"]),
        "rep_east": user("rep.east@example.com", "吴销售 Wu (Rep East)", Role.SALES_REP,
                         region_codes=["east"]),
        "dealer1_admin": user("dealer1.admin@example.com", "陈总 Chen (D0001)", Role.DEALER_ADMIN,
                              dealers["D0001"]),
        "dealer1_sales": user("dealer1.sales@example.com", "刘销售 Liu (D0001)", Role.DEALER_SALES,
                              dealers["D0001"]),
        "dealer2_admin": user("dealer2.admin@example.com", "张总 Zhang (D0002)", Role.DEALER_ADMIN,
                              dealers["D0002"]),
        "dealer2_sales": user("dealer2.sales@example.com", "黄销售 Huang (D0002)", Role.DEALER_SALES,
                              dealers["D0002"]),
    }
    for code, dealer in dealers.items():
        if code not in ("D0001", "D0002"):
            user(f"{code.lower()}.admin@example.com", f"{dealer.name[:6]} 管理员", Role.DEALER_ADMIN,
                 dealer)
    db.session.flush()
    ctx.update(regions=regions, dealers=dealers, users=users)
