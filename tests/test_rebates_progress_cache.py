"""The dealer's rebate progress from the shared cache (Redis): what every app process shows, and
never older than the last confirmed order or saved program."""
from __future__ import annotations

import os
import uuid

import pytest
import redis
from sqlalchemy import select

from portal.core import cache as shared
from portal.orders import services as orders
from portal.rebates import programs
from portal.rebates.models import RebateProgram
from portal.rebates.views import _widget
from tests.routes.orders import make_order
from tests.test_rebates_flow import top_up

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache(app):
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis not reachable")
    namespace = f"test-{uuid.uuid4().hex[:8]}"
    shared.cache.init_app(app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL,
                                       "CACHE_KEY_PREFIX": f"{namespace}:cache:"})
    yield client
    shared.cache.init_app(app, config={"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})
    keys = client.keys(f"{namespace}:*")
    if keys:
        client.delete(*keys)


def test_progress_is_cached_and_a_confirmed_order_or_a_saved_program_shows_at_once(
        client, login_as, world, db, redis_cache, queries_of):
    top_up(world, 45_000_000)
    db.session.commit()
    login_as(world.dealer_admin)
    assert "¥450,000.00" in client.get("/").text

    # The figure now comes from the cache: no query for it.
    user = world.dealer_admin
    assert user.dealer.tier == "platinum"  # user and dealer loaded, as the login loader does
    context, seen = queries_of(lambda: _widget(user))
    assert context["progress"]["sales_fen"] == 45_000_000 and seen == []

    # The channel manager confirms an order of ¥60,000: the next view shows ¥510,000.
    cat = world.order_catalogue
    order = make_order(world, cat, status="submitted", contract_no="HT-CACHE-1",
                       lines=[(cat.storage, 1, 6_000_000, "net")])
    db.session.commit()
    assert "¥450,000.00" in client.get("/").text  # a submitted order does not count
    orders.confirm_order(world.channel_manager, order)
    db.session.commit()
    page = client.get("/").text
    assert "¥510,000.00" in page and "¥450,000.00" not in page

    # An order confirmed but rolled back changes nothing, and forgets nothing.
    second = make_order(world, cat, status="submitted", contract_no="HT-CACHE-2",
                        lines=[(cat.storage, 1, 100_000, "net")])
    db.session.commit()
    client.get("/")
    orders.confirm_order(world.channel_manager, second)
    db.session.rollback()
    assert user.dealer.tier == "platinum"
    _, seen = queries_of(lambda: _widget(user))
    assert seen == []

    # Finance renames the current program: every dealer's cached progress is recomputed.
    program = db.session.scalar(select(RebateProgram).where(
        RebateProgram.name == context["progress"]["program"]))
    programs.save_program(world.finance, program, {"name": "缓存测试返利计划"})
    db.session.commit()
    assert "缓存测试返利计划" in client.get("/").text
