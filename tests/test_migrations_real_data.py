"""Migrations on a PostgreSQL database that holds data (DESIGN §4: schema only through migrations).

tests/test_migrations.py proves that the migrations build the schema the models describe, on
empty databases. Production databases are not empty: a migration that adds a NOT NULL column
without a default, or a constraint that old rows break, passes there and fails here.

The walk: upgrade to the first revision, insert rows of that revision by SQL (what a database
created then would hold), upgrade one revision at a time to head, load the demo with
`flask seed demo`, downgrade the last revision, upgrade to head again. The revisions are read
from the migration scripts (alembic ScriptDirectory), so new migrations are walked as they land.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.test_production_support import flask_cmd, pg, production_env  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def revisions() -> list[str]:
    """Revision ids from the first to head (a single chain)."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    heads = script.get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


#: What a database created at the first revision holds: rows of each of its tables, with ids far
#: from the demo's so that both coexist. Timestamps are written explicitly: SQL has no ORM defaults.
FIRST_REVISION_ROWS = """
INSERT INTO product_line (id, code, name_zh, name_en, sort)
    VALUES (9001, 'MIGL', '迁移测试产品线', 'Migration line', 99);
INSERT INTO product (id, sku, name, line_id, unit, active, floor_price_fen, created_at)
    VALUES (9001, 'MIG-0001', '迁移测试服务器', 9001, '台', true, 1000000, now());
INSERT INTO tier_discount (id, tier, line_id, discount_bp) VALUES (9001, 'gold', 9001, 1500);
INSERT INTO dealer (id, code, name, uscc, tier, region_id, city, status, parent_id, created_at)
    VALUES (9001, 'M9001', '北京迁移测试科技有限公司', NULL, 'gold',
            (SELECT id FROM region WHERE code = 'north'), '北京', 'active', NULL, now());
INSERT INTO "user" (id, email, name, role, dealer_id, locale, timezone, active, password_hash,
                    session_token, created_at, last_login_at)
    VALUES (9001, 'mig.admin@example.test', '迁移管理员', 'dealer_admin', 9001, 'zh_CN',
            'Asia/Shanghai', true, 'not-a-hash', 'tok9001', now(), NULL),
           (9002, 'mig.cm@example.test', 'Migration CM', 'channel_manager', NULL, 'en',
            'Asia/Shanghai', true, 'not-a-hash', 'tok9002', now(), now());
INSERT INTO user_region (user_id, region_id) SELECT 9002, id FROM region WHERE code = 'north';
INSERT INTO price_list (id, name, effective_from, effective_to, created_at, created_by_id)
    VALUES (9001, '2020 price list (migration test)', DATE '2020-01-01', DATE '2020-12-31', now(), 9002);
INSERT INTO price_list_item (id, price_list_id, product_id, list_price_fen)
    VALUES (9001, 9001, 9001, 12345600);
INSERT INTO setting (key, value) VALUES ('deal_protection_days', '120');
INSERT INTO audit_entry (id, at, actor_id, action, object_type, object_id, dealer_id, before,
                         after, comment, ip)
    VALUES (9001, now(), 9002, 'dealer.created', 'dealer', 9001, 9001, NULL,
            '{"code": "M9001"}', NULL, '127.0.0.1');
INSERT INTO notification (id, user_id, created_at, read_at, kind, message, params, link)
    VALUES (9001, 9001, now(), NULL, 'welcome', 'Welcome, %(name)s', '{"name": "迁移"}', NULL);
"""

#: Rows inserted just before upgrading to a revision that reads them: {revision: SQL}. 0013 fills
#: each dealer's monthly figures (`dealer_month`) from the orders, returns, customers and
#: registrations already there.
ROWS_BEFORE = {
    "0013": """
INSERT INTO sales_order (id, number, dealer_id, region_id, created_by_id, customer_name, contract_no,
                         order_date, status, total_fen, notes, created_at, decided_at, version_id,
                         returned_fen)
    VALUES (9001, 'SO2020-9001', 9001, (SELECT region_id FROM dealer WHERE id = 9001), 9001, '客户',
            'MIG-1', DATE '2020-03-05', 'confirmed', 12345678, '',
            TIMESTAMPTZ '2020-03-05 02:00:00+00', TIMESTAMPTZ '2020-03-05 12:00:00+00', 1, 0),
           (9002, 'SO2020-9002', 9001, (SELECT region_id FROM dealer WHERE id = 9001), 9001, '客户',
            'MIG-2', DATE '2020-03-20', 'confirmed', 1000001, '',
            TIMESTAMPTZ '2020-03-31 00:00:00+00', TIMESTAMPTZ '2020-03-31 02:00:00+00', 1, 0),
           (9003, 'SO2020-9003', 9001, (SELECT region_id FROM dealer WHERE id = 9001), 9001, '客户',
            'MIG-3', DATE '2020-03-21', 'submitted', 99999999, '',
            TIMESTAMPTZ '2020-03-21 02:00:00+00', NULL, 1, 0);
INSERT INTO order_line (id, order_id, product_id, line_id, quantity, list_price_fen, net_price_fen,
                        unit_price_fen, price_source, amount_fen, returned_qty)
    VALUES (9001, 9001, 9001, 9001, 1, 12345678, 12345678, 12345678, 'net', 12345678, 0),
           (9002, 9003, 9001, 9001, 1, 99999999, 99999999, 99999999, 'net', 99999999, 0);
INSERT INTO order_return (id, number, order_id, dealer_id, region_id, return_date, reason,
                          amount_fen, created_at, created_by_id)
    VALUES (9001, 'RT2020-9001', 9001, 9001, (SELECT region_id FROM dealer WHERE id = 9001),
            DATE '2020-04-02', '损坏', 345678, TIMESTAMPTZ '2020-04-02 02:00:00+00', 9001);
INSERT INTO customer (id, dealer_id, created_by_id, region_id, name, name_norm, province, city,
                      industry, key_account, created_at, updated_at)
    VALUES (9001, 9001, 9001, (SELECT region_id FROM dealer WHERE id = 9001), '迁移客户',
            '迁移客户', '', '北京', '', false, TIMESTAMPTZ '2020-03-31 23:30:00+08',
            TIMESTAMPTZ '2020-03-31 23:30:00+08');
INSERT INTO deal_registration (id, number, dealer_id, created_by_id, customer_id, region_id,
                               project_name, estimated_value_fen, expected_close_date, stage,
                               competitors, notes, status, created_at, submitted_at, approved_at,
                               closed_at, version_id)
    VALUES (9001, 'R2020-9001', 9001, 9001, 9001, (SELECT region_id FROM dealer WHERE id = 9001),
            '迁移项目', 100000, DATE '2020-06-30', 'quoting', '', '', 'won',
            TIMESTAMPTZ '2020-02-10 02:00:00+00', TIMESTAMPTZ '2020-02-10 02:00:00+00',
            TIMESTAMPTZ '2020-02-12 02:00:00+00', TIMESTAMPTZ '2020-05-01 02:00:00+00', 1)
""",
}

SERIAL_TABLES = ("product_line", "product", "tier_discount", "dealer", "user", "price_list",
                 "price_list_item", "audit_entry", "notification")


def _alembic(url: str, action: str, revision: str) -> None:
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        try:
            (upgrade if action == "upgrade" else downgrade)(revision=revision)
        finally:
            db.engine.dispose()


def _current(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def test_upgrade_with_data_from_the_first_revision_and_downgrade_the_last(pg, tmp_path):  # noqa: F811
    revs = revisions()
    url = pg.create("mig")
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(sa_url)
    try:
        _alembic(sa_url, "upgrade", revs[0])
        with engine.begin() as conn:
            for statement in filter(str.strip, FIRST_REVISION_ROWS.split(";\n")):
                conn.execute(sa.text(statement))
            for table in SERIAL_TABLES:  # as if the rows had been inserted one by one
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                     f"(SELECT max(id) FROM \"{table}\"))"))

        for rev in revs[1:]:  # one at a time, so that a failure names its migration
            if rev in ROWS_BEFORE:
                with engine.begin() as conn:
                    for statement in filter(str.strip, ROWS_BEFORE[rev].split(";\n")):
                        conn.execute(sa.text(statement))
            _alembic(sa_url, "upgrade", rev)
            assert _current(engine) == rev

        # The demo on top of the old rows (PORTAL_ENV=production refuses a non-empty database).
        env = production_env(url, None, tmp_path, PORTAL_ENV="development")
        flask_cmd(env, "seed", "demo", timeout=180)

        if len(revs) > 1:
            _alembic(sa_url, "downgrade", "-1")
            assert _current(engine) == revs[-2]
        _alembic(sa_url, "upgrade", "head")
        assert _current(engine) == revs[-1]

        with engine.connect() as conn:
            old = conn.execute(sa.text(
                "SELECT d.code, u.email, pli.list_price_fen, s.value::text "
                "FROM dealer d JOIN \"user\" u ON u.dealer_id = d.id, price_list_item pli, setting s "
                "WHERE d.id = 9001 AND pli.id = 9001 AND s.key = 'deal_protection_days'")).one()
            assert tuple(old) == ("M9001", "mig.admin@example.test", 12345600, "120")
            assert conn.execute(sa.text("SELECT count(*) FROM audit_entry WHERE id = 9001")).scalar() == 1
            assert conn.execute(sa.text("SELECT count(*) FROM notification WHERE id = 9001")).scalar() == 1
            demo = conn.execute(sa.text(
                "SELECT count(*) FROM dealer WHERE code LIKE 'D00%'")).scalar()
            assert demo >= 20
            assert conn.execute(sa.text(
                "SELECT role FROM \"user\" WHERE email = 'dealer1.admin@example.com'")).scalar() == "dealer_admin"
            # the monthly figures filled from the rows there before 0013 (and again after the
            # downgrade): confirmed orders by order date, the on-time one and the lead times
            # (10 h + 2 h), the return by its date, the customer by its UTC month (31 March
            # 23:30 in Beijing is 15:30 UTC), the registration's submission, approval and win
            months = {str(row[0]): tuple(row[1:]) for row in conn.execute(sa.text(
                "SELECT month, sales_fen, orders, lead_s, lead_orders, on_time, returned_fen, "
                "new_customers, deals_submitted, deals_approved, deals_won FROM dealer_month "
                "WHERE dealer_id = 9001 ORDER BY month"))}
            assert months == {
                "2020-02-01": (0, 0, 0, 0, 0, 0, 0, 1, 1, 0),
                "2020-03-01": (13_345_679, 2, 43_200, 2, 1, 0, 1, 0, 0, 0),
                "2020-04-01": (0, 0, 0, 0, 0, 345_678, 0, 0, 0, 0),
                "2020-05-01": (0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
            }
            # by product line: the confirmed order's line (the submitted one's not)
            assert conn.execute(sa.text(
                "SELECT month, line_id, sales_fen, returned_fen FROM dealer_line_month "
                "WHERE dealer_id = 9001")).all() == [(date(2020, 3, 1), 9001, 12_345_678, 0)]
    finally:
        engine.dispose()

