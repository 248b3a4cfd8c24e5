"""The role dashboard at `/`: who the user is and only the places its role may open."""
from __future__ import annotations

import html
import re

import pytest


def nav(body: str) -> list[str]:
    block = body.split('<ul class="mainnav">')[1].split("</ul>")[0]
    return re.findall(r'href="([^"]+)"', block)


@pytest.mark.parametrize("role, shown, hidden", [
    ("dealer_admin", ["/", "/team/"], ["/admin/"]),
    ("dealer_sales", ["/"], ["/team/", "/admin/"]),
    ("channel_manager", ["/"], ["/team/", "/admin/"]),
    ("sales_director", ["/", "/admin/"], ["/team/"]),
    ("finance", ["/", "/admin/"], ["/team/"]),
    ("admin", ["/", "/admin/"], ["/team/"]),
])
def test_navigation_shows_only_what_the_role_may_open(client, login_as, world, role, shown, hidden):
    login_as(world.users[role])
    body = client.get("/").get_data(as_text=True)
    links = nav(body)
    for url in shown:
        assert url in links
    for url in hidden:
        assert url not in links
    # every link shown opens for this role
    for url in links:
        assert client.get(url).status_code == 200, url


def test_dealer_dashboard_shows_role_and_dealer(client, login_as, world):
    login_as(world.dealer_admin)
    body = html.unescape(client.get("/").get_data(as_text=True))
    assert re.search(r'id="my-role">Dealer administrator<', body)
    dealer = re.search(r'id="my-dealer">([^<]+)<', body).group(1)
    assert "DA001" in dealer and "北京甲方科技有限公司" in dealer and "Platinum" in dealer
    assert "my-regions" not in body


def test_regional_dashboard_shows_regions(client, login_as, world):
    login_as(world.other_region_cm)
    body = html.unescape(client.get("/").get_data(as_text=True))
    assert re.search(r'id="my-role">Channel manager<', body)
    assert re.search(r'id="my-regions">[^<]*(East|华东)', body)


def test_head_office_dashboard_shows_all_regions(client, login_as, world):
    login_as(world.sales_director)
    body = html.unescape(client.get("/").get_data(as_text=True))
    assert re.search(r'id="my-regions">All regions<', body)


def test_dashboard_in_chinese(client, login_as, world, db):
    world.dealer_admin.locale = "zh_CN"
    db.session.flush()
    login_as(world.dealer_admin)
    body = html.unescape(client.get("/").get_data(as_text=True))
    assert '<html lang="zh-CN">' in body
    assert re.search(r'id="my-role">经销商管理员<', body)
    assert "白金" in body


def test_language_preference_is_saved_and_wins_over_accept_language(client, login_as, world):
    login_as(world.dealer_sales)
    client.post("/language", data={"locale": "zh_CN", "next": "/"})
    assert world.dealer_sales.locale == "zh_CN"
    body = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in body
    client.post("/language", data={"locale": "en", "next": "/"})
    body = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in body


def test_anonymous_falls_back_to_accept_language(client):
    assert '<html lang="zh-CN">' in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)


def test_switcher_in_the_header(client):
    body = client.get("/login").get_data(as_text=True)
    assert 'action="/language"' in body
    assert 'value="zh_CN"' in body and 'value="en"' in body
