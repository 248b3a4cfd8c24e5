"""`/conflicts/` — the conflict desk of channel managers (their regions) and the director (all)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal.conflicts import forms, services
from portal.conflicts.evidence import sentences
from portal.conflicts.models import CaseStatus, ConflictCase, OverlapStatus, PossibleOverlap
from portal.core import audit
from portal.core.capabilities import requires
from portal.core.errors import Conflict
from portal.core.htmx import error_response, is_htmx, render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.i18n import lazy_pgettext as pgettext  # the name the extractor knows (context first)
from portal.core.pagination import paginate, sort_clause
from portal.core.permissions import Role, roles_required
from portal.core.unit_of_work import on_error, on_invalid
from portal.deals.services import effective_status
from portal.extensions import db

bp = Blueprint("conflicts", __name__, url_prefix="/conflicts")

DESK = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN, Role.SALES_REP)

LABELS = dict(
    statuses={"open": pgettext("status", "Open"), "decided": pgettext("status", "Decided"),
              "withdrawn": pgettext("status", "Withdrawn"), "notice": pgettext("status", "Notice")},
    actions={"conflict.opened": _l("Conflict case opened"),
             "conflict.notice": _l("Notice: same customer, other product lines"),
             "conflict.decided": _l("Conflict decided"),
             "conflict.withdrawn": _l("Case withdrawn"),
             "conflict.taken_over": _l("Taken over by the director"),
             "overlap.noticed": _l("Possible overlap noticed"),
             "overlap.dismissed": _l("Possible overlap dismissed: not the same customer"),
             "overlap.escalated": _l("Possible overlap taken up: the same customer")})
OVERLAP_LABELS = dict(statuses={"dismissed": pgettext("status", "Dismissed"),
                             "escalated": pgettext("status", "Taken up")})


@bp.app_template_global()
def evidence_sentences(signals):
    """The matcher's signals as translated sentences."""
    return sentences(signals)


@bp.route("/")
@roles_required(*DESK)
def index():
    stmt = services.cases_query(current_user).options(*services.LIST_LOADS)
    status = request.args.get("status", "open")
    if status in {s.value for s in CaseStatus}:
        stmt = stmt.where(ConflictCase.status == status)
    stmt = stmt.order_by(*sort_clause({"opened": ConflictCase.opened_at,
                                       "number": ConflictCase.id}, "opened", ConflictCase.id))

    # What the table shows (the record's number, both customers' names), nothing else: the
    # models' default loads made this a twenty-table join whose planning cost more than its rows.
    overlaps = list(db.session.scalars(
        services.overlaps_query(current_user).where(PossibleOverlap.status == OverlapStatus.OPEN)
        .options(*services.OVERLAP_LIST_LOADS)
        .order_by(PossibleOverlap.created_at.desc(), PossibleOverlap.id.desc()).limit(50)))
    return render_page("conflicts/index.html", block="results", page=paginate(db.session, stmt),
                       status=status, statuses=list(CaseStatus), flagged=services.is_flagged,
                       age=services.age_business_days, overlaps=overlaps)


def _context(case, errors=None):
    return dict(case=case, errors=errors or {}, flagged=services.is_flagged(case),
                age=services.age_business_days(case), labels=services.DECISION_LABELS,
                can_decide=services.can_decide(current_user, case) and case.status == CaseStatus.OPEN,
                history=audit.history("conflict_case", case.id), effective_status=effective_status,
                parties=_parties(case))


def _parties(case):
    rows = []
    for side, obj in (("first", case.first), ("second", case.second)):
        is_lead = obj.__tablename__ == "direct_lead"
        rows.append({"side": side, "obj": obj, "is_lead": is_lead,
                     "owner": (obj.rep.name if is_lead else f"{obj.dealer.code} {obj.dealer.name}"),
                     "at": obj.submitted_at or obj.created_at})
    return rows


@bp.route("/<int:case_id>")
@roles_required(*DESK)
def detail(case_id: int):
    case = services.get_case_or_404(case_id, current_user)
    return render_template("conflicts/detail.html", **_context(case))


@bp.route("/<int:case_id>/decide", methods=["POST"])
@requires("conflict.decide")
def decide(case_id: int):
    case = services.get_case_or_404(case_id, current_user)
    form = forms.CaseDecisionForm()

    def invalid(exc):
        errors = {k: str(v) for k, v in exc.errors.items()}
        reloaded = services.get_case_or_404(case_id, current_user)
        return render_page("conflicts/detail.html", block="decision", **_context(reloaded, errors))

    def lost_race(exc):
        reloaded = services.get_case_or_404(case_id, current_user)
        who = reloaded.decided_by.name if reloaded.decided_by else _("someone else")
        message = _("Already decided by %(name)s.", name=who) if reloaded.status != CaseStatus.OPEN \
            else str(getattr(exc, "message", "")) or _("Somebody else changed this case; reload it.")
        if is_htmx():
            return error_response(message, 409)
        return render_template("conflicts/detail.html", conflict_message=message,
                               **_context(reloaded)), 409

    on_invalid(invalid)
    on_error((StaleDataError, Conflict), lost_race)
    services.decide(current_user, case, form.decision.data, form.reason.data,
                    seen_version=form.version.data)
    if is_htmx():
        response = current_app.make_response(
            render_page("conflicts/detail.html", block="decision", **_context(case)))
        response.headers["HX-Refresh"] = "true"  # the parties' states changed too: reload all
        return response
    flash(_("Case %(number)s decided.", number=case.number), "success")
    return redirect(url_for("conflicts.detail", case_id=case.id))


@bp.route("/<int:case_id>/take", methods=["POST"])
@requires("conflict.take_over")
def take(case_id: int):
    case = services.get_case_or_404(case_id, current_user)
    services.take_over(current_user, case)
    flash(_("You took case %(number)s over.", number=case.number), "success")
    return redirect(url_for("conflicts.detail", case_id=case.id))


@bp.route("/overlaps/<int:overlap_id>")
@requires("overlap.decide")
def overlap(overlap_id: int):
    notice = services.get_overlap_or_404(overlap_id, current_user)
    return render_template("conflicts/overlap.html", notice=notice,
                           history=audit.history("possible_overlap", notice.id))


@bp.route("/overlaps/<int:overlap_id>/<any(dismiss, escalate):action>", methods=["POST"])
@requires("overlap.decide")
def overlap_decide(overlap_id: int, action: str):
    """Dismiss a possible overlap (not the same customer) or take it up (the same customer: the
    check runs again and opens a case where product lines overlap)."""
    notice = services.get_overlap_or_404(overlap_id, current_user)

    def lost_race(exc):
        reloaded = services.get_overlap_or_404(overlap_id, current_user)
        return render_template("conflicts/overlap.html", notice=reloaded,
                               conflict_message=str(getattr(exc, "message", "")) or
                               _("Somebody else handled this notice; reload it."),
                               history=audit.history("possible_overlap", reloaded.id)), 409

    on_error((StaleDataError, Conflict), lost_race)
    if action == "dismiss":
        services.dismiss_overlap(current_user, notice, forms.OverlapForm().reason.data)
        message = _("Dismissed: not the same customer.")
    else:
        cases = services.escalate_overlap(current_user, notice)
        message = _("Linked as the same customer; %(n)d case(s) opened.", n=len(cases))
    flash(message, "success")
    return redirect(url_for("conflicts.overlap", overlap_id=overlap_id), 303)
