"""What every page does on each request — the user, its language, the navigation, the unread
count — stays right for whoever asks, in whatever order, in one process; and the dealer's
busiest pages stay within the query budget of DESIGN §6 (≤ 10 per page)."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from portal.accounts.models import DealerStatus
from portal.notifications.services import notify


def N_(s):  # noqa: N802
    return s


def nav(body: str) -> list[str]:
    block = body.split('<ul class="mainnav">')[1].split("</ul>")[0]
    return re.findall(r'href="([^"]+)"', block)


def badge(body: str) -> str:
    return re.search(r'<span id="unread-badge"[^>]*>(\d+)</span>', body).group(1)


@pytest.mark.parametrize("path", ["/", "/prices/", "/deals/"])
def test_dealer_pages_stay_within_the_query_budget(client, login_as, world, queries_of, path):
    login_as(world.dealer_admin)
    client.get(path)  # first request of the process: nothing cached that a user would miss
    response, statements = queries_of(lambda: client.get(path))
    queries = len(statements)
    assert response.status_code == 200
    assert queries <= 10, f"{path}: {queries} queries"


def test_unread_count_is_each_users_own(client, login_as, world, db):
    notify([world.dealer_admin, world.other_dealer], "decision_made", N_("Order %(number)s"),
           "/orders/", number="SO-1")
    notify([world.other_dealer], "decision_made", N_("Order %(number)s"), "/orders/", number="SO-2")
    db.session.commit()
    for user, unread in [(world.dealer_admin, "1"), (world.other_dealer, "2"),
                         (world.dealer_admin, "1")]:
        login_as(user)
        assert badge(client.get("/").get_data(as_text=True)) == unread


def test_navigation_follows_the_role_of_each_request(client, login_as, world):
    seen = {}
    for role in ["dealer_admin", "admin", "dealer_sales", "dealer_admin", "admin"]:
        login_as(world.users[role])
        links = nav(client.get("/").get_data(as_text=True))
        seen.setdefault(role, links)
        assert links == seen[role]
    assert "/team/" in seen["dealer_admin"] and "/admin/" not in seen["dealer_admin"]
    assert "/admin/" in seen["admin"] and "/team/" not in seen["admin"]
    assert "/team/" not in seen["dealer_sales"]


def test_each_user_gets_its_own_language_in_turn(client, login_as, world, db):
    world.dealer_admin.locale = "en"
    world.other_dealer.locale = "zh_CN"
    db.session.commit()
    for user, lang, logout in [(world.dealer_admin, "en", "Log out"),
                               (world.other_dealer, "zh-CN", "退出登录"),
                               (world.dealer_admin, "en", "Log out")]:
        login_as(user)
        body = client.get("/").get_data(as_text=True)
        assert f'<html lang="{lang}">' in body
        assert f'id="logout">{logout}<' in body


def test_language_switch_applies_to_the_next_page(client, login_as, world, db):
    world.dealer_admin.locale = None
    db.session.commit()
    login_as(world.dealer_admin)
    client.post("/language", data={"locale": "en", "next": "/"})
    assert 'id="logout">Log out<' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "zh_CN", "next": "/"})
    assert 'id="logout">退出登录<' in client.get("/").get_data(as_text=True)


def test_templates_outside_a_request_are_translated(app):
    with app.app_context():
        template = app.jinja_env.from_string('{{ _("Log out") }}')
        with force_locale("zh_CN"):
            assert template.render() == "退出登录"
        with force_locale("en"):
            assert template.render() == "Log out"


def test_deactivated_user_and_suspended_dealer_are_refused_at_the_next_request(
        client, login_as, world, db):
    login_as(world.dealer_admin)
    assert client.get("/").status_code == 200
    world.dealer_a.status = DealerStatus.SUSPENDED
    db.session.commit()
    assert client.get("/").status_code == 302
    world.dealer_a.status = DealerStatus.ACTIVE
    db.session.commit()
    login_as(world.dealer_admin)
    assert client.get("/").status_code == 200
    world.dealer_admin.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_dashboard_shows_only_the_users_own_dealer(client, login_as, world):
    for user, mine, other in [(world.dealer_admin, "DA001", "DB002"),
                              (world.other_dealer, "DB002", "DA001")]:
        login_as(user)
        body = client.get("/").get_data(as_text=True)
        dealer = re.search(r'id="my-dealer">([^<]+)<', body).group(1)
        assert mine in dealer
        assert other not in body


def test_template_strings_keep_their_language_escaping_and_percent_signs(app):
    """Strings without variables are translated once per catalogue and reused: each language
    keeps its own, `%%` still prints one percent sign, and variables are still escaped."""
    template = app.jinja_env.from_string(
        '{{ _("Log out") }}|{{ _("100%% of it") }}|{{ _("Welcome, %(name)s", name=who) }}')
    with app.app_context():
        for locale, logout, welcome in [("zh_CN", "退出登录", "欢迎，"), ("en", "Log out", "Welcome, "),
                                        ("zh_CN", "退出登录", "欢迎，"), ("en", "Log out", "Welcome, ")]:
            with force_locale(locale):
                assert template.render(who="<b>甲</b>") == \
                    f"{logout}|100% of it|{welcome}&lt;b&gt;甲&lt;/b&gt;"
