"""Every list filters one way (issue 16 point 2): a GET form that works without JavaScript, with
htmx attributes that push the URL, and an htmx request answered with the results block only."""
from __future__ import annotations

import re

import pytest

LISTS = [
    ("dealer_admin", "/prices/", "price-results"), ("dealer_admin", "/exceptions/", "exception-results"),
    ("dealer_admin", "/deals/", "results"), ("dealer_admin", "/customers/", "results"),
    ("sales_rep", "/leads/", "results"), ("dealer_admin", "/orders/", "results"),
    ("dealer_admin", "/rebates/", "results"), ("admin", "/admin/audit/", "results"),
    ("admin", "/admin/dealers/", "results"), ("admin", "/admin/users/", "results"),
    ("admin", "/admin/catalog/products/", "results"), ("channel_manager", "/inbox/", "inbox-results"),
    ("sales_director", "/scorecards/", "results"), ("dealer_admin", "/scorecards/", "results"),
]


@pytest.mark.parametrize("role,url,target", LISTS)
def test_list_filter_form_and_fragment(client, world, login_as, role, url, target):
    login_as(world.users[role])
    page = client.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    form = re.search(r'<form method="get" action="([^"]+)" class="filters"([^>]*)>', body)
    assert form, url
    assert form.group(1) == url.split("?")[0]
    attrs = form.group(2)
    assert f'data-hx-get="{url}"' in attrs and 'data-hx-push-url="true"' in attrs
    assert f'data-hx-target="#{target}"' in attrs and 'data-hx-swap="outerHTML"' in attrs
    assert " hx-" not in body  # only the valid data-hx-* form
    fragment = client.get(url + "?q=zz", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<div id="{target}"') or f'<div id="{target}"' in fragment[:400]
    assert "<html" not in fragment and "<header" not in fragment
    assert fragment.count(f'id="{target}"') == 1


def test_back_asks_the_server_for_the_whole_page(client, world, login_as):
    login_as(world.users["dealer_admin"])
    restore = client.get("/deals/?status=approved", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"}).get_data(as_text=True)
    assert "<html" in restore and 'value="approved" selected' in restore


def test_back_to_the_scorecards_restores_the_filters_and_sort(client, world, login_as):
    login_as(world.users["sales_director"])
    url = "/scorecards/?tier=gold&sort=-sales"
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="scorecards"' in fragment
    restore = client.get(url, headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"}).get_data(as_text=True)
    assert "<html" in restore and 'value="gold" selected' in restore
    assert 'name="sort" value="-sales"' in restore


def test_an_error_of_an_htmx_request_goes_to_the_message_area(client, world, login_as):
    login_as(world.users["dealer_admin"])
    resp = client.get("/prices/?q=" + "x" * 500, headers={"HX-Request": "true"})
    assert resp.status_code == 422
    assert resp.headers["HX-Retarget"] == "#flash-area" and resp.headers["HX-Reswap"] == "innerHTML"
    assert 'class="flash error"' in resp.get_data(as_text=True)


def test_an_ended_session_sends_htmx_to_login_with_the_page_to_return_to(client, world):
    resp = client.get("/prices/?q=a", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/prices/?line=3"})
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"] == "/login?next=%2Fprices%2F%3Fline%3D3"
    other_host = client.get("/prices/?q=a", headers={
        "HX-Request": "true", "HX-Current-URL": "http://evil.example/x"})
    assert other_host.headers["HX-Redirect"] == "/login?next=%2Fprices%2F%3Fq%3Da"
    plain = client.get("/prices/")
    assert plain.status_code == 302 and "/login?next=" in plain.headers["Location"]


def test_an_empty_list_says_why_and_offers_the_next_step(client, world, login_as):
    login_as(world.users["dealer_admin"])
    body = client.get("/orders/?q=no-such-contract-anywhere").get_data(as_text=True)
    assert "Nothing matches these filters." in body and ">Show everything</a>" in body
    assert "0 in all" not in body
    login_as(world.users["other_dealer"])  # dealer B has registered no order
    body = client.get("/orders/").get_data(as_text=True)
    assert "Nothing here yet." in body
    assert body.count('href="/orders/new"') == 2  # the button above and the next step below
