"""Demo catalogue: 5 product lines, 60 SKUs, a list in force today and the next one scheduled,
tier discounts and floor prices (`flask seed demo`)."""
from __future__ import annotations

from datetime import date, timedelta

from portal.catalog.models import PriceList, PriceListItem, Product, ProductLine, TierDiscount
from portal.core import clock
from portal.core.money import apply_discount, to_fen
from portal.extensions import db

LINES = [("server", "服务器", "Servers", 10), ("storage", "存储", "Storage", 20),
         ("network", "网络", "Networking", 30), ("software", "软件", "Software", 40),
         ("service", "服务", "Services", 50)]

#: sku, name, line, unit, list price (yuan)
PRODUCTS = [
    ("SRV-R220-G3", "华辰 R220 G3 单路机架服务器", "server", "台", 12800),
    ("SRV-R520-G3", "华辰 R520 G3 双路机架服务器", "server", "台", 26800),
    ("SRV-R740-G3", "华辰 R740 G3 双路高性能服务器", "server", "台", 45800),
    ("SRV-R940-G3", "华辰 R940 G3 四路关键业务服务器", "server", "台", 168000),
    ("SRV-T130-G2", "华辰 T130 G2 塔式服务器", "server", "台", 8990),
    ("SRV-T330-G2", "华辰 T330 G2 塔式服务器", "server", "台", 15600),
    ("SRV-GPU8-A1", "华辰 G8 八卡 GPU 训练服务器", "server", "台", 980000),
    ("SRV-GPU4-I1", "华辰 G4 四卡 GPU 推理服务器", "server", "台", 236000),
    ("SRV-BLD-C7K", "华辰 C7000 刀片机箱", "server", "台", 58000),
    ("SRV-BLD-B460", "华辰 B460 双路刀片服务器", "server", "台", 32500),
    ("SRV-EDGE-E10", "华辰 E10 边缘计算服务器", "server", "台", 9999.99),
    ("SRV-MEM-64G", "64GB DDR5 内存条", "server", "条", 2680),
    ("SRV-SSD-3T8", "3.84TB NVMe 企业级固态硬盘", "server", "块", 5980),
    ("STO-S3200", "华辰 S3200 入门级统一存储", "storage", "台", 68000),
    ("STO-S5500", "华辰 S5500 中端混合闪存存储", "storage", "台", 186000),
    ("STO-S8800-AF", "华辰 S8800 高端全闪存存储", "storage", "台", 880000),
    ("STO-NAS-N200", "华辰 N200 企业 NAS", "storage", "台", 39800),
    ("STO-DS-12", "12 盘位扩展柜", "storage", "台", 26800),
    ("STO-HDD-16T", "16TB 7.2K SAS 机械硬盘", "storage", "块", 3280),
    ("STO-SSD-7T6", "7.68TB SAS 固态硬盘", "storage", "块", 11800),
    ("STO-TAPE-L9", "LTO-9 磁带库（2 驱动）", "storage", "台", 128000),
    ("STO-OBJ-N3", "分布式对象存储节点（3 节点起）", "storage", "台", 98000),
    ("STO-FC-SW24", "24 口 32G 光纤通道交换机", "storage", "台", 52000),
    ("STO-HBA-32G", "32G 双口 FC HBA 卡", "storage", "块", 6800),
    ("STO-BKP-B500", "华辰 B500 备份一体机", "storage", "台", 158000),
    ("NET-SW-S5130", "S5130 48 口千兆接入交换机", "network", "台", 8600),
    ("NET-SW-S6520", "S6520 48 口万兆汇聚交换机", "network", "台", 36800),
    ("NET-SW-S12508", "S12508 核心交换机（机框）", "network", "台", 268000),
    ("NET-RT-MSR36", "MSR3600 企业级路由器", "network", "台", 22800),
    ("NET-FW-F1000", "F1000 下一代防火墙", "network", "台", 46800),
    ("NET-FW-F5000", "F5000 数据中心防火墙", "network", "台", 198000),
    ("NET-AP-WA6", "WA6320 Wi-Fi 6 室内无线 AP", "network", "台", 2380),
    ("NET-AC-WX5", "WX5560 无线控制器", "network", "台", 32000),
    ("NET-LB-L5", "L5000 应用负载均衡", "network", "台", 88000),
    ("NET-SFP-10G", "10G SFP+ 多模光模块", "network", "个", 680),
    ("NET-SFP-100G", "100G QSFP28 光模块", "network", "个", 4980),
    ("NET-VPN-V200", "V200 SSL VPN 网关", "network", "台", 18600),
    ("SW-VIRT-STD", "华辰云虚拟化平台 标准版（每 CPU）", "software", "套", 9800),
    ("SW-VIRT-ENT", "华辰云虚拟化平台 企业版（每 CPU）", "software", "套", 18800),
    ("SW-HCI-NODE", "超融合软件许可（每节点）", "software", "套", 36000),
    ("SW-BAK-STD", "华辰数据备份软件 标准版", "software", "套", 12800),
    ("SW-BAK-ENT", "华辰数据备份软件 企业版", "software", "套", 46800),
    ("SW-DB-MPP", "华辰分析型数据库（每节点）", "software", "套", 128000),
    ("SW-OPS-MON", "智能运维监控平台（100 设备）", "software", "套", 58000),
    ("SW-SEC-EDR", "终端安全 EDR（每终端/年）", "software", "个", 180),
    ("SW-SEC-WAF", "Web 应用防火墙软件", "software", "套", 68000),
    ("SW-OS-SRV", "华辰服务器操作系统 V10", "software", "套", 2980),
    ("SW-CLOUD-MGR", "多云管理平台", "software", "套", 198000),
    ("SW-DR-SITE", "容灾管理软件（每站点）", "software", "套", 88000),
    ("SVC-INST-STD", "标准安装调试服务", "service", "次", 3800),
    ("SVC-INST-DC", "数据中心部署实施服务", "service", "人天", 2800),
    ("SVC-WTY-3Y", "三年原厂保修延保（服务器）", "service", "台", 4600),
    ("SVC-WTY-5Y", "五年原厂保修延保（存储）", "service", "台", 26000),
    ("SVC-ONSITE-4H", "7×24 四小时上门服务（年）", "service", "台", 9800),
    ("SVC-MIG-DATA", "数据迁移服务", "service", "项", 38000),
    ("SVC-TRAIN-ADM", "管理员认证培训", "service", "人", 6800),
    ("SVC-CONS-ARCH", "架构咨询服务", "service", "人天", 5200),
    ("SVC-RES-ENG", "驻场工程师（月）", "service", "人月", 32000),
    ("SVC-HEALTH", "年度健康巡检服务", "service", "次", 12000),
    ("SVC-SEC-ASSESS", "等保测评咨询服务", "service", "项", 56000),
]

#: sku → English name (shown on English pages)
NAMES_EN = {
    "SRV-R220-G3": "Huachen R220 G3 single-socket rack server",
    "SRV-R520-G3": "Huachen R520 G3 dual-socket rack server",
    "SRV-R740-G3": "Huachen R740 G3 dual-socket high-performance server",
    "SRV-R940-G3": "Huachen R940 G3 four-socket mission-critical server",
    "SRV-T130-G2": "Huachen T130 G2 tower server",
    "SRV-T330-G2": "Huachen T330 G2 tower server",
    "SRV-GPU8-A1": "Huachen G8 eight-GPU training server",
    "SRV-GPU4-I1": "Huachen G4 four-GPU inference server",
    "SRV-BLD-C7K": "Huachen C7000 blade enclosure",
    "SRV-BLD-B460": "Huachen B460 dual-socket blade server",
    "SRV-EDGE-E10": "Huachen E10 edge computing server",
    "SRV-MEM-64G": "64 GB DDR5 memory module",
    "SRV-SSD-3T8": "3.84 TB NVMe enterprise SSD",
    "STO-S3200": "Huachen S3200 entry unified storage",
    "STO-S5500": "Huachen S5500 mid-range hybrid flash storage",
    "STO-S8800-AF": "Huachen S8800 high-end all-flash storage",
    "STO-NAS-N200": "Huachen N200 enterprise NAS",
    "STO-DS-12": "12-bay expansion enclosure",
    "STO-HDD-16T": "16 TB 7.2K SAS hard disk",
    "STO-SSD-7T6": "7.68 TB SAS SSD",
    "STO-TAPE-L9": "LTO-9 tape library (2 drives)",
    "STO-OBJ-N3": "Distributed object storage node (3 nodes minimum)",
    "STO-FC-SW24": "24-port 32G Fibre Channel switch",
    "STO-HBA-32G": "32G dual-port FC HBA",
    "STO-BKP-B500": "Huachen B500 backup appliance",
    "NET-SW-S5130": "S5130 48-port gigabit access switch",
    "NET-SW-S6520": "S6520 48-port 10G aggregation switch",
    "NET-SW-S12508": "S12508 core switch (chassis)",
    "NET-RT-MSR36": "MSR3600 enterprise router",
    "NET-FW-F1000": "F1000 next-generation firewall",
    "NET-FW-F5000": "F5000 data-centre firewall",
    "NET-AP-WA6": "WA6320 Wi-Fi 6 indoor access point",
    "NET-AC-WX5": "WX5560 wireless controller",
    "NET-LB-L5": "L5000 application load balancer",
    "NET-SFP-10G": "10G SFP+ multimode transceiver",
    "NET-SFP-100G": "100G QSFP28 transceiver",
    "NET-VPN-V200": "V200 SSL VPN gateway",
    "SW-VIRT-STD": "Huachen Cloud virtualisation, Standard (per CPU)",
    "SW-VIRT-ENT": "Huachen Cloud virtualisation, Enterprise (per CPU)",
    "SW-HCI-NODE": "Hyper-converged software licence (per node)",
    "SW-BAK-STD": "Huachen data backup software, Standard",
    "SW-BAK-ENT": "Huachen data backup software, Enterprise",
    "SW-DB-MPP": "Huachen analytical database (per node)",
    "SW-OPS-MON": "Intelligent operations monitoring (100 devices)",
    "SW-SEC-EDR": "Endpoint security EDR (per endpoint per year)",
    "SW-SEC-WAF": "Web application firewall software",
    "SW-OS-SRV": "Huachen server operating system V10",
    "SW-CLOUD-MGR": "Multi-cloud management platform",
    "SW-DR-SITE": "Disaster recovery management (per site)",
    "SVC-INST-STD": "Standard installation and commissioning",
    "SVC-INST-DC": "Data-centre deployment services",
    "SVC-WTY-3Y": "Three-year warranty extension (servers)",
    "SVC-WTY-5Y": "Five-year warranty extension (storage)",
    "SVC-ONSITE-4H": "24×7 four-hour on-site service (per year)",
    "SVC-MIG-DATA": "Data migration service",
    "SVC-TRAIN-ADM": "Administrator certification training",
    "SVC-CONS-ARCH": "Architecture consulting",
    "SVC-RES-ENG": "Resident engineer (per month)",
    "SVC-HEALTH": "Annual health check",
    "SVC-SEC-ASSESS": "Security compliance assessment consulting",
}

#: Chinese unit → English unit
UNITS_EN = {"台": "unit", "套": "set", "个": "pc", "块": "pc", "条": "pc", "次": "service",
            "人天": "person-day", "项": "project", "人": "person", "人月": "person-month"}

#: tier → {line code: discount in bp}
DISCOUNTS = {
    "platinum": {"server": 2500, "storage": 2500, "network": 2200, "software": 3000, "service": 1000},
    "gold": {"server": 2000, "storage": 2000, "network": 1800, "software": 2500, "service": 800},
    "silver": {"server": 1500, "storage": 1500, "network": 1200, "software": 2000, "service": 500},
    "authorized": {"server": 1000, "storage": 1000, "network": 800, "software": 1500, "service": 300},
}

#: Floor price (最低限价) as a share of the list price, in bp, per line.
FLOOR_BP = {"server": 6200, "storage": 6000, "network": 6400, "software": 5000, "service": 7500}


def seed_demo(ctx: dict) -> None:
    lines = {}
    for code, zh, en, sort in LINES:
        line = ProductLine(code=code, name_zh=zh, name_en=en, sort=sort)
        db.session.add(line)
        lines[code] = line
    db.session.flush()
    products = {}
    for sku, name, line, unit, _price in PRODUCTS:
        product = Product(sku=sku, name=name, name_en=NAMES_EN[sku], line_id=lines[line].id,
                          unit=unit, unit_en=UNITS_EN[unit], active=True)
        db.session.add(product)
        products[sku] = product
    db.session.flush()
    today = clock.today()
    admin = ctx.get("users", {}).get("admin")
    # In force from the start of last year: the demo's orders of the previous and the current
    # quarter, and of the same quarter a year earlier (the growth bonus), can all be priced.
    current = PriceList(name=f"{today.year} 标准目录价 / Standard list", created_by_id=getattr(admin, "id", None),
                        effective_from=date(today.year - 1, 1, 1), effective_to=today + timedelta(days=39))
    upcoming = PriceList(name=f"{(today + timedelta(days=40)).year} 调价目录 / Revised list",
                         created_by_id=getattr(admin, "id", None),
                         effective_from=today + timedelta(days=40), effective_to=None)
    db.session.add_all([current, upcoming])
    db.session.flush()
    for sku, _name, line, _unit, price in PRODUCTS:
        fen = to_fen(str(price))
        product = products[sku]
        product.floor_price_fen = apply_discount(fen, 10_000 - FLOOR_BP[line])
        db.session.add(PriceListItem(price_list_id=current.id, product_id=product.id,
                                     list_price_fen=fen))
        db.session.add(PriceListItem(price_list_id=upcoming.id, product_id=product.id,
                                     list_price_fen=apply_discount(fen, -300)))
    for tier, by_line in DISCOUNTS.items():
        for code, bp in by_line.items():
            db.session.add(TierDiscount(tier=tier, line_id=lines[code].id, discount_bp=bp))
    db.session.flush()
    ctx["lines"] = lines
    ctx["products"] = products
    ctx["price_lists"] = {"current": current, "next": upcoming}
