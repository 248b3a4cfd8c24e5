"""`/prices/`: a dealer's net prices; what head office sees in addition; search, sort, export."""
from __future__ import annotations

import io

from openpyxl import load_workbook


def test_dealer_sees_its_net_prices_but_no_floor(client, login_as, world):
    login_as(world.dealer_sales)
    r = client.get("/prices/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "P-SRV-1" in page and "¥10,000.00" in page and "25.00%" in page and "¥7,500.00" in page
    assert "¥6,000.00" not in page and "Floor price" not in page     # floor price
    assert "下期目录价" not in page and "¥11,000.00" not in page      # next list
    # a dealer cannot look at another tier's prices
    page = client.get("/prices/?tier=gold&dealer=DB002&list=next").get_data(as_text=True)
    assert "¥8,000.00" not in page and "¥7,500.00" in page and "¥11,000.00" not in page


def test_gold_dealer_sees_gold_prices(client, login_as, world):
    login_as(world.other_dealer)
    page = client.get("/prices/").get_data(as_text=True)
    assert "¥8,000.00" in page and "20.00%" in page and "¥7,500.00" not in page


def test_head_office_views_any_tier_or_dealer_and_the_next_list(client, login_as, world):
    login_as(world.channel_manager)
    page = client.get("/prices/").get_data(as_text=True)
    assert "Floor price" in page and "¥6,000.00" in page
    page = client.get("/prices/?tier=gold").get_data(as_text=True)
    assert "¥8,000.00" in page
    page = client.get("/prices/?dealer=DA001").get_data(as_text=True)
    assert "DA001" in page and "¥7,500.00" in page
    page = client.get("/prices/?list=next").get_data(as_text=True)
    assert "下期目录价" in page and "¥11,000.00" in page and "¥8,250.00" in page


def test_an_unknown_dealer_code_is_said_not_shown_as_a_dealer(client, login_as, world):
    """A code no dealer has (a typo, or markup) says so, escaped, above the tier's prices; it
    once showed the platinum prices as if they were that dealer's."""
    login_as(world.channel_manager)
    page = client.get("/prices/?dealer=<b>DX9</b>&tier=gold").get_data(as_text=True)
    assert "No dealer has the code &lt;B&gt;DX9&lt;/B&gt;" in page and "<B>DX9" not in page
    assert "Net prices of the tier" in page and "¥8,000.00" in page
    assert "No dealer has the code" not in client.get("/prices/?dealer=DA001").get_data(as_text=True)


def test_search_filter_sort_and_htmx_fragment(client, login_as, world):
    login_as(world.dealer_admin)
    r = client.get("/prices/?q=存储", headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body and 'id="price-results"' in body
    assert "P-STO-1" in body and "P-SRV-1" not in body
    page = client.get(f"/prices/?line={world.cat.storage.id}").get_data(as_text=True)
    assert "P-STO-1" in page and "P-SRV-1" not in page
    page = client.get("/prices/?sort=-net&q=P-").get_data(as_text=True)
    assert page.index("P-STO-1") < page.index("P-SRV-1")
    page = client.get("/prices/?sort=net&q=P-").get_data(as_text=True)
    assert page.index("P-SRV-1") < page.index("P-STO-1")


def test_export_escapes_formulas_and_hides_floor_from_dealers(client, login_as, world):
    login_as(world.dealer_admin)
    r = client.get("/prices/?format=csv&q=P-")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "'=cmd|' /C calc'!A0" in text and "\n=cmd" not in text and ",=cmd" not in text
    assert "P-SRV-1" in text and "7500.00" in text and "6000.00" not in text
    r = client.get("/prices/?format=xlsx&q=P-")
    ws = load_workbook(io.BytesIO(r.data)).active
    names = [row[1] for row in ws.iter_rows(values_only=True)]
    assert "'=cmd|' /C calc'!A0" in names
    login_as(world.admin)
    text = client.get("/prices/?format=csv&q=P-SRV-1").get_data(as_text=True)
    assert "Floor price" in text and "6000.00" in text
