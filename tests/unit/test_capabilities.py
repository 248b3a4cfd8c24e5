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


# --- every capability: a holder inside its rule may, the same role outside it may not ----------

N, S = 1, 2  # two regions
DEAL = SimpleNamespace(region_id=N, dealer_id=10, created_by_id=5)
LEAD = SimpleNamespace(rep_id=7, region_id=N)
CASE = SimpleNamespace(region_id=N, other_region_id=S, assigned_to_id=None)
OVERLAP = SimpleNamespace(region_id=None, other_region_id=N)
EXCEPTION = SimpleNamespace(region_id=N, status="pending", current_role="channel_manager",
                            dealer_id=10, created_by_id=5)
STATEMENT = SimpleNamespace(region_id=N, dealer_id=10)

#: capability → (object, an actor inside the rule, an actor of a role that holds the
#: capability but outside the rule — or, for rule "any", an actor of a role that does not hold it)
CASES = {
    "deal.view": (DEAL, user("channel_manager", region_ids=[N]),
                  user("channel_manager", region_ids=[S])),
    "deal.approve": (DEAL, user("channel_manager", region_ids=[N]),
                     user("channel_manager", region_ids=[S])),
    "lead.record": (None, user("sales_rep"), user("channel_manager")),
    "lead.close": (LEAD, user("sales_rep", id=7), user("sales_rep", id=8)),
    "customer.view": (None, user("dealer_sales"), user("finance")),
    "customer.link": (None, user("channel_manager"), user("sales_rep")),
    "conflict.decide": (CASE, user("channel_manager", region_ids=[S]),
                        user("channel_manager", region_ids=[3])),
    "conflict.take_over": (CASE, user("sales_director"), user("channel_manager", region_ids=[N])),
    "overlap.decide": (OVERLAP, user("channel_manager", region_ids=[N]),
                       user("channel_manager", region_ids=[S])),
    "exception.decide": (EXCEPTION, user("channel_manager", region_ids=[N]),
                         user("channel_manager", region_ids=[S])),
    "exception.approve_below_floor": (EXCEPTION, user("sales_director"),
                                      user("channel_manager", region_ids=[N])),
    "order.confirm": (ORDER_NORTH, user("channel_manager", region_ids=[N]),
                      user("channel_manager", region_ids=[S])),
    "order.register": (ORDER_NORTH, user("dealer_sales", id=5, dealer_id=10),
                       user("dealer_sales", id=6, dealer_id=10)),
    "order.cancel": (ORDER_NORTH, user("dealer_admin", dealer_id=10),
                     user("dealer_admin", dealer_id=11)),
    "order.return": (ORDER_NORTH, user("channel_manager", region_ids=[N]),
                     user("channel_manager", region_ids=[S])),
    "rebate.run": (None, user("finance"), user("sales_director")),
    "program.edit": (None, user("finance"), user("admin")),
    "statement.pay": (None, user("finance"), user("sales_director")),
    "statement.download": (STATEMENT, user("dealer_admin", dealer_id=10),
                           user("dealer_admin", dealer_id=11)),
    "program.review": (None, user("sales_director"), user("channel_manager")),
    "admin.manage": (None, user("admin"), user("sales_director")),
    "scorecard.view": (None, user("dealer_admin", dealer_id=10), user("dealer_sales", dealer_id=10)),
    "scorecard.view_all": (DEAL, user("channel_manager", region_ids=[N]),
                           user("channel_manager", region_ids=[S])),
    "target.edit": (DEAL, user("channel_manager", region_ids=[N]),
                    user("channel_manager", region_ids=[S])),
    "scorecard.policy": (None, user("admin"), user("sales_director")),
}


def test_every_capability_has_a_case():
    assert set(CASES) == set(CAPABILITIES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_rule_of_each_capability_is_enforced(name):
    obj, inside, outside = CASES[name]
    assert can(inside, name, obj)
    check(inside, name, obj)
    assert not can(outside, name, obj)
    with pytest.raises(PermissionDenied):
        check(outside, name, obj)


def test_a_step_holder_is_the_role_of_the_open_step_in_its_region():
    cm = user("channel_manager", region_ids=[N])
    director = user("sales_director")
    assert not can(director, "exception.decide", EXCEPTION)       # the step is the manager's
    at_director = SimpleNamespace(**{**vars(EXCEPTION), "current_role": "sales_director"})
    assert can(director, "exception.decide", at_director)
    assert not can(cm, "exception.decide", at_director)
    decided = SimpleNamespace(**{**vars(EXCEPTION), "status": "approved"})
    assert not can(cm, "exception.decide", decided)
    with pytest.raises(PermissionDenied) as denied:
        check(director, "exception.decide", EXCEPTION)
    assert str(denied.value.message) == "This step is for another approver."


def test_an_assigned_case_is_decided_by_its_assignee_or_an_admin_only():
    taken = SimpleNamespace(**{**vars(CASE), "assigned_to_id": 3})
    assert can(user("sales_director", id=3), "conflict.decide", taken)
    assert not can(user("sales_director", id=4), "conflict.decide", taken)
    assert not can(user("channel_manager", region_ids=[N]), "conflict.decide", taken)
    assert can(user("admin", id=9), "conflict.decide", taken)


def test_a_dealer_downloads_its_own_statements_and_head_office_by_role_and_region():
    assert can(user("finance"), "statement.download", STATEMENT)
    assert can(user("channel_manager", region_ids=[N]), "statement.download", STATEMENT)
    assert not can(user("channel_manager", region_ids=[S]), "statement.download", STATEMENT)
    assert not can(user("sales_rep", region_ids=[N]), "statement.download", STATEMENT)
