"""`/rebates/` — dealer progress and statements; finance's programs, runs and payments."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.catalog.models import ProductLine
from portal.core import audit
from portal.core.capabilities import requires
from portal.core.export import export_response, export_rows
from portal.core.htmx import render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.jobs import enqueue_after_commit
from portal.core.labels import status_label
from portal.core.money import fen_to_decimal
from portal.core.pagination import paginate, sort_clause
from portal.core.permissions import Role, is_dealer, roles_required
from portal.core.unit_of_work import back_to, on_invalid
from portal.db import contains
from portal.extensions import db
from portal.rebates import documents, forms, jobs, programs, services
from portal.rebates.models import (
    RebateAdjustment,
    RebateProgram,
    RebateRun,
    RebateStatement,
    RunStatus,
    StatementStatus,
)

bp = Blueprint("rebates", __name__, url_prefix="/rebates")

VIEWERS = (Role.DEALER_ADMIN, Role.DEALER_SALES, Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR,
           Role.FINANCE, Role.ADMIN)
BAND_ROWS = 6
#: Pages of the rebates listed on /admin/.
ADMIN_PAGES = [("rebates.programs_list", _l("Rebate programs"))]


def widget_figures(actor, _today):
    return services.progress_stamp(actor.dealer_id) if is_dealer(actor) else None


def widget_context(user, stamp):
    if user.dealer is None:
        return None
    progress = services.progress_for(user.dealer, stamp=stamp)
    return {"progress": progress} if progress else None


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    progress = services.progress_for(current_user.dealer) if current_user.is_dealer_user else None
    stmt = services.statements_query(current_user)
    args = request.args
    if args.get("status") in {s.value for s in StatementStatus}:
        stmt = stmt.where(RebateStatement.status == args["status"])
    if args.get("period"):
        period = args["period"].strip().upper()[:20]
        stmt = stmt.where(RebateStatement.program_id.in_(select(RebateProgram.id).where(
            (RebateProgram.period_code == period) | (RebateProgram.code == period))))
    if args.get("dealer") and not current_user.is_dealer_user:
        stmt = stmt.where(contains(RebateStatement.number, "-" + args["dealer"].strip()))
    stmt = stmt.order_by(*sort_clause({"issued": RebateStatement.issued_at,
                                       "number": RebateStatement.number,
                                       "amount": RebateStatement.net_payable_fen}, "-issued",
                                      RebateStatement.id))
    if args.get("format") in ("csv", "xlsx"):
        rows = export_rows(stmt.limit(50_000), lambda s: [
            s.number, s.dealer.code, s.dealer.name, s.program.code, s.program.period_code,
            fen_to_decimal(s.qualifying_sales_fen), fen_to_decimal(s.net_payable_fen),
            status_label(s.status), s.issued_at.date(), s.paid_on, s.payment_reference])
        return export_response(args["format"], "rebate-statements", [
            _("Statement"), _("Dealer code"), _("Dealer"), _("Program code"), _("Period"),
            _("Qualifying sales (yuan)"),
            _("Net payable (yuan)"), _("Status"), _("Issue date"), _("Paid on"),
            _("Payment reference")], rows)
    show_statements = services.sees_statements(current_user)
    page = paginate(db.session, stmt) if show_statements else None
    return render_page("rebates/index.html", block="results", progress=progress, page=page,
                       statuses=list(StatementStatus))


# --- programs ------------------------------------------------------------------------------------

@bp.route("/programs/")
@requires("program.review")
def programs_list():
    items = list(db.session.scalars(select(RebateProgram).order_by(RebateProgram.period_start.desc())))
    runs = {}
    for run in db.session.scalars(select(RebateRun).order_by(RebateRun.id)):
        runs.setdefault(run.program_id, []).append(run)
    return render_template("rebates/programs.html", programs=items, runs=runs)


def _lines():
    return list(db.session.scalars(select(ProductLine).order_by(ProductLine.sort, ProductLine.id)))


@bp.route("/programs/new", methods=["GET", "POST"])
@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@requires("program.edit")
def program(program_id: int | None = None):
    obj = db.get_or_404(RebateProgram, program_id) if program_id else None
    lines = _lines()

    def page(data, band_input, tiers, line_ids, errors=None):
        while len(band_input) < BAND_ROWS:
            band_input.append({"from": "", "to": "", "rate": ""})
        history = audit.history("rebate_program", obj.id) if obj else []
        return render_template("rebates/program.html", program=obj, data=data, errors=errors or {},
                               bands=band_input, lines=lines, tiers=programs.TIERS,
                               chosen_tiers=tiers, chosen_lines=[str(i) for i in line_ids],
                               history=history)

    if request.method == "POST":
        form = forms.ProgramForm()
        band_input = form.bands(BAND_ROWS)
        on_invalid(lambda exc: page(form.formdata, band_input, form.chosen("eligible_tiers"),
                                    form.chosen("eligible_line_ids"), exc.errors))
        data = form.program_values()  # parses every field; `messages()` then says which failed
        values = programs.clean_program(data, form.band_values(BAND_ROWS), unparsed=form.messages(),
                                        line_ids={ln.id for ln in lines}, program=obj)
        saved = programs.save_program(current_user, obj, values)
        flash(_("Rebate program %(name)s saved.", name=saved.name), "success")
        return redirect(url_for("rebates.program", program_id=saved.id))
    band_input = programs.band_rows(obj.bands) if obj else [
        {"from": "0", "to": "500000", "rate": "1"}, {"from": "500000", "to": "1000000", "rate": "2"},
        {"from": "1000000", "to": "", "rate": "3"}]
    return page(_program_form_data(obj), band_input, obj.eligible_tiers if obj else [],
                [str(i) for i in obj.eligible_line_ids] if obj else [])


def _program_form_data(obj) -> dict:
    if obj is None:
        return {"mode": "all_units", "exception_treatment": "include"}

    def pct(bp):
        return "" if bp is None else f"{bp / 100:g}"

    return {"name": obj.name, "code": obj.code, "period_code": obj.period_code,
            "period_start": obj.period_start.isoformat(), "period_end": obj.period_end.isoformat(),
            "mode": obj.mode, "exception_treatment": obj.exception_treatment,
            "exception_rate": pct(obj.exception_rate_bp), "growth_pct": pct(obj.growth_pct_bp),
            "growth_bonus": pct(obj.growth_bonus_bp),
            "cap": "" if obj.cap_fen is None else str(fen_to_decimal(obj.cap_fen))}


# --- runs ----------------------------------------------------------------------------------------

@bp.route("/programs/<int:program_id>/runs", methods=["POST"])
@requires("rebate.run")
def start_run(program_id: int):
    obj = db.get_or_404(RebateProgram, program_id)
    run = services.start_run(current_user, obj)
    return redirect(url_for("rebates.run", run_id=run.id))


def _run_or_404(run_id: int) -> RebateRun:
    return db.get_or_404(RebateRun, run_id)


def _pdf_progress(run: RebateRun) -> dict:
    total, done, failed = db.session.execute(select(
        func.count(), func.count(RebateStatement.pdf_sha256),
        func.count(RebateStatement.pdf_error)).where(RebateStatement.run_id == run.id)).one()
    return {"total": total, "done": done, "failed": failed,
            "pending": total - done}


@bp.route("/runs/<int:run_id>")
@requires("program.review")
def run(run_id: int):
    obj = _run_or_404(run_id)
    if obj.status == RunStatus.DRAFT:
        result = services.preview(obj.program)
        rows, totals = result.results, result.totals
        statements = []
    else:
        rows, totals = [], None
        statements = list(db.session.scalars(select(RebateStatement).where(
            RebateStatement.run_id == obj.id).order_by(RebateStatement.number)))
    progress = _pdf_progress(obj) if obj.status == RunStatus.ISSUED else None
    template = "rebates/run.html"
    if request.headers.get("HX-Request") == "true" and request.args.get("fragment") == "progress":
        return render_template("rebates/_pdf_progress.html", run=obj, progress=progress)
    return render_template(template, run=obj, rows=rows, totals=totals, statements=statements,
                           progress=progress, errors={},
                           history=audit.history("rebate_run", obj.id))


@bp.route("/runs/<int:run_id>/dealers/<int:dealer_id>")
@requires("program.review")
def run_dealer(run_id: int, dealer_id: int):
    obj = _run_or_404(run_id)
    result = services.preview(obj.program, [dealer_id])
    if not result.results:
        abort(404)
    row = result.results[0]
    lines = {ln.id: ln for ln in _lines()}

    adjustments = list(db.session.scalars(select(RebateAdjustment).where(
        RebateAdjustment.program_id == obj.program_id, RebateAdjustment.dealer_id == dealer_id)
        .order_by(RebateAdjustment.id)))
    earlier = list(db.session.scalars(select(RebateStatement).where(
        RebateStatement.program_id == obj.program_id, RebateStatement.dealer_id == dealer_id)
        .order_by(RebateStatement.sequence)))
    return render_template("rebates/run_dealer.html", run=obj, row=row, lines=lines,
                           adjustments=adjustments, earlier=earlier)


@bp.route("/runs/<int:run_id>/adjustments", methods=["POST"])
@requires("rebate.run")
def add_adjustment(run_id: int):
    obj = _run_or_404(run_id)
    form = forms.AdjustmentForm()
    on_invalid(back_to(url_for("rebates.run", run_id=obj.id), field_messages=True))
    services.add_adjustment(current_user, obj, form.dealer.data, form.amount.data or 0,
                            form.reason.data)
    flash(_("Adjustment added."), "success")
    return redirect(url_for("rebates.run", run_id=obj.id))


@bp.route("/runs/<int:run_id>/issue", methods=["POST"])
@requires("rebate.run")
def issue(run_id: int):
    obj = _run_or_404(run_id)
    statements = services.issue_run(current_user, obj)  # the PDF job is queued after the commit
    flash(_("%(n)d statement(s) issued.", n=len(statements)), "success")
    return redirect(url_for("rebates.run", run_id=obj.id))


@bp.route("/runs/<int:run_id>/retry", methods=["POST"])
@requires("rebate.run")
def retry_pdfs(run_id: int):
    obj = _run_or_404(run_id)
    if obj.status != RunStatus.ISSUED:
        flash(_("This run has not been issued yet."), "error")
        return redirect(url_for("rebates.run", run_id=obj.id))
    audit.record(current_user, "rebate_run.pdf_retry", obj)
    enqueue_after_commit(jobs.render_run_pdfs, obj.id)
    flash(_("Rendering of the missing PDFs was queued."), "success")
    return redirect(url_for("rebates.run", run_id=obj.id))


# --- statements ----------------------------------------------------------------------------------

@bp.route("/statements/<int:statement_id>")
@requires("statement.download")
def statement(statement_id: int):
    obj = services.get_statement_or_404(statement_id, current_user)
    return render_template("rebates/statement.html", statement=obj, c=obj.content,
                           history=audit.history("rebate_statement", obj.id))


@bp.route("/statements/<int:statement_id>.pdf")
@requires("statement.download")
def statement_pdf(statement_id: int):
    obj = services.get_statement_or_404(statement_id, current_user)
    # A GET never renders or writes: the PDF is rendered by the job queued at issue (or by
    # finance's "Render missing PDFs"); until it is stored the answer is "being prepared".
    data = documents.stored_pdf(obj) if obj.has_pdf else None
    if data is None:
        response = Response(render_template("rebates/pdf_pending.html", statement=obj), status=503)
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{obj.number}.pdf"',
        "Cache-Control": "private, no-store"})


@bp.route("/statements/<int:statement_id>/paid", methods=["POST"])
@requires("statement.pay")
def mark_paid(statement_id: int):
    obj = services.get_statement_or_404(statement_id, current_user)
    def invalid(exc):
        flash(" ".join(str(m) for m in exc.errors.values()) or str(exc.message), "error")
        return render_template("rebates/statement.html", statement=obj, c=obj.content,
                               history=audit.history("rebate_statement", obj.id))

    on_invalid(invalid)
    form = forms.PaymentForm()
    services.mark_paid(current_user, obj, form.paid_on.data, form.reference.data)
    if obj.net_payable_fen < 0:
        flash(_("Settlement of %(number)s recorded.", number=obj.number), "success")
    else:
        flash(_("Payment of %(number)s recorded.", number=obj.number), "success")
    return redirect(url_for("rebates.statement", statement_id=obj.id))
