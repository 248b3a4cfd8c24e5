"""Money flows around the rebate arithmetic (DESIGN §3.5, §3.6): returns and the supplementary
statements they cause, several programs over one period, statement lines a dealer can check,
and downloads that never render."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db as _db
from portal.notifications.models import Notification
from portal.orders.models import OrderLine, OrderReturn, SalesOrder
from portal.rebates.models import RebateStatement
from tests.routes.orders import make_order
from tests.routes.rebates import make_program
from tests.test_rebates_flow import pdf_text, run_for, top_up


def return_form(order, quantities, reason="客户退货 / customer returned the goods", day=None):
    data = {"return_date": (day or clock.today()).isoformat(), "reason": reason}
    for line, qty in zip(order.lines, quantities, strict=False):
        data[f"qty-{line.id}"] = str(qty)
    return data


def statements_of(db, program):
    return list(db.session.scalars(select(RebateStatement).where(
        RebateStatement.program_id == program.id).order_by(RebateStatement.sequence)))


def issue(client, program) -> None:
    assert client.post(f"/rebates/runs/{run_for(client, program)}/issue").status_code == 302


def test_worked_example_a_return_after_issue_gives_minus_7500_in_both_modes(
        client, login_as, world, db):
    """1,300,000.00 confirmed in the quarter; a 250,000.00 order returned after issue. All units:
    39,000.00 issued, restated 1,050,000.00 × 3% = 31,500.00, supplementary −7,500.00.
    Incremental, a second program over the same quarter: 24,000.00 issued, restated
    5,000 + 10,000 + 1,500 = 16,500.00, supplementary −7,500.00."""
    cat = world.order_catalogue
    returned = make_order(world, cat, status="confirmed", contract_no="HT-RT-250K",
                          lines=[(cat.server, 2, 12_500_000, "net")])
    top_up(world, 130_000_000)
    all_units = make_program(code="2031Q1", name="季度返利")
    incremental = make_program(code="2031Q1", program_code="2031Q1-INC", name="季度累进返利",
                               mode="incremental")
    login_as(world.finance)
    issue(client, all_units)
    issue(client, incremental)
    (first,) = statements_of(db, all_units)
    (first_inc,) = statements_of(db, incremental)
    assert (first.number, first.net_payable_fen) == ("RB-2031Q1-DA001", 3_900_000)
    assert (first_inc.number, first_inc.net_payable_fen) == ("RB-2031Q1-INC-DA001", 2_400_000)

    login_as(world.channel_manager)
    form = client.get(f"/orders/{returned.id}/returns/new")
    assert form.status_code == 200 and returned.number in form.text
    response = client.post(f"/orders/{returned.id}/returns/new", data=return_form(returned, [2]))
    assert response.status_code == 302
    record = db.session.scalar(select(OrderReturn).where(OrderReturn.order_id == returned.id))
    assert record.amount_fen == 25_000_000 and record.number == f"RT{record.created_at.year}-{record.id:05d}"

    login_as(world.finance)
    issue(client, all_units)
    issue(client, incremental)
    _, supplementary = statements_of(db, all_units)
    _, supplementary_inc = statements_of(db, incremental)
    assert supplementary.number == "RB-2031Q1-DA001-S1"
    assert supplementary.qualifying_sales_fen == 105_000_000
    assert supplementary.entitlement_fen == 3_150_000 and supplementary.net_payable_fen == -750_000
    assert supplementary_inc.number == "RB-2031Q1-INC-DA001-S1"
    assert supplementary_inc.entitlement_fen == 1_650_000
    assert supplementary_inc.net_payable_fen == -750_000
    assert supplementary.content["amount_words"] == "负柒仟伍佰元整"
    # The band-by-band schedule reconciles the incremental statement.
    schedule = [(p["sales_fen"], p["rate_bp"], p["amount_fen"])
                for p in supplementary_inc.content["schedule"]]
    assert schedule == [(50_000_000, 100, 500_000), (50_000_000, 200, 1_000_000),
                        (5_000_000, 300, 150_000)]
    assert supplementary_inc.content["schedule_total_fen"] == 1_650_000

    login_as(world.dealer_admin)
    page = client.get(f"/rebates/statements/{supplementary.id}").text
    assert "-¥7,500.00" in page and "负柒仟伍佰元整" in page and 'id="to-offset"' in page
    text = pdf_text(client.get(f"/rebates/statements/{supplementary.id}.pdf").data)
    assert "-¥7,500.00" in text and "负柒仟伍佰元整" in text and first.number in text
    inc_page = client.get(f"/rebates/statements/{supplementary_inc.id}").text
    assert "¥1,500.00" in inc_page and "Band-by-band schedule" in inc_page
    assert "To be offset" in client.get("/rebates/").text

    # Finance records the settlement: it is no longer carried as to be offset.
    login_as(world.finance)
    settled = client.post(f"/rebates/statements/{supplementary.id}/paid",
                          data={"paid_on": clock.today().isoformat(), "reference": "OFFSET-2031Q2"})
    assert settled.status_code == 302
    db.session.refresh(supplementary)
    assert supplementary.status == "paid" and not supplementary.to_offset
    page = client.get(f"/rebates/statements/{supplementary.id}").text
    assert 'id="to-offset"' not in page and "Settlement recorded" in page


def test_incremental_lines_show_the_effective_rate_and_the_schedule_in_the_pdf(
        client, login_as, world, db):
    """¥1,200,000 over servers and storage, incremental bands 1/2/3%: the schedule is
    5,000 + 10,000 + 6,000 = 21,000.00 and each line's effective rate is 21,000 ÷ 1,200,000."""
    from datetime import date

    cat = world.order_catalogue
    make_order(world, cat, status="confirmed", contract_no="HT-SCH-1", order_date=date(2030, 2, 1),
               lines=[(cat.server, 1, 100_000_000, "net"), (cat.storage, 1, 20_000_000, "net")])
    program = make_program(code="2030Q1", mode="incremental", start=date(2030, 1, 1),
                           end=date(2030, 3, 31))
    login_as(world.finance)
    issue(client, program)
    (statement,) = statements_of(db, program)
    c = statement.content
    assert c["entitlement_fen"] == 2_100_000 and c["schedule_total_fen"] == 2_100_000
    assert len(c["lines"]) == 2
    for ln in c["lines"]:
        assert ln["effective_rate"] == "1.7500%"
        assert ln["amount_fen"] * 10_000 == ln["sales_fen"] * 175
    assert sum(ln["amount_fen"] for ln in c["lines"]) == c["lines_total_fen"] == 2_100_000
    login_as(world.dealer_admin)
    page = client.get(f"/rebates/statements/{statement.id}").text
    assert "1.7500%" in page and "¥500,000.00" in page and "¥6,000.00" in page
    assert "3.00%" not in page.split('id="statement-lines"')[1].split("</table>")[0]
    text = pdf_text(client.get(f"/rebates/statements/{statement.id}.pdf").data)
    assert "1.7500%" in text and "¥5,000.00" in text and "¥10,000.00" in text and "¥6,000.00" in text
    assert "¥21,000.00" in text


def test_a_download_before_the_pdf_is_stored_says_being_prepared_and_writes_nothing(
        client, login_as, world, db, monkeypatch, queries_of):
    from portal.rebates import jobs

    top_up(world, 30_000_000)
    program = make_program(code="2031Q3")
    monkeypatch.setattr(jobs, "render_run_pdfs", lambda run_id: None)  # the worker has not run yet
    login_as(world.finance)
    issue(client, program)
    monkeypatch.undo()
    (statement,) = statements_of(db, program)
    storage = Path(current_app.config["STORAGE_DIR"])
    files_before = sorted(p for p in storage.rglob("*") if p.is_file()) if storage.exists() else []
    login_as(world.dealer_admin)
    response, statements = queries_of(lambda: client.get(f"/rebates/statements/{statement.id}.pdf"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "being prepared" in response.text and response.mimetype == "text/html"
    writes = [s for s in statements if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    files_after = sorted(p for p in storage.rglob("*") if p.is_file()) if storage.exists() else []
    assert files_after == files_before
    db.session.refresh(statement)
    assert statement.pdf_sha256 is None and statement.pdf_claim is None
    # Once the job has run, the download serves the stored file.
    from portal.rebates.jobs import render_pending

    assert render_pending(statement.run_id)["rendered"] == 1
    ok = client.get(f"/rebates/statements/{statement.id}.pdf")
    assert ok.status_code == 200 and ok.mimetype == "application/pdf"


def test_returns_are_bounded_scoped_notified_and_shown_net(client, login_as, world, db):
    cat = world.order_catalogue
    order = make_order(world, cat, status="confirmed", contract_no="HT-RT-PART",
                       lines=[(cat.server, 3, 1_000_000, "net"), (cat.storage, 1, 500_000, "net")])
    db.session.commit()  # refused requests roll back what they see
    url = f"/orders/{order.id}/returns/new"
    for user, code in ((world.dealer_admin, 403), (world.dealer_sales, 403),
                       (world.other_region_cm, 404), (world.sales_director, 403)):
        login_as(user)
        assert client.get(url).status_code == code, user.email
        assert client.post(url, data=return_form(order, [1])).status_code == code
    login_as(world.finance)

    def count():
        return db.session.scalar(select(func.count(OrderReturn.id)))

    for bad, message in (([4, 0], "At most 3 units"), (["1e309", 0], "whole number"),
                         (["²", 0], "whole number"), (["9" * 5000, 0], "whole number"),
                         ([-1, 0], "whole number"), ([0, 0], "at least one line")):
        response = client.post(url, data=return_form(order, bad))
        assert response.status_code == 422 and message in response.text, bad
    future = client.post(url, data=return_form(order, [1], day=clock.today().replace(year=2999)))
    assert future.status_code == 422 and "cannot be in the future" in future.text
    for day_text in ("2026-13-45", "<b>x</b>", "9" * 40, "2026-02-30"):
        bad_day = client.post(url, data={**return_form(order, [1]), "return_date": day_text})
        assert bad_day.status_code == 422 and "<b>x</b>" not in bad_day.text
        assert "Enter the return date as YYYY-MM-DD." in bad_day.text, day_text
    no_reason = client.post(url, data=return_form(order, [1], reason=" "))
    assert no_reason.status_code == 422
    assert count() == 0

    assert client.post(url, data=return_form(order, [2, 1])).status_code == 302
    db.session.expire_all()
    order = db.session.get(SalesOrder, order.id)
    assert [ln.returned_qty for ln in order.lines] == [2, 1]
    assert order.returned_fen == 2_500_000 and order.net_fen == 1_000_000
    over = client.post(url, data=return_form(order, [2, 0]))
    assert over.status_code == 422 and "At most 1 units" in over.text
    assert client.post(url, data=return_form(order, [1, 0])).status_code == 302
    # Nothing left to return: the form sends back to the order.
    assert client.get(url).status_code == 302
    db.session.expire_all()
    numbers = list(db.session.scalars(select(OrderReturn.number).where(OrderReturn.order_id == order.id)))
    assert len(numbers) == 2 and all(n.startswith("RT") for n in numbers)

    login_as(world.dealer_admin)
    page = client.get(f"/orders/{order.id}").text
    assert all(n in page for n in numbers) and "-¥0.00" not in page
    assert 'id="order-net"' in page and "¥0.00" in page.split('id="order-net"')[1][:40]
    assert 'id="record-return"' not in page
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == world.dealer_admin.id, Notification.kind == "order.returned")).all()
    assert len(notes) == 2
    listing = client.get("/orders/?q=HT-RT-PART").text
    assert "¥35,000.00 less ¥35,000.00 returned" in listing
    export = client.get("/orders/?format=csv&q=HT-RT-PART")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["Total (yuan)", "Returned (yuan)", "Net (yuan)"]
    assert rows[1][-3:] == ["35000.00", "35000.00", "0.00"]
    login_as(world.other_dealer)
    assert client.get(f"/orders/{order.id}").status_code == 404


def test_a_return_counts_in_its_own_dates_period_and_in_the_progress(client, login_as, world, db):
    from datetime import timedelta

    from portal.rebates import services

    cat = world.order_catalogue
    top_up(world, 45_000_000)
    _db.session.commit()
    login_as(world.dealer_admin)
    assert "¥450,000.00" in client.get("/").text
    order = make_order(world, cat, status="confirmed", contract_no="HT-RT-PROG",
                       lines=[(cat.storage, 1, 5_000_000, "net")],
                       order_date=clock.today() - timedelta(days=0))
    _db.session.commit()
    assert "¥500,000.00" in client.get("/").text
    login_as(world.channel_manager)
    assert client.post(f"/orders/{order.id}/returns/new",
                       data=return_form(order, [1])).status_code == 302
    login_as(world.dealer_admin)
    assert "¥450,000.00" in client.get("/").text  # the remembered progress follows the return
    # Dated in a later period, the return does not touch this one.
    program = make_program(code="2031Q4")
    later = make_program(code="2032Q1", start=program.period_end + timedelta(days=1),
                         end=program.period_end + timedelta(days=90))
    now = services.preview(program, [world.dealer_a.id]).results[0].entitlement.qualifying_sales_fen
    assert now == 45_000_000
    assert services.preview(later, [world.dealer_a.id]).results == []


def test_every_program_the_dealer_takes_part_in_shows_its_progress(client, login_as, world, db):
    cat = world.order_catalogue
    top_up(world, 45_000_000)
    make_program(code="2031Q1", program_code="STO-ONLY", name="存储专项返利",
                 eligible_line_ids=[cat.lines[1].id])
    make_program(code="2031Q1", program_code="GOLD-ONLY", name="金牌专项返利",
                 eligible_tiers=["gold"])
    _db.session.commit()
    login_as(world.dealer_admin)
    page = client.get("/").text
    assert page.count('class="widget rebate-progress"') == 2
    assert "存储专项返利" in page and "金牌专项返利" not in page
    storage_only = page.split('data-program="STO-ONLY"')[1].split("</section>")[0]
    storage_sales = _db.session.scalar(
        select(func.sum(OrderLine.amount_fen)).join(SalesOrder).where(
            SalesOrder.dealer_id == world.dealer_a.id, SalesOrder.status == "confirmed",
            OrderLine.line_id == cat.lines[1].id))
    from portal.core.money import format_money

    assert format_money(storage_sales) in storage_only
    assert "¥450,000.00" in page
    assert page.count('class="widget rebate-progress"') == client.get("/rebates/").text.count(
        'class="widget rebate-progress"')


def test_the_program_form_takes_a_code_and_refuses_a_taken_one(client, login_as, world, db):
    from tests.test_rebates_flow import band_form

    login_as(world.finance)
    rows = [("0", "500000", "1"), ("500000", "", "2")]
    assert client.post("/rebates/programs/new", data=band_form(rows, code="2032q1-sto")).status_code == 302
    assert client.post("/rebates/programs/new", data=band_form(rows)).status_code == 302  # 2032Q1
    taken = client.post("/rebates/programs/new", data=band_form(rows, code="2032Q1-STO"))
    assert taken.status_code == 422 and "already uses the code 2032Q1-STO" in taken.text
    bad = client.post("/rebates/programs/new", data=band_form(rows, code="<b>x</b>"))
    assert bad.status_code == 422 and "<b>x</b>" not in bad.text


def test_a_program_code_with_statements_cannot_change(client, login_as, world, db):
    from tests.test_rebates_flow import band_form

    program = world.rebate_program  # the matrix fixture issued a statement under it
    login_as(world.finance)
    data = band_form([("0", "500000", "1"), ("500000", "", "2")], code="RENAMED",
                     period_code=program.period_code)
    response = client.post(f"/rebates/programs/{program.id}", data=data)
    assert response.status_code == 422 and "can no longer change" in response.text
    db.session.refresh(program)
    assert program.code != "RENAMED"
