"""htmx done one way (issue 16 point 2), as a user in Chromium notices it.

- A refused form (422) is swapped in where it was, its fields marked, and the focus moves to the
  error summary, whose links lead to the fields.
- A session that ended while a page stayed open sends an htmx request's page to the login page,
  which then returns to that page: the login page is never swapped into a table.
- While a request is under way the busy bar shows and the form's submit buttons are disabled.
- A list filters by htmx, pushes the URL, and Back shows the list and its form as the URL says.
- Without JavaScript the same pages still work.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

#: Records, at the moment htmx sends a request, whether the busy bar shows and which submit
#: buttons are disabled (htmx disables them just before `htmx:beforeSend`).
WATCH_REQUESTS = """
window.__sent = [];
document.body.addEventListener("htmx:beforeSend", function () {
  window.__sent.push({
    busy: document.getElementById("busy").classList.contains("htmx-request"),
    disabled: Array.from(document.querySelectorAll("[type=submit]"))
      .filter(function (b) { return b.disabled; }).map(function (b) { return b.id || b.textContent.trim(); })
  });
});
"""


def _history_restore(response) -> bool:
    """The request htmx sends on Back: the page of the URL, from the server."""
    return response.request.headers.get("hx-history-restore-request") == "true"


def _open_case(app):
    """The demo's open conflict case and the e-mail of the manager it is assigned to."""
    from portal.conflicts.models import ConflictCase
    from portal.extensions import db

    with app.app_context():
        case = db.session.scalar(select(ConflictCase).where(ConflictCase.status == "open")
                                 .order_by(ConflictCase.id))
        # Assigned to one manager, else any director may decide it.
        return case.id, case.assigned_to.email if case.assigned_to else "director@example.com"


def test_unknown_sku_marks_the_sku_field_and_focuses_the_summary(page, live_server):
    base = live_server.url
    login(page, base, "dealer1.sales@example.com")
    page.goto(base + "/orders/new")
    page.evaluate(WATCH_REQUESTS)
    page.fill("#f-contract_no", "HT-422")
    page.fill("#f-sku-0", "NO-SUCH-SKU")
    page.fill('input[name="quantity-0"]', "2")
    with page.expect_response(lambda r: r.url.endswith("/orders/new")) as answer:
        page.click("#show-prices")
    assert answer.value.status == 422
    page.wait_for_selector("#error-summary")
    # The SKU field is marked and keeps what was typed; the summary has the focus and links to it.
    assert page.get_attribute("#f-sku-0", "aria-invalid") == "true"
    assert page.input_value("#f-sku-0") == "NO-SUCH-SKU"
    assert page.locator("#order-lines .field-error").count() == 1
    assert page.evaluate("document.activeElement.id") == "error-summary"
    link = page.locator('#error-summary a[href="#f-sku-0"]')
    assert link.count() == 1
    link.click()
    assert page.evaluate("document.activeElement.id") == "f-sku-0"
    # One page, not a page inside the form; nothing shown twice.
    assert page.locator("header.topbar").count() == 1
    assert page.locator("#order-form").count() == 1
    # During the request the bar showed and both buttons were disabled.
    sent = page.evaluate("window.__sent")
    assert sent and sent[0]["busy"] is True
    assert {"show-prices", "submit-order"} <= set(sent[0]["disabled"])
    screenshot(page, "htmx_order_422")


def test_conflict_decision_without_reason_marks_the_reason_field(page, live_server):
    case_id, manager = _open_case(live_server.app)
    base = live_server.url
    login(page, base, manager)
    page.goto(base + f"/conflicts/{case_id}")
    page.fill("#f-reason", "   ")  # passes `required`, refused by the server
    with page.expect_response(lambda r: r.url.endswith("/decide")) as answer:
        page.click("#decide")
    assert answer.value.status == 422
    page.wait_for_selector("#error-summary")
    assert page.get_attribute("#f-reason", "aria-invalid") == "true"
    assert page.locator('#error-summary a[href="#f-reason"]').count() == 1
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # No banner carrying the form's text: the message area stays empty.
    assert page.locator("#flash-area .flash").count() == 0
    assert page.locator("#decide").count() == 1  # the form once, not nested in itself
    with live_server.app.app_context():
        from portal.conflicts.models import ConflictCase
        from portal.extensions import db

        assert db.session.get(ConflictCase, case_id).status == "open"


def test_expired_session_sends_the_page_to_login_and_back(page, context, live_server):
    base = live_server.url
    login(page, base, "dealer1.sales@example.com")
    page.goto(base + "/prices/?line=")
    context.clear_cookies()  # the session ends while the page stays open
    with page.expect_navigation(url=lambda u: urlsplit(u).path == "/login"):
        page.fill('input[name="q"]', "X")
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/prices/?line="]
    assert page.locator("header.topbar").count() == 1  # the login page itself, not nested
    assert page.locator("#price-results").count() == 0
    page.fill('input[name="email"]', "dealer1.sales@example.com")
    page.fill('input[name="password"]', "demo-pass-2026")
    with page.expect_navigation():
        page.click('form[action^="/login"] button[type="submit"]')
    assert urlsplit(page.url).path == "/prices/"


def test_list_filter_pushes_the_url_and_back_restores_form_and_table(page, live_server):
    base = live_server.url
    login(page, base, "dealer1.admin@example.com")
    page.goto(base + "/deals/")
    page.evaluate(WATCH_REQUESTS)
    all_rows = page.locator("#results tbody tr").count()
    page.select_option('select[name="status"]', "approved")
    page.wait_for_url(lambda u: "status=approved" in u)
    page.wait_for_load_state("networkidle")
    approved_rows = page.locator("#results tbody tr").count()
    page.fill('input[name="q"]', "zzzz-nothing")
    page.wait_for_url(lambda u: "q=zzzz-nothing" in u)
    page.wait_for_selector("#results tbody td.muted")
    sent = page.evaluate("window.__sent")
    assert sent and all(s["busy"] for s in sent)

    with page.expect_response(_history_restore):
        page.go_back()
    page.wait_for_url(lambda u: "status=approved" in u and "zzzz" not in u)
    page.wait_for_load_state("networkidle")
    assert page.input_value('input[name="q"]') == ""
    assert page.input_value('select[name="status"]') == "approved"
    assert page.locator("#results tbody tr").count() == approved_rows
    assert page.locator("#results td.muted").count() == 0

    with page.expect_response(_history_restore):
        page.go_back()
    page.wait_for_url(lambda u: urlsplit(u).query == "")
    page.wait_for_load_state("networkidle")
    assert page.input_value('select[name="status"]') == ""
    assert page.locator("#results tbody tr").count() == all_rows
    assert page.locator("header.topbar").count() == 1


@pytest.mark.parametrize("path,field,value", [
    ("/orders/", "status", "confirmed"), ("/rebates/", "status", "issued"),
    ("/exceptions/", "status", "approved")])
def test_every_list_filters_the_same_way(page, live_server, path, field, value):
    base = live_server.url
    login(page, base, "dealer1.admin@example.com")
    page.goto(base + path)
    with page.expect_response(lambda r: urlsplit(r.url).path == path
                              and r.request.headers.get("hx-request") == "true"):
        page.select_option(f'form.filters select[name="{field}"]', value)
    page.wait_for_url(lambda u: f"{field}={value}" in u)
    assert page.locator("header.topbar").count() == 1
    with page.expect_response(_history_restore):
        page.go_back()
    page.wait_for_url(lambda u: urlsplit(u).query == "")
    page.wait_for_load_state("networkidle")
    assert page.input_value(f'form.filters select[name="{field}"]') == ""


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        base = live_server.url
        login(page, base, "dealer1.sales@example.com")
        page.goto(base + "/deals/")
        page.select_option('select[name="status"]', "approved")
        with page.expect_navigation():
            page.click('form.filters button[type="submit"]')
        assert "status=approved" in page.url
        page.goto(base + "/orders/new")
        page.fill("#f-contract_no", "HT-NOJS")
        page.fill("#f-sku-0", "NO-SUCH-SKU")
        page.fill('input[name="quantity-0"]', "1")
        with page.expect_navigation():
            page.click("#show-prices")
        assert page.get_attribute("#f-sku-0", "aria-invalid") == "true"
        assert page.locator('#error-summary a[href="#f-sku-0"]').count() == 1
    finally:
        context.close()
