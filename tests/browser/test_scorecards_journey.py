"""Journey: the dealer administrator reads its charts and its scorecard; the channel manager ranks
its region's dealers and exports the list.

On the demo data: D0001 (华北) is the rising dealer, D0002 (华东) a slipping one.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_dealer_admin_sees_its_own_charts_and_scorecard(page, live_server):
    login(page, live_server.url, "dealer1.admin@example.com")
    page.goto(live_server.url + "/")
    charts = page.locator("#scorecard-charts figure.chart")
    assert charts.count() >= 2  # monthly sales against target, and each rebate program
    sales = page.locator("#chart-sales")
    assert sales.locator("svg[role=img] title").count() == 1
    assert sales.locator("table tbody tr").count() == 12
    assert sales.locator(".chart-summary").inner_text().strip()
    screenshot(page, "scorecards-dealer-dashboard")

    page.click("text=查看本经销商考核卡")
    page.wait_for_url("**/scorecards/D0001")
    assert "D0001" in page.locator("#scorecard-dealer").inner_text()
    assert page.locator("#score-value").inner_text().strip().isdigit()
    assert page.locator("#advice").is_visible()
    for key in ("sales", "win-rate", "conflicts", "depth"):
        assert page.locator(f"#chart-{key} svg").is_visible()
    # The demo's line target of this quarter (¥500,000 for one product line), line by line.
    lines = page.locator("#chart-lines")
    assert lines.locator("svg").is_visible()
    assert "¥500,000.00" in lines.locator("table tbody").inner_text()
    assert lines.locator(".chart-summary").inner_text().strip()
    body = page.content()
    assert "D0002" not in body and "D0017" not in body
    # Definitions are shown next to the figures.
    assert page.locator("#kpi-win_rate_bp .kpi-definition").inner_text().strip()
    screenshot(page, "scorecards-dealer-scorecard")
    assert not page.console_errors, page.console_errors  # e.g. a CSP violation
    # Another dealer's scorecard does not exist for this dealer.
    response = page.goto(live_server.url + "/scorecards/D0002")
    assert response.status == 404


def test_channel_manager_ranks_its_region_and_exports(page, live_server):
    login(page, live_server.url, "cm.north@example.com")
    page.goto(live_server.url + "/scorecards/")
    rows = page.locator("#scorecards tbody tr[data-dealer]")
    assert rows.count() >= 3
    codes = [rows.nth(i).get_attribute("data-dealer") for i in range(rows.count())]
    assert "D0001" in codes and "D0002" not in codes  # D0002 is in the east
    scores = [rows.nth(i).locator("td.score").inner_text() for i in range(rows.count())]
    numbers = [int(s) for s in scores if s.strip().isdigit()]
    assert numbers == sorted(numbers, reverse=True)  # ranked by score
    # Sort by confirmed sales, largest first.
    # By the link, not its words: an earlier journey may have left this user in English.
    page.click("#scorecards thead a.sort[href*='sort=sales']")
    page.wait_for_url("**sort=sales**")  # the first click's page before the second click
    page.click("#scorecards thead a.sort[href*='sort=-sales']")
    page.wait_for_url("**sort=-sales**")
    screenshot(page, "scorecards-cm-ranked")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    data = open(info.value.path(), "rb").read()
    sheet = load_workbook(io.BytesIO(data)).active
    exported = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert set(exported) == set(codes) and "D0002" not in exported
    assert "D0001" in exported
    assert not page.console_errors, page.console_errors
