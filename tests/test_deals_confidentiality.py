"""Confidentiality: nothing of another dealer's registration or customer reaches a dealer — not on
pages, htmx fragments, exports, notifications or error messages (DESIGN §2, §3.4)."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.conflicts.models import ConflictCase
from portal.core import clock
from portal.deals import services

HTMX = {"HX-Request": "true"}


def register(user, customer_name, line, project):
    data = {"project_name": project, "customer_id": "new", "customer_name": customer_name,
            "customer_domain": "lenovo.com", "customer_phone": "010-58868888",
            "expected_close_date": (clock.today() + timedelta(days=60)).isoformat(),
            "estimated_value": "900000", "stage": "quoting"}
    deal = services.save_deal(user, None, data, [{"line_id": str(line.id), "quantity": "3"}])
    services.submit_deal(user, deal)
    return deal


@pytest.fixture
def scene(world, db):
    theirs = register(world.other_dealer, "联想(北京)有限公司", world.lines[0], "乙方秘密服务器项目")
    mine = register(world.dealer_sales, "北京联想科技有限公司", world.lines[0], "甲方服务器项目")
    case = db.session.scalar(select(ConflictCase).where(ConflictCase.second_deal_id == mine.id))
    db.session.commit()
    secrets = [world.dealer_b.code, world.dealer_b.name, theirs.number, theirs.project_name,
               "联想(北京)有限公司", f"/deals/{theirs.id}", f"/customers/{theirs.customer_id}",
               case.number, "b.admin@test.example"]
    return theirs, mine, case, secrets


def dealer_surfaces(client, mine):
    """Every page, fragment, export and message dealer A's users can reach about the matter."""
    yield "/", client.get("/")
    yield "/deals/", client.get("/deals/")
    yield "/deals/?q=联想", client.get("/deals/?q=联想", headers=HTMX)
    yield "/deals/?status=rejected", client.get("/deals/?status=rejected")
    yield "csv", client.get("/deals/?format=csv")
    xlsx = client.get("/deals/?format=xlsx")
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as zf:
        strings = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".xml"))
    yield "xlsx", strings
    yield "detail", client.get(f"/deals/{mine.id}")
    yield "customers", client.get("/customers/")
    yield "customers htmx", client.get("/customers/?q=联想", headers=HTMX)
    yield "customer", client.get(f"/customers/{mine.customer_id}")
    yield "notifications", client.get("/notifications/")


def text_of(resp):
    return resp if isinstance(resp, str) else resp.get_data(as_text=True)


def assert_nothing_leaks(client, mine, secrets):
    for name, resp in dealer_surfaces(client, mine):
        body = text_of(resp)
        for secret in secrets:
            assert secret not in body, f"{secret!r} leaks on {name}"


@pytest.mark.parametrize("role", ["dealer_sales", "dealer_admin"])
def test_held_registration_says_only_under_review(world, scene, client, login_as, role):
    theirs, mine, case, secrets = scene
    login_as(world.users[role])
    page = client.get(f"/deals/{mine.id}").get_data(as_text=True)
    assert "Under review — possible overlap with an existing registration." in page
    assert_nothing_leaks(client, mine, secrets)


def test_nothing_leaks_after_a_decision_whose_reason_names_the_other_party(
        world, scene, client, login_as, db):
    theirs, mine, case, secrets = scene
    login_as(world.channel_manager)
    reason = f"{world.dealer_b.code} {world.dealer_b.name} 于 {theirs.number} 先报备"
    assert client.post(f"/conflicts/{case.id}/decide",
                       data={"decision": "award_earlier", "reason": reason}).status_code == 302
    login_as(world.dealer_sales)
    page = client.get(f"/deals/{mine.id}").get_data(as_text=True)
    assert "Rejected" in page and "conflict" in page
    assert reason not in page
    assert_nothing_leaks(client, mine, secrets + [reason])


def test_the_other_dealers_objects_answer_404_without_a_trace(world, scene, client, login_as):
    theirs, mine, case, secrets = scene
    login_as(world.dealer_sales)
    for url in (f"/deals/{theirs.id}", f"/deals/{theirs.id}/edit", f"/customers/{theirs.customer_id}"):
        resp = client.get(url)
        assert resp.status_code == 404
        for secret in secrets:
            if not secret.startswith("/"):  # the page echoes the URL typed (language switch)
                assert secret not in resp.get_data(as_text=True)
    for url in (f"/deals/{theirs.id}/submit", f"/deals/{theirs.id}/extension",
                f"/deals/{theirs.id}/close"):
        assert client.post(url, data={"reason": "x", "outcome": "lost"}).status_code == 404
    assert client.get("/conflicts/").status_code == 403
    assert client.get(f"/conflicts/{case.id}").status_code == 403


def test_the_earlier_dealer_learns_nothing_of_the_later_one(world, scene, client, login_as):
    theirs, mine, case, _secrets = scene
    login_as(world.other_dealer)
    mine_secrets = [world.dealer_a.code, world.dealer_a.name, mine.number, mine.project_name,
                    "北京联想科技有限公司", case.number]
    for url in ("/", "/deals/", f"/deals/{theirs.id}", "/customers/", "/notifications/",
                "/deals/?format=csv"):
        body = client.get(url).get_data(as_text=True)
        for secret in mine_secrets:
            assert secret not in body, f"{secret!r} leaks on {url}"


def test_submission_message_names_nobody(world, client, login_as, db):
    register(world.other_dealer, "联想(北京)有限公司", world.lines[0], "乙方秘密服务器项目")
    db.session.commit()
    login_as(world.dealer_sales)
    resp = client.post("/deals/new", follow_redirects=True, data={
        "project_name": "甲方项目", "customer_id": "new", "customer_name": "北京联想科技有限公司",
        "line_0": str(world.lines[0].id), "qty_0": "1",
        "expected_close_date": (clock.today() + timedelta(days=30)).isoformat(),
        "stage": "qualifying", "action": "submit"})
    body = resp.get_data(as_text=True)
    assert "under review — possible overlap with an existing registration" in body
    for secret in (world.dealer_b.code, world.dealer_b.name, "乙方秘密服务器项目", "联想(北京)有限公司"):
        assert secret not in body
