"""Statement PDFs: rendered once from the statement's frozen snapshot, stored, never re-rendered.

`render_statement(statement_id)` claims the statement with a guarded UPDATE (only a statement
without a PDF and without a live claim can be claimed), so two workers — or a worker and a
download — never render the same statement. The file is written aside and renamed, and its
SHA-256 is stored with its path; every download serves that file. A claim older than
`CLAIM_TIMEOUT` is taken to be a dead worker's; `jobs.requeue_stalled_runs` releases such claims
and queues the rest of the run again.
"""
from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update

from portal.core import audit, clock
from portal.core.money import format_bp, format_money
from portal.extensions import db
from portal.rebates.models import RebateStatement

log = logging.getLogger("portal.rebates")

#: A claim older than this is taken to belong to a worker that died. Rendering one statement
#: takes well under a second (fonts are loaded before the claim, see `jobs.render_chunk`), so
#: two minutes leave a wide margin for a long statement on a busy host; `jobs.requeue_stalled_runs`
#: picks such a batch up within a minute after that.
CLAIM_TIMEOUT = timedelta(minutes=2)
TEMPLATE = "pdf/statement.html"
PDF_LOCALE = "zh_CN"


def pdf_context(content: dict) -> dict:
    """The print template's context: plain strings and numbers made from the snapshot."""
    m = format_money
    lines = [{"name": f"{ln['name_zh']}", "sales": m(ln["sales_fen"]), "rate": format_bp(ln["rate_bp"]),
              "amount": m(ln["amount_fen"]),
              "override": (f"{m(ln['override_sales_fen'])} @ {format_bp(ln['override_rate_bp'])}"
                           if ln.get("override_rate_bp") is not None and ln["override_sales_fen"]
                           else ""),
              "effective_rate": ln.get("effective_rate") or ""}
             for ln in content["lines"]]
    schedule = [{"band": p["band"], "range": f"{m(p['from_fen'])} – "
                 + (m(p["to_fen"]) if p["to_fen"] is not None else "∞"),
                 "sales": m(p["sales_fen"]), "rate": format_bp(p["rate_bp"]),
                 "amount": m(p["amount_fen"])} for p in content.get("schedule", [])]
    program = content["program"]
    growth, cap = content["growth"], content["cap"]
    return {
        "vendor_name": content["vendor_name"], "number": content["number"],
        "dealer_name": content["dealer"]["name"], "dealer_code": content["dealer"]["code"],
        "program": program["name"], "period": f"{program['start']} – {program['end']}",
        "period_code": program["period_code"], "mode": program["mode"],
        "treatment": program["treatment"],
        "exception_rate": format_bp(program.get("exception_rate_bp")),
        "issued_on": content["issued_on"],
        "qualifying_sales": m(content["qualifying_sales_fen"]),
        "band_number": content["band_index"] + 1, "rate": format_bp(content["rate_bp"]),
        "lines": lines, "lines_total": m(content["lines_total_fen"]),
        "incremental": program["mode"] == "incremental", "schedule": schedule,
        "schedule_total": m(content["schedule_total_fen"]) if "schedule_total_fen" in content else "",
        "to_offset": content["net_payable_fen"] < 0,
        "exclusions": [{"name": ex["name_zh"], "sales": m(ex["sales_fen"]), "reason": ex["reason"]}
                       for ex in content["exclusions"]],
        "growth_bonus": m(growth["bonus_fen"]) if growth["met"] else "",
        "growth_target": m(growth["target_fen"]) if growth.get("target_fen") else "",
        "cap_reduction": m(cap["reduction_fen"]) if cap["applied"] else "",
        "cap": m(cap["cap_fen"]) if cap.get("cap_fen") is not None else "",
        "entitlement": m(content["entitlement_fen"]),
        "adjustments": [{"amount": m(a["amount_fen"]), "reason": a["reason"], "date": a["date"]}
                        for a in content["adjustments"]],
        "adjustments_total": m(content["adjustments_fen"]),
        "priors": [{"number": p["number"], "amount": m(p["amount_fen"]), "issued_on": p["issued_on"]}
                   for p in content["priors"]],
        "prior_total": m(content["prior_fen"]),
        "net_payable": m(content["net_payable_fen"]), "amount_words": content["amount_words"],
        "gap_to_next": m(content["gap_to_next_fen"]) if content["gap_to_next_fen"] else "",
        "next_rate": format_bp(content["next_rate_bp"]) if content.get("next_rate_bp") is not None else "",
    }


def render_bytes(content: dict) -> bytes:
    """The statement PDF for a snapshot (no storage). Chinese: the statement is the legal copy."""
    from portal.core.pdf import render_pdf

    with force_locale(PDF_LOCALE):
        return render_pdf(TEMPLATE, pdf_context(content))


def storage_root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def claimable(now):
    """SQL: the statement has no PDF and no live claim (none, or one older than `CLAIM_TIMEOUT`)."""
    return and_(RebateStatement.pdf_sha256.is_(None),
                or_(RebateStatement.pdf_claim.is_(None),
                    RebateStatement.pdf_claimed_at < now - CLAIM_TIMEOUT))


def claim(statement_id: int) -> str | None:
    """Take the right to render `statement_id`; None if it has a PDF or a live claim."""
    token = uuid.uuid4().hex
    now = clock.now()
    result = db.session.execute(
        update(RebateStatement)
        .where(RebateStatement.id == statement_id, claimable(now))
        .values(pdf_claim=token, pdf_claimed_at=now)
        .execution_options(synchronize_session=False))
    return token if result.rowcount == 1 else None


def render_statement(statement_id: int) -> str:
    """Render and store one statement's PDF if nobody has; commits. Returns `rendered`, `skipped`
    (it has a PDF, or another worker holds the claim) or `failed`.

    On failure the claim is released and the error kept on the row, so a retry picks it up.
    """
    token = claim(statement_id)
    db.session.commit()
    if token is None:
        return "skipped"
    content, dealer_id = db.session.execute(select(RebateStatement.content, RebateStatement.dealer_id)
                                            .where(RebateStatement.id == statement_id)).one()
    # No transaction stays open while rendering: on SQLite it would hold the write lock that the
    # other workers' claims wait for.
    db.session.commit()
    try:
        relative, data = write_pdf(content, token)
    except Exception as exc:  # any failure: keep the error, free the claim, let others go on
        log.exception("statement %s PDF failed", statement_id)
        db.session.rollback()
        db.session.execute(update(RebateStatement).where(
            RebateStatement.id == statement_id, RebateStatement.pdf_claim == token)
            .values(pdf_claim=None, pdf_claimed_at=None, pdf_error=f"{type(exc).__name__}: {exc}"[:500])
            .execution_options(synchronize_session=False))
        db.session.commit()
        return "failed"
    result = db.session.execute(update(RebateStatement).where(
        RebateStatement.id == statement_id, RebateStatement.pdf_claim == token,
        RebateStatement.pdf_sha256.is_(None))
        .values(pdf_path=str(relative), pdf_sha256=hashlib.sha256(data).hexdigest(),
                pdf_error=None, pdf_claim=None)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        audit.record(None, "rebate_statement.pdf_rendered", object_type="rebate_statement",
                     object_id=statement_id, dealer_id=dealer_id,
                     after={"sha256": hashlib.sha256(data).hexdigest()})
    db.session.commit()
    return "rendered" if result.rowcount == 1 else "skipped"


def write_pdf(content: dict, token: str = "seed") -> tuple[Path, bytes]:
    """Render a statement snapshot and write the file (aside, then renamed); no DB change."""
    data = render_bytes(content)
    relative = Path("statements") / content["program"]["period_code"] / f"{content['number']}.pdf"
    target = storage_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{token}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return relative, data


def store_now(statement: RebateStatement) -> None:
    """Render and record the PDF of a statement this transaction just issued (demo seed, bench);
    nobody else can see the row yet, so no claim is needed. Does not commit."""
    relative, data = write_pdf(statement.content)
    statement.pdf_path = str(relative)
    statement.pdf_sha256 = hashlib.sha256(data).hexdigest()
    db.session.flush()


def stored_pdf(statement: RebateStatement) -> bytes | None:
    """The stored file, checked against its recorded SHA-256 (None if missing or altered)."""
    if not statement.pdf_path:
        return None
    path = (storage_root() / statement.pdf_path).resolve()
    if not path.is_relative_to(storage_root().resolve()) or not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != statement.pdf_sha256:
        log.error("statement %s PDF does not match its SHA-256", statement.id)
        return None
    return data
