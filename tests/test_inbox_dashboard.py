"""Dashboards that say what to do next: what awaits me (with due times, into the inbox), what
expires soon (with the action), what changed since my last visit; no grid of links."""
from __future__ import annotations

from datetime import timedelta

from portal.core import clock
from portal.extensions import db


def _widget(body: str, widget_id: str) -> str:
    return body.split(f'id="{widget_id}"')[1].split("</section>")[0]


def test_channel_manager_sees_what_awaits_him_with_due_times(world, client, login_as):
    login_as(world.channel_manager)
    body = client.get("/").text
    assert "Where you can go" not in body
    widget = _widget(body, "inbox-widget")
    order_row = widget.split('id="waiting-order"')[1].split("</tr>")[0]
    assert 'href="/inbox/?kind=order">Order to confirm' in order_row
    assert "<strong>3</strong>" in order_row
    registration_row = widget.split('id="waiting-registration"')[1].split("</tr>")[0]
    assert "<strong>1</strong>" in registration_row
    assert "Open the inbox (7)" in widget
    assert body.split('id="inbox-count">')[1].startswith("7<")
    # the other region's channel manager: nothing of the north
    login_as(world.other_region_cm)
    assert "Nothing awaits your decision." in _widget(client.get("/").text, "inbox-widget")


def test_director_and_finance_see_their_own_steps(world, client, login_as):
    from portal.pricing import workflow

    login_as(world.finance)
    assert "Nothing awaits your decision." in _widget(client.get("/").text, "inbox-widget")
    workflow.decide(world.channel_manager, world.exception,
                    step_id=world.exception.steps[0].id, decision="approve")
    db.session.flush()
    login_as(world.sales_director)
    widget = _widget(client.get("/").text, "inbox-widget")
    row = widget.split('id="waiting-exception"')[1].split("</tr>")[0]
    assert 'href="/inbox/?kind=exception">Price exception step' in row
    assert "<strong>1</strong>" in row


def test_rep_sees_the_cases_he_is_party_to(world, client, login_as):
    login_as(world.sales_rep)
    body = client.get("/").text
    assert "inbox-widget" not in body
    assert "1 open case awaits the channel manager" in _widget(body, "rep-cases-widget")


def test_dealer_sees_protection_ending_with_the_extension_offer(world, client, login_as):
    world.deal_approved.protected_until = clock.today() + timedelta(days=5)
    db.session.flush()
    login_as(world.dealer_admin)
    widget = _widget(client.get("/").text, "expiring-widget")
    assert world.deal_approved.number in widget
    assert f'href="/deals/{world.deal_approved.id}#ext-reason"' in widget
    assert "Ask for an extension" in widget


def test_what_changed_since_the_last_visit(world, client, login_as):
    from portal.notifications.services import notify

    login_as(world.dealer_admin)
    assert "Nothing new since your last visit." in _widget(client.get("/").text, "changes-widget")
    notify([world.dealer_admin], "decision_made", "Order %(number)s was confirmed.",
           f"/orders/{world.order_confirmed.id}", number=world.order_confirmed.number)
    db.session.flush()
    widget = _widget(client.get("/").text, "changes-widget")
    assert f"Order {world.order_confirmed.number} was confirmed." in widget
    assert f'href="/orders/{world.order_confirmed.id}"' in widget
