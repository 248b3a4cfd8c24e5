"""Matrix entries of rebates, and the rebate fixtures the rebate tests share.

`build(world)` adds a program for the current quarter with a draft run, and an issued run with a
statement for dealer A whose PDF is stored (a stand-in file: the matrix is about access).
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from flask import current_app

from portal.core import clock
from portal.extensions import db
from tests.routes import CHANGED, Route, expect

VIEWERS = {"dealer_admin", "dealer_sales", "other_dealer", "channel_manager", "other_region_cm",
           "sales_director", "finance", "admin"}
BACK_OFFICE = {"finance", "sales_director", "admin"}
STATEMENT = {"dealer_admin", "channel_manager", "sales_director", "finance", "admin"}
BANDS = [[0, 100], [50_000_000, 200], [100_000_000, 300]]  # ¥0 1%, ¥500k 2%, ¥1M 3%


def quarter(day: date) -> tuple[str, date, date]:
    q = (day.month - 1) // 3
    start = date(day.year, 3 * q + 1, 1)
    end = date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
    from datetime import timedelta

    return f"{day.year}Q{q + 1}", start, end - timedelta(days=1)


def make_program(code=None, start=None, end=None, **kw):
    from portal.rebates.models import RebateProgram

    c, s, e = quarter(clock.today())
    program = RebateProgram(name=kw.pop("name", f"{code or c} 季度返利"),
                            code=kw.pop("program_code", code or c),
                            period_code=kw.pop("period_code", code or c),
                            period_start=start or s, period_end=end or e,
                            mode=kw.pop("mode", "all_units"), bands=kw.pop("bands", BANDS),
                            exception_treatment=kw.pop("exception_treatment", "include"),
                            eligible_tiers=kw.pop("eligible_tiers", []),
                            eligible_line_ids=kw.pop("eligible_line_ids", []), **kw)
    db.session.add(program)
    db.session.flush()
    return program


def issued_statement(world, program):
    """Issue dealer A's statement directly (no job), with a stand-in PDF stored."""
    from portal.rebates import services
    from portal.rebates.models import RebateRun, RebateStatement

    run = RebateRun(program_id=program.id, status="issued", issued_at=clock.now(),
                    created_by_id=world.finance.id, statement_count=1)
    db.session.add(run)
    db.session.flush()
    result = services.preview(program, [world.dealer_a.id]).results[0]
    number = services.statement_number(program, world.dealer_a, 0)
    content = services.snapshot(program, result, {}, {}, "测试厂商", number, clock.now())
    data = b"%PDF-1.4 stand-in for " + number.encode()
    relative = Path("statements") / "matrix" / f"{number}-{run.id}.pdf"
    target = Path(current_app.config["STORAGE_DIR"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    statement = RebateStatement(
        number=number, program_id=program.id, run_id=run.id, dealer_id=world.dealer_a.id,
        region_id=world.dealer_a.region_id, sequence=0, qualifying_sales_fen=result.entitlement.qualifying_sales_fen,
        entitlement_fen=result.entitlement.total_fen, adjustments_fen=0, prior_fen=0,
        net_payable_fen=result.net_fen, content=content, issued_by_id=world.finance.id,
        pdf_path=str(relative), pdf_sha256=hashlib.sha256(data).hexdigest())
    db.session.add(statement)
    db.session.flush()
    return run, statement


def build(world) -> None:
    from portal.rebates.models import RebateRun

    if not hasattr(world, "order_confirmed"):
        from tests.routes import orders

        orders.build(world)
    program = make_program()
    world.rebate_program = program
    world.rebate_run_issued, world.statement = issued_statement(world, program)
    world.rebate_run = RebateRun(program_id=program.id, created_by_id=world.finance.id)
    db.session.add(world.rebate_run)
    db.session.flush()


ROUTES = [
    Route("rebates.index", "/rebates/", expect(VIEWERS)),
    Route("rebates.index", "/rebates/?format=xlsx", expect(VIEWERS)),
    Route("rebates.programs_list", "/rebates/programs/", expect(BACK_OFFICE)),
    Route("rebates.program", "/rebates/programs/new", expect({"finance"})),
    Route("rebates.program", lambda w: f"/rebates/programs/{w.rebate_program.id}",
          expect({"finance"})),
    Route("rebates.program", lambda w: f"/rebates/programs/{w.rebate_program.id}",
          expect({"finance"}, ok=CHANGED), method="POST", data={"name": ""}),
    Route("rebates.start_run", lambda w: f"/rebates/programs/{w.rebate_program.id}/runs",
          expect({"finance"}, ok=CHANGED), method="POST", data={}),
    Route("rebates.run", lambda w: f"/rebates/runs/{w.rebate_run.id}", expect(BACK_OFFICE)),
    Route("rebates.run", lambda w: f"/rebates/runs/{w.rebate_run_issued.id}", expect(BACK_OFFICE)),
    Route("rebates.run_dealer", lambda w: f"/rebates/runs/{w.rebate_run.id}/dealers/{w.dealer_a.id}",
          expect(BACK_OFFICE)),
    Route("rebates.add_adjustment", lambda w: f"/rebates/runs/{w.rebate_run.id}/adjustments",
          expect({"finance"}, ok=CHANGED), method="POST",
          data=lambda w: {"dealer": w.dealer_a.code, "amount": "100", "reason": "补录"}),
    Route("rebates.issue", lambda w: f"/rebates/runs/{w.rebate_run_issued.id}/issue",
          expect({"finance"}, ok=CHANGED), method="POST", data={}),
    Route("rebates.retry_pdfs", lambda w: f"/rebates/runs/{w.rebate_run_issued.id}/retry",
          expect({"finance"}, ok=CHANGED), method="POST", data={}),
    Route("rebates.statement", lambda w: f"/rebates/statements/{w.statement.id}",
          expect(STATEMENT | {"dealer_sales", "other_dealer", "other_region_cm"},
                 dealer_sales=404, other_dealer=404, other_region_cm=404)),
    Route("rebates.statement_pdf", lambda w: f"/rebates/statements/{w.statement.id}.pdf",
          expect(STATEMENT | {"dealer_sales", "other_dealer", "other_region_cm"},
                 dealer_sales=404, other_dealer=404, other_region_cm=404)),
    Route("rebates.mark_paid", lambda w: f"/rebates/statements/{w.statement.id}/paid",
          expect({"finance"}, ok=CHANGED), method="POST",
          data={"paid_on": "2020-01-01", "reference": "BANK-001"}),
]
