"""The dealer's rebate progress on the dashboard: remembered by the process with what it was
computed from, which every view reads afresh with the other figures — so a view costs no query
for it, and it is never older than the last confirmed order, saved program, day or tier change,
whichever process made it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core import clock
from portal.orders import services as orders
from portal.rebates import programs
from portal.rebates.models import RebateProgram
from tests.routes.orders import make_order
from tests.test_rebates_flow import top_up


def selects_of(queries_of, client, path="/"):
    response, statements = queries_of(lambda: client.get(path))
    assert response.status_code == 200
    return response.text, [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_progress_costs_no_query_and_follows_every_confirmed_order_and_saved_program(
        client, login_as, world, db, queries_of):
    top_up(world, 45_000_000)
    db.session.commit()
    login_as(world.dealer_admin)
    assert "¥450,000.00" in client.get("/").text

    # Remembered: the page reads the user and the figures, nothing else.
    page, selects = selects_of(queries_of, client)
    assert "¥450,000.00" in page and len(selects) == 2, selects

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

    # An order confirmed but rolled back changes nothing, and costs no recomputation.
    second = make_order(world, cat, status="submitted", contract_no="HT-CACHE-2",
                        lines=[(cat.storage, 1, 100_000, "net")])
    db.session.commit()
    client.get("/")
    orders.confirm_order(world.channel_manager, second)
    db.session.rollback()
    page, selects = selects_of(queries_of, client)
    assert "¥510,000.00" in page and len(selects) == 2, selects

    # Finance renames the current program: every dealer's progress is recomputed.
    name = page.split('<h2>Rebate progress · ')[1].split("</h2>")[0]
    program = db.session.scalar(select(RebateProgram).where(RebateProgram.name == name))
    programs.save_program(world.finance, program, {"name": "缓存测试返利计划"})
    db.session.commit()
    assert "缓存测试返利计划" in client.get("/").text

    # The program is for platinum dealers only: the dealer's move to gold hides the widget.
    programs.save_program(world.finance, program, {"eligible_tiers": ["platinum"]})
    db.session.commit()
    assert "Rebate progress" in client.get("/").text
    world.dealer_a.tier = "gold"
    db.session.commit()
    assert "Rebate progress" not in client.get("/").text


def test_a_new_day_recomputes_the_progress(client, login_as, world, db):
    top_up(world, 45_000_000)
    db.session.commit()
    login_as(world.dealer_admin)
    assert "¥450,000.00" in client.get("/").text
    program = db.session.scalar(select(RebateProgram).where(
        RebateProgram.period_start <= clock.today(), RebateProgram.period_end >= clock.today()))
    # The day after the period ends, its program no longer applies.
    with clock.frozen(clock.now() + (program.period_end - clock.today()) + timedelta(days=1)):
        assert "¥450,000.00" not in client.get("/").text
    assert "¥450,000.00" in client.get("/").text


def test_the_rebates_page_shows_the_same_progress(client, login_as, world, db):
    top_up(world, 45_000_000)
    db.session.commit()
    login_as(world.dealer_admin)
    client.get("/")
    cat = world.order_catalogue
    order = make_order(world, cat, status="submitted", contract_no="HT-CACHE-3",
                       lines=[(cat.storage, 1, 6_000_000, "net")])
    orders.confirm_order(world.channel_manager, order)
    db.session.commit()
    assert "¥510,000.00" in client.get("/rebates/").text
