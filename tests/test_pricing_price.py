"""The price function (`portal.pricing.services`): net prices, rounding, effective dates,
exception prices with their validity and quantity."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core import clock
from portal.core.errors import NotFound, ValidationError
from portal.core.money import apply_discount
from portal.pricing import workflow
from portal.pricing.services import price_for, price_many, release_exception_qty, reserve_exception_qty
from tests.routes.pricing import make_deal, request_exception


def approve_all(world, exc, prices=None):
    """Approve every step of `exc` with the right approver."""
    approvers = {"channel_manager": world.channel_manager, "sales_director": world.sales_director,
                 "finance": world.finance}
    while exc.status == "pending":
        step = workflow.current_step(exc)
        workflow.decide(approvers[step.role], exc, step_id=step.id, decision="approve",
                        comment="ok", prices=prices or {}, floor_reason="战略客户")
    return exc


@pytest.mark.parametrize("list_fen, bp, net_fen", [
    (999_999, 3_333, 666_699),      # ¥9,999.99 at 33.33% → 666,699.3333 fen → ¥6,666.99
    (1_001, 5_000, 501),            # 500.5 fen rounds half up
    (1_003, 5_000, 502),            # 501.5 → 502
    (999, 3_333, 666),              # 666.0333
    (3, 5_000, 2),                  # 1.5 → 2
    (1, 5_000, 1),                  # 0.5 → 1
    (1_000_000, 0, 1_000_000),
    (1_000_000, 9_999, 100),
    (12_345, 1_250, 10_802),        # 10,801.875 → 10,802
])
def test_net_price_rounds_half_up_to_the_fen(list_fen, bp, net_fen):
    assert apply_discount(list_fen, bp) == net_fen


def test_price_for_gives_list_discount_and_net(world):
    q = price_for(world.dealer_a, world.cat.srv, clock.today())
    assert (q.list_price_fen, q.discount_bp, q.net_price_fen) == (1_000_000, 2500, 750_000)
    assert (q.unit_price_fen, q.source, q.exception_line_id, q.remaining_qty) == \
        (750_000, "net", None, None)
    gold = price_for(world.dealer_b, world.cat.srv, clock.today())
    assert (gold.discount_bp, gold.net_price_fen) == (2000, 800_000)


def test_a_tier_without_a_discount_row_pays_list_price(world):
    world.dealer_b.tier = "authorized"
    q = price_for(world.dealer_b, world.cat.sto, clock.today())
    assert (q.discount_bp, q.net_price_fen) == (0, 5_000_000)


def test_odd_list_price_rounds_at_the_documented_place(world):
    q = price_for(world.dealer_a, world.cat.odd, clock.today())   # ¥9,999.99 at 25%
    assert q.net_price_fen == 750_000 - 1   # 749,999.25 → 749,999


def test_effective_date_boundaries(world):
    current, upcoming = world.cat.current, world.cat.upcoming
    last_day = current.effective_to
    assert price_for(world.dealer_a, world.cat.srv, last_day).list_price_fen == 1_000_000
    assert price_for(world.dealer_a, world.cat.srv, upcoming.effective_from).list_price_fen == 1_100_000
    assert price_for(world.dealer_a, world.cat.srv, current.effective_from).list_price_fen == 1_000_000
    with pytest.raises(NotFound):
        price_for(world.dealer_a, world.cat.srv, current.effective_from - timedelta(days=1))


def test_product_not_on_the_list_is_refused(world):
    # the odd product is missing from the next list
    with pytest.raises(ValidationError):
        price_for(world.dealer_a, world.cat.odd, world.cat.upcoming.effective_from)
    world.cat.srv.active = False
    with pytest.raises(ValidationError):
        price_for(world.dealer_a, world.cat.srv, clock.today())


def test_price_many_matches_price_for_in_three_queries(world, db, queries_of):
    products = [world.cat.srv, world.cat.sto, world.cat.odd]
    db.session.flush()
    _loaded = [(p.id, p.line_id, p.sku) for p in products], world.dealer_a.tier
    quotes, statements = queries_of(lambda: price_many(world.dealer_a, products, clock.today()))
    assert len(statements) <= 3
    for p in products:
        assert quotes[p.id] == price_for(world.dealer_a, p, clock.today())
    upcoming = price_many(world.dealer_a, products, world.cat.upcoming.effective_from)
    assert set(upcoming) == {world.cat.srv.id, world.cat.sto.id}   # odd product left out


def test_exception_price_applies_to_its_deal_only_while_valid(world):
    exc = approve_all(world, world.exception)
    assert exc.status == "approved"
    line = exc.lines[0]
    today = clock.today()
    assert exc.valid_until == today + timedelta(days=30)   # protection (90 days) ends later
    q = price_for(world.dealer_a, world.cat.srv, today, deal=world.pdeal)
    assert (q.unit_price_fen, q.source, q.exception_line_id, q.remaining_qty) == \
        (670_000, "exception", line.id, 10)
    assert q.net_price_fen == 750_000
    # last valid day still applies; the day after, the net price again
    assert price_for(world.dealer_a, world.cat.srv, exc.valid_until, deal=world.pdeal).source == "exception"
    after = price_for(world.dealer_a, world.cat.srv, exc.valid_until + timedelta(days=1), deal=world.pdeal)
    assert (after.source, after.unit_price_fen) == ("net", 825_000)   # and the next list
    # without the deal, or with another deal of the same dealer: net price
    assert price_for(world.dealer_a, world.cat.srv, today).source == "net"
    other = make_deal(world.dealer_a, world.dealer_sales, name="另一个客户有限公司")
    assert price_for(world.dealer_a, world.cat.srv, today, deal=other).source == "net"
    # a product not on the exception: net price
    assert price_for(world.dealer_a, world.cat.sto, today, deal=world.pdeal).source == "net"


def test_validity_ends_with_the_deals_protection_when_earlier(world):
    deal = make_deal(world.dealer_a, world.dealer_sales, protected_days=10, name="短保护客户有限公司")
    exc = approve_all(world, request_exception(world.dealer_sales, deal, [("P-STO-1", 2, "38000")]))
    assert exc.valid_until == deal.protected_until == clock.today() + timedelta(days=10)


def test_reserved_quantity_is_guarded_and_released(world, db):
    exc = approve_all(world, world.exception)
    line = exc.lines[0]
    reserve_exception_qty(line.id, 7)
    assert price_for(world.dealer_a, world.cat.srv, clock.today(), deal=world.pdeal).remaining_qty == 3
    with pytest.raises(ValidationError):
        reserve_exception_qty(line.id, 4)
    assert line.used_qty == 7
    reserve_exception_qty(line.id, 3)
    q = price_for(world.dealer_a, world.cat.srv, clock.today(), deal=world.pdeal)
    assert (q.source, q.unit_price_fen) == ("net", 750_000)   # used up → net price
    release_exception_qty(line.id, 5)
    q = price_for(world.dealer_a, world.cat.srv, clock.today(), deal=world.pdeal)
    assert (q.source, q.remaining_qty) == ("exception", 5)
    with pytest.raises(ValidationError):
        release_exception_qty(line.id, 6)
    with pytest.raises(ValidationError):
        reserve_exception_qty(line.id, 0)


def test_a_pending_or_rejected_exception_gives_no_price(world):
    assert price_for(world.dealer_a, world.cat.srv, clock.today(), deal=world.pdeal).source == "net"
    step = workflow.current_step(world.exception)
    workflow.decide(world.channel_manager, world.exception, step_id=step.id, decision="reject",
                    comment="价格过低")
    assert world.exception.status == "rejected"
    assert price_for(world.dealer_a, world.cat.srv, clock.today(), deal=world.pdeal).source == "net"


def test_counter_offer_price_is_what_the_dealer_pays(world):
    exc = world.exception
    approve_all(world, exc, prices={exc.lines[0].id: "7000"})
    q = price_for(world.dealer_a, world.cat.srv, clock.today(), deal=world.pdeal)
    assert q.unit_price_fen == 700_000
