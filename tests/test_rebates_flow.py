"""Rebates end to end: program form, SQL preview, issue, PDF, supplementary statements, payment."""
from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.core import clock
from portal.rebates.models import RebateProgram, RebateStatement
from tests.routes.orders import make_order
from tests.routes.rebates import make_program, quarter

CODE = "2031Q1"  # distinct from the matrix fixture's program of the current quarter


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def top_up(world, total_fen, *, confirmed=True, contract="HT-TOPUP", source="net"):
    """A confirmed storage order that brings dealer A's current-quarter sales to `total_fen`."""
    from portal.rebates import services

    program = make_program(code="2099Q1", name="probe")
    current = services.preview(program, [world.dealer_a.id]).results[0].entitlement.qualifying_sales_fen
    from portal.extensions import db

    db.session.delete(program)
    db.session.flush()
    cat = world.order_catalogue
    return make_order(world, cat, status="confirmed" if confirmed else "submitted",
                      contract_no=contract,
                      lines=[(cat.storage, 1, total_fen - current, source)])


@pytest.fixture
def program(db):
    return make_program(code=CODE, name="一季度返利计划")


def run_for(client, program):
    response = client.post(f"/rebates/programs/{program.id}/runs")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


#: When the sweep tests issue their run (the clock is frozen there).
ISSUED_AT = datetime(2031, 4, 3, 2, 0, tzinfo=UTC)


def issue_as_finance(client, login_as, world, program, when) -> int:
    """Finance starts a run of `program` and issues it at `when`; returns the run's id."""
    login_as(world.finance)
    run_id = run_for(client, program)
    with clock.frozen(when):
        assert client.post(f"/rebates/runs/{run_id}/issue").status_code == 302
    return run_id


def test_worked_example_issue_and_pdf(client, login_as, world, db, program):
    top_up(world, 120_000_000)  # ¥1,200,000 of qualifying sales
    login_as(world.finance)
    run_id = run_for(client, program)
    page = client.get(f"/rebates/runs/{run_id}")
    assert page.status_code == 200
    assert "DA001" in page.text and "¥36,000.00" in page.text
    drill = client.get(f"/rebates/runs/{run_id}/dealers/{world.dealer_a.id}")
    assert "¥1,200,000.00" in drill.text and "¥36,000.00" in drill.text
    assert client.post(f"/rebates/runs/{run_id}/issue").status_code == 302
    statement = db.session.scalar(select(RebateStatement).where(RebateStatement.program_id == program.id))
    assert statement.number == f"RB-{CODE}-DA001"
    assert statement.net_payable_fen == 3_600_000 and statement.status == "issued"
    assert statement.pdf_sha256 and statement.content["amount_words"] == "叁万陆仟元整"
    # The run page shows the batch's progress.
    assert "PDFs stored: 1 of 1" in client.get(f"/rebates/runs/{run_id}").text

    login_as(world.dealer_admin)
    first = client.get(f"/rebates/statements/{statement.id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    text = pdf_text(first.data)
    assert world.dealer_a.name in text and statement.number in text
    assert "¥1,200,000.00" in text and "¥36,000.00" in text and "叁万陆仟元整" in text
    second = client.get(f"/rebates/statements/{statement.id}.pdf")
    assert second.data == first.data
    assert hashlib.sha256(first.data).hexdigest() == statement.pdf_sha256
    listing = client.get("/rebates/").text
    assert statement.number in listing

    for user in (world.dealer_sales, world.other_dealer, world.other_region_cm):
        login_as(user)
        assert client.get(f"/rebates/statements/{statement.id}.pdf").status_code == 404
        assert client.get(f"/rebates/statements/{statement.id}").status_code == 404


def test_issuing_twice_changes_nothing(client, login_as, world, db, program):
    top_up(world, 60_000_000)
    login_as(world.finance)
    run_id = run_for(client, program)
    assert client.post(f"/rebates/runs/{run_id}/issue").status_code == 302
    again = client.post(f"/rebates/runs/{run_id}/issue")
    assert again.status_code == 409 and "already issued" in again.text
    assert db.session.scalar(select(func.count(RebateStatement.id)).where(
        RebateStatement.program_id == program.id)) == 1
    # A new run with nothing changed has nothing to issue.
    run2 = run_for(client, program)
    nothing = client.post(f"/rebates/runs/{run2}/issue")
    assert nothing.status_code == 409 and "Nothing to issue" in nothing.text


def test_late_order_gives_a_supplementary_statement(client, login_as, world, db, program):
    top_up(world, 40_000_000)  # ¥400,000 → band 1, 1% = ¥4,000
    login_as(world.finance)
    client.post(f"/rebates/runs/{run_for(client, program)}/issue")
    first = db.session.scalar(select(RebateStatement).where(RebateStatement.program_id == program.id))
    assert first.net_payable_fen == 400_000
    assert first.content["gap_to_next_fen"] == 10_000_000  # ¥100,000 to the 2% band
    # A late-confirmed order lifts the dealer to ¥600,000 → 2% on all = ¥12,000.
    cat = world.order_catalogue
    make_order(world, cat, status="confirmed", contract_no="HT-LATE",
               lines=[(cat.server, 1, 20_000_000, "net")])
    run2 = run_for(client, program)
    client.post(f"/rebates/runs/{run2}/adjustments",
                data={"dealer": "DA001", "amount": "-500", "reason": "退货扣减"})
    assert client.post(f"/rebates/runs/{run2}/issue").status_code == 302
    supplementary = db.session.scalar(select(RebateStatement).where(
        RebateStatement.program_id == program.id, RebateStatement.sequence == 1))
    assert supplementary.number == f"RB-{CODE}-DA001-S1"
    assert supplementary.net_payable_fen == 1_200_000 - 50_000 - 400_000
    assert supplementary.content["priors"][0]["number"] == first.number
    db.session.refresh(first)
    assert first.net_payable_fen == 400_000 and first.content["net_payable_fen"] == 400_000
    login_as(world.dealer_admin)
    text = pdf_text(client.get(f"/rebates/statements/{supplementary.id}.pdf").data)
    assert "¥7,500.00" in text and first.number in text and "退货扣减" in text and "柒仟伍佰元整" in text


def test_exception_sales_excluded_are_listed(client, login_as, world, db):
    program = make_program(code="2031Q2", exception_treatment="exclude")
    cat = world.order_catalogue
    top_up(world, 60_000_000)
    make_order(world, cat, status="confirmed", contract_no="HT-EXC",
               lines=[(cat.server, 1, 7_000_000, "exception")])
    login_as(world.finance)
    client.post(f"/rebates/runs/{run_for(client, program)}/issue")
    st = db.session.scalar(select(RebateStatement).where(RebateStatement.program_id == program.id))
    assert st.qualifying_sales_fen == 60_000_000 and st.net_payable_fen == 1_200_000
    assert st.content["exclusions"][0]["sales_fen"] == 7_000_000


def test_mark_paid(client, login_as, world, db):
    login_as(world.finance)
    bad = client.post(f"/rebates/statements/{world.statement.id}/paid", data={"paid_on": "", "reference": ""})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(RebateStatement, world.statement.id).status == "issued"
    ok = client.post(f"/rebates/statements/{world.statement.id}/paid",
                     data={"paid_on": clock.today().isoformat(), "reference": "BANK-2026-77"})
    assert ok.status_code == 302
    page = client.get(f"/rebates/statements/{world.statement.id}").text
    assert "BANK-2026-77" in page and "Payment recorded" in page
    again = client.post(f"/rebates/statements/{world.statement.id}/paid",
                        data={"paid_on": clock.today().isoformat(), "reference": "X"})
    assert again.status_code == 409


def band_form(rows, **extra):
    code, start, end = quarter(clock.today())
    data = {"name": "新计划", "period_code": "2032Q1", "period_start": start.isoformat(),
            "period_end": end.isoformat(), "mode": "incremental", "exception_treatment": "include",
            **extra}
    for i, (a, b, r) in enumerate(rows):
        data[f"band-{i}-from"], data[f"band-{i}-to"], data[f"band-{i}-rate"] = a, b, r
    return data


@pytest.mark.parametrize("rows, message", [
    ([("0", "500000", "1"), ("600000", "", "2")], "gap or overlap"),
    ([("100", "500000", "1"), ("500000", "", "2")], "must start at"),
    ([("0", "500000", "1"), ("500000", "", "120")], "Rates run from 0% to 100%"),
    ([("0", "", "1"), ("500000", "", "2")], "Only the last band may be open-ended"),
])
def test_bad_band_tables_are_refused(client, login_as, world, db, rows, message):
    login_as(world.finance)
    before = db.session.scalar(select(func.count(RebateProgram.id)))
    response = client.post("/rebates/programs/new", data=band_form(rows))
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count(RebateProgram.id))) == before


GOOD_BANDS = [("0", "500000", "1"), ("500000", "", "2")]


@pytest.mark.parametrize("extra, rows, message", [
    ({"cap": "-5"}, GOOD_BANDS, "Enter the cap in yuan, or leave it empty."),
    ({"cap": "<b>lots</b>"}, GOOD_BANDS, "Enter the cap in yuan, or leave it empty."),
    ({"growth_pct": "abc", "growth_bonus": "1"}, GOOD_BANDS, "Enter a percentage, e.g. 2.5."),
    ({"growth_pct": "10", "growth_bonus": "150"}, GOOD_BANDS,
     "Enter a percentage between 0 and 100."),
    ({"exception_treatment": "rate_bp", "exception_rate": "9" * 40}, GOOD_BANDS,
     "Enter a percentage, e.g. 2.5."),
    ({"period_start": "2032-13-01"}, GOOD_BANDS, "Enter a date as YYYY-MM-DD."),
    ({"period_end": ""}, GOOD_BANDS, "Enter a date as YYYY-MM-DD."),
    ({"eligible_line_ids": ["1", "x"]}, GOOD_BANDS, "Unknown product line."),
    ({"eligible_line_ids": ["99999999"]}, GOOD_BANDS, "Unknown product line."),
    ({}, [("0", "five", "1"), ("500000", "", "2")], "Band 1: enter amounts in yuan"),
    ({}, [("0", "500000", "1"), ("", "", "2")], "Band 2: enter amounts in yuan"),
    ({}, [("", "", ""), ("", "", "")], "A rebate program needs at least one band."),
])
def test_what_does_not_parse_is_refused_in_the_programs_words(client, login_as, world, db, extra,
                                                              rows, message):
    login_as(world.finance)
    before = db.session.scalar(select(func.count(RebateProgram.id)))
    response = client.post("/rebates/programs/new", data=band_form(rows, **extra))
    assert response.status_code == 422
    assert escape(message) in response.text
    assert "<b>lots" not in response.text
    assert db.session.scalar(select(func.count(RebateProgram.id))) == before


def test_program_is_saved_with_its_bands(client, login_as, world, db):
    login_as(world.finance)
    line = world.order_catalogue.lines[0]
    response = client.post("/rebates/programs/new", data={
        **band_form([("0", "500,000", "1"), ("500000", "1000000", "2.5"), ("1000000", "", "3")],
                    growth_pct="10", growth_bonus="0.5", cap="50000", exception_treatment="rate_bp",
                    exception_rate="0.5"),
        "eligible_tiers": ["platinum", "gold"], "eligible_line_ids": [str(line.id)]})
    assert response.status_code == 302
    program = db.session.scalar(select(RebateProgram).where(RebateProgram.period_code == "2032Q1"))
    assert program.bands == [[0, 100], [50_000_000, 250], [100_000_000, 300]]
    assert program.cap_fen == 5_000_000 and program.growth_bonus_bp == 50
    assert program.exception_rate_bp == 50 and program.eligible_line_ids == [line.id]
    assert program.eligible_tiers == ["gold", "platinum"]


def test_dashboard_widget_shows_progress_in_few_queries(client, login_as, world, db, queries_of):
    from portal.rebates.services import progress_for

    top_up(world, 45_000_000)
    user = world.dealer_admin
    assert user.dealer is not None  # loaded with the user, as the login loader does
    # What it is computed from, the current program, its sales (the program has no growth bonus).
    progress, statements = queries_of(lambda: progress_for(user.dealer))
    assert len(statements) <= 3, statements
    (progress,) = progress
    assert progress["sales_fen"] == 45_000_000
    assert progress["gap_fen"] == 5_000_000
    login_as(world.dealer_sales)
    page = client.get("/").text
    assert "Rebate progress" in page and "¥450,000.00" in page and "¥50,000.00" in page
    login_as(world.finance)
    assert "Rebate progress" not in client.get("/").text


def test_a_failed_pdf_does_not_lose_the_others_and_can_be_retried(client, login_as, world, db, program, monkeypatch):
    from portal.rebates import documents
    from portal.rebates.jobs import render_pending

    cat = world.order_catalogue
    top_up(world, 30_000_000)
    make_order(world, cat, status="confirmed", dealer=world.dealer_b, user=world.other_dealer,
               contract_no="HT-B-REB", lines=[(cat.storage, 2, 10_000_000, "net")])
    real = documents.render_bytes
    calls = []

    def flaky(content):
        calls.append(content["number"])
        if content["dealer"]["code"] == "DA001":
            raise RuntimeError("font exploded")
        return real(content)

    monkeypatch.setattr(documents, "render_bytes", flaky)
    login_as(world.finance)
    run_id = run_for(client, program)
    assert client.post(f"/rebates/runs/{run_id}/issue").status_code == 302
    rows = {s.dealer_id: s for s in db.session.scalars(select(RebateStatement).where(
        RebateStatement.run_id == run_id))}
    for s in rows.values():
        db.session.refresh(s)
    assert rows[world.dealer_b.id].pdf_sha256 and rows[world.dealer_a.id].pdf_sha256 is None
    assert "font exploded" in rows[world.dealer_a.id].pdf_error
    assert "1 failed" in client.get(f"/rebates/runs/{run_id}").text
    monkeypatch.setattr(documents, "render_bytes", real)
    assert client.post(f"/rebates/runs/{run_id}/retry").status_code == 302
    for s in rows.values():
        db.session.refresh(s)
    assert rows[world.dealer_a.id].pdf_sha256 and rows[world.dealer_a.id].pdf_error is None
    # Nothing is rendered twice: B's PDF was not touched by the retry, and a claimed statement
    # cannot be claimed again.
    assert calls.count(rows[world.dealer_b.id].number) == 1
    assert render_pending(run_id) == {"rendered": 0, "skipped": 0, "failed": 0}
    assert documents.claim(rows[world.dealer_a.id].id) is None


def test_only_eligible_tiers_and_lines_count(world, db):
    from portal.rebates import services

    cat = world.order_catalogue
    make_order(world, cat, status="confirmed", dealer=world.dealer_b, user=world.other_dealer,
               contract_no="HT-B-1", lines=[(cat.server, 1, 1_000_000, "net"),
                                           (cat.storage, 1, 300_000, "net")])
    gold_servers = make_program(code="2031Q3", eligible_tiers=["gold"],
                                eligible_line_ids=[cat.lines[0].id])
    results = {r.dealer.code: r for r in services.preview(gold_servers).results}
    assert set(results) == {"DB002"}  # dealer A is platinum
    assert results["DB002"].entitlement.qualifying_sales_fen == 1_000_000  # servers only
    everyone = make_program(code="2031Q4")
    codes = {r.dealer.code for r in services.preview(everyone).results}
    assert {"DA001", "DB002"} <= codes


@pytest.mark.parametrize("mode, treatment, rate", [
    ("all_units", "include", None), ("incremental", "exclude", None),
    ("all_units", "rate_bp", 50), ("incremental", "rate_bp", 0),
])
def test_preview_equals_the_reference_arithmetic_on_every_dealer(world, db, mode, treatment, rate):
    """The preview's SQL aggregates and batch arithmetic give, dealer by dealer, what the
    reference `compute_entitlement` gives on order lines summed one by one."""
    from portal.orders.models import OrderLine, OrderReturn, OrderReturnLine, SalesOrder
    from portal.rebates import calc, services

    cat = world.order_catalogue
    year_ago = services._year_earlier(clock.today())
    make_order(world, cat, status="confirmed", contract_no="HT-REF-A1",
               lines=[(cat.server, 3, 23_456_789, "net"), (cat.storage, 2, 12_345_679, "exception")])
    make_order(world, cat, status="confirmed", contract_no="HT-REF-A2",  # a return
               lines=[(cat.server, -1, 23_456_789, "net"), (cat.storage, 1, 777, "exception")])
    make_order(world, cat, status="submitted", contract_no="HT-REF-A3",  # not confirmed: not counted
               lines=[(cat.server, 9, 50_000_000, "net")])
    make_order(world, cat, status="confirmed", contract_no="HT-REF-A0", order_date=year_ago,
               lines=[(cat.server, 1, 40_000_000, "net")])
    # Returns: one dated a year ago (last year's figure), one of exception-price units now.
    from portal.orders.forms import return_input
    from portal.orders.services import record_return

    returned = make_order(world, cat, status="confirmed", contract_no="HT-REF-A4",
                          lines=[(cat.server, 2, 5_000_001, "net"), (cat.storage, 3, 2_000_003, "exception")],
                          order_date=year_ago)
    returns = [(returned, year_ago, {returned.lines[0].id: "1"})]
    recent = make_order(world, cat, status="confirmed", contract_no="HT-REF-A5",
                        lines=[(cat.server, 2, 5_000_001, "net"), (cat.storage, 3, 2_000_003, "exception")])
    returns.append((recent, clock.today(), {recent.lines[1].id: "2"}))
    for order, day, quantities in returns:
        record_return(world.finance, order,
                      return_input({"return_date": day.isoformat(), "reason": "退货"}, quantities))
    make_order(world, cat, status="confirmed", dealer=world.dealer_b, user=world.other_dealer,
               contract_no="HT-REF-B1", lines=[(cat.storage, 7, 15_000_001, "exception"),
                                               (cat.server, 1, 3, "net")])
    program = make_program(code="2031Q2", mode=mode, exception_treatment=treatment,
                           exception_rate_bp=rate, growth_pct_bp=1000, growth_bonus_bp=75,
                           cap_fen=1_500_000)

    def summed(start, end):
        """Order lines one by one, less return lines one by one (each in its own date's period)."""
        by_dealer: dict[int, dict[str, list[int]]] = {}
        for line, order in db.session.execute(select(OrderLine, SalesOrder).join(SalesOrder).where(
                SalesOrder.status == "confirmed", SalesOrder.order_date >= start,
                SalesOrder.order_date <= end)):
            sums = by_dealer.setdefault(order.dealer_id, {}).setdefault(str(line.line_id), [0, 0])
            sums[0] += line.amount_fen
            sums[1] += line.amount_fen if line.price_source == "exception" else 0
        for line, record in db.session.execute(select(OrderReturnLine, OrderReturn).join(
                OrderReturn).where(OrderReturn.return_date >= start, OrderReturn.return_date <= end)):
            sums = by_dealer.setdefault(record.dealer_id, {}).setdefault(str(line.line_id), [0, 0])
            sums[0] -= line.amount_fen
            sums[1] -= line.amount_fen if line.price_source == "exception" else 0
        return by_dealer

    now = summed(program.period_start, program.period_end)
    before = summed(services._year_earlier(program.period_start),
                    services._year_earlier(program.period_end))
    results = services.preview(program).results
    assert {r.dealer.id for r in results} == set(now) and len(results) >= 2
    for r in results:
        lines = dict(sorted(now[r.dealer.id].items(), key=lambda item: int(item[0])))
        last_year = None
        if r.dealer.id in before:
            last_year = sum(s - (e if treatment == "exclude" else 0)
                            for s, e in before[r.dealer.id].values())
        expected = calc.compute_entitlement(
            {k: s for k, (s, _e) in lines.items()}, {k: e for k, (_s, e) in lines.items() if e},
            bands=[calc.Band(*b) for b in program.bands], mode=mode,
            exception_treatment=("rate_bp", rate) if treatment == "rate_bp" else treatment,
            growth_bonus_bp=75, growth_pct_bp=1000, last_year_sales_fen=last_year, cap_fen=1_500_000)
        assert r.entitlement == expected, r.dealer.code
    dealer_a = next(r for r in results if r.dealer.id == world.dealer_a.id)
    assert dealer_a.last_year_fen is not None


def _pdf_state(db, run_id):
    rows = list(db.session.scalars(select(RebateStatement).where(RebateStatement.run_id == run_id)
                                   .order_by(RebateStatement.id)))
    for s in rows:
        db.session.refresh(s)
    return rows


def test_a_batch_cut_short_by_a_dead_worker_is_queued_again_by_the_sweep(
        client, login_as, world, db, program, monkeypatch):
    """The worker dies while rendering the second statement: its claim stays, nothing queues the
    rest. The minute sweep leaves the run alone while the claim may still be alive, then queues
    it again; each statement ends with exactly one PDF, the first one untouched."""
    from datetime import timedelta

    from portal.core.audit import AuditEntry
    from portal.rebates import documents, jobs

    cat = world.order_catalogue
    top_up(world, 30_000_000)
    make_order(world, cat, status="confirmed", dealer=world.dealer_b, user=world.other_dealer,
               contract_no="HT-B-SWEEP", lines=[(cat.storage, 2, 10_000_000, "net")])

    def dies_on_the_second(statement_ids):  # the chunk as far as the killed worker got
        first, second = statement_ids
        documents.render_statement(first)
        assert documents.claim(second) is not None

    monkeypatch.setattr(jobs, "render_statements", dies_on_the_second)
    run_id = issue_as_finance(client, login_as, world, program, ISSUED_AT)
    monkeypatch.undo()
    issued_at = ISSUED_AT
    first, second = _pdf_state(db, run_id)
    assert first.pdf_sha256 and second.pdf_sha256 is None and second.pdf_claim
    assert "PDFs stored: 1 of 2" in client.get(f"/rebates/runs/{run_id}").text
    kept = first.pdf_sha256

    # A minute later the claim may belong to a worker still rendering: the sweep waits.
    with clock.frozen(issued_at + timedelta(minutes=1)):
        jobs.requeue_stalled_runs()
    assert _pdf_state(db, run_id)[1].pdf_sha256 is None

    # Past the claim timeout the run is queued again and the rest is rendered.
    with clock.frozen(issued_at + documents.CLAIM_TIMEOUT + timedelta(minutes=1)):
        jobs.requeue_stalled_runs()
    first, second = _pdf_state(db, run_id)
    assert second.pdf_sha256 and second.pdf_claim is None and second.pdf_error is None
    assert first.pdf_sha256 == kept
    assert "PDFs stored: 2 of 2" in client.get(f"/rebates/runs/{run_id}").text
    renders = db.session.execute(select(AuditEntry.object_id, func.count()).where(
        AuditEntry.action == "rebate_statement.pdf_rendered",
        AuditEntry.object_id.in_([first.id, second.id])).group_by(AuditEntry.object_id)).all()
    assert dict(renders) == {first.id: 1, second.id: 1}
    # Nothing left to pick up: later sweeps queue nothing.
    with clock.frozen(issued_at + timedelta(hours=1)):
        assert jobs.requeue_stalled() == []
    for s in (first, second):
        assert s.number in pdf_text(documents.stored_pdf(s))


def test_the_sweep_queues_a_batch_that_never_started_but_not_a_failed_statement(
        client, login_as, world, db, program, monkeypatch):
    from datetime import timedelta

    from portal.rebates import documents, jobs

    top_up(world, 30_000_000)
    monkeypatch.setattr(jobs, "render_run_pdfs", lambda run_id: None)  # the queued task was lost
    run_id = issue_as_finance(client, login_as, world, program, ISSUED_AT)
    monkeypatch.undo()
    issued_at = ISSUED_AT
    assert "PDFs stored: 0 of 1" in client.get(f"/rebates/runs/{run_id}").text

    # It fails when the sweep picks it up; the failure is shown and left to finance.
    monkeypatch.setattr(documents, "render_bytes", lambda content: 1 / 0)
    later = issued_at + documents.CLAIM_TIMEOUT + timedelta(minutes=1)
    with clock.frozen(later):
        assert jobs.requeue_stalled() == [run_id]
        db.session.commit()
    (statement,) = _pdf_state(db, run_id)
    assert statement.pdf_sha256 is None and "ZeroDivisionError" in statement.pdf_error
    assert "1 failed" in client.get(f"/rebates/runs/{run_id}").text
    with clock.frozen(later + timedelta(hours=1)):
        assert jobs.requeue_stalled() == []
