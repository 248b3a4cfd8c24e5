"""The table of capabilities: a role holds a capability or not; the object rule narrows it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.core.capabilities import CAPABILITIES, can, check, roles_of
from portal.core.errors import PermissionDenied
from portal.core.permissions import Role


def user(role, *, id=1, dealer_id=None, region_ids=()):
    return SimpleNamespace(role=Role(role), id=id, dealer_id=dealer_id, region_ids=list(region_ids),
                           is_authenticated=True)


ORDER_NORTH = SimpleNamespace(region_id=1, dealer_id=10, created_by_id=5)


def test_a_channel_manager_confirms_orders_of_its_regions_only():
    assert can(user("channel_manager", region_ids=[1]), "order.confirm", ORDER_NORTH)
    assert not can(user("channel_manager", region_ids=[2]), "order.confirm", ORDER_NORTH)
    with pytest.raises(PermissionDenied) as outside:
        check(user("channel_manager", region_ids=[2]), "order.confirm", ORDER_NORTH)
    assert str(outside.value.message) == "This order is outside your regions."


def test_the_director_confirms_any_order_and_finance_none():
    assert can(user("sales_director"), "order.confirm", ORDER_NORTH)
    assert not can(user("finance"), "order.confirm", ORDER_NORTH)
    with pytest.raises(PermissionDenied) as denied:
        check(user("finance"), "order.confirm", ORDER_NORTH)
    assert str(denied.value.message) == "Only a channel manager confirms orders."


def test_own_records_a_dealer_salesperson_only_its_own():
    assert can(user("dealer_admin", id=9, dealer_id=10), "order.register", ORDER_NORTH)
    assert can(user("dealer_sales", id=5, dealer_id=10), "order.register", ORDER_NORTH)
    assert not can(user("dealer_sales", id=6, dealer_id=10), "order.register", ORDER_NORTH)
    assert not can(user("dealer_admin", id=9, dealer_id=11), "order.register", ORDER_NORTH)


def test_nobody_anonymous_and_every_capability_names_roles():
    assert not can(SimpleNamespace(is_authenticated=False), "deal.approve")
    assert not can(None, "deal.approve")
    for name, capability in CAPABILITIES.items():
        assert capability.roles and set(roles_of(name)) <= set(Role), name
