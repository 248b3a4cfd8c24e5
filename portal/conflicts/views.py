"""`/conflicts/` — the conflict desk of channel managers (their regions) and the director (all)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal.conflicts import services
from portal.conflicts.evidence import sentences
from portal.conflicts.models import CaseStatus, ConflictCase, OverlapStatus, PossibleOverlap
from portal.core import audit
from portal.core.errors import Conflict, ValidationError
from portal.core.htmx import is_htmx, render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.i18n import lazy_pgettext as pgettext  # the name the extractor knows (context first)
from portal.core.pagination import paginate, sort_clause
from portal.core.parse import MAX_ID, to_int
from portal.core.permissions import Role, roles_required
from portal.deals.services import effective_status
from portal.extensions import db

bp = Blueprint("conflicts", __name__, url_prefix="/conflicts")

DESK = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN, Role.SALES_REP)
DECIDERS = (Role.CHANNEL_MANAGER, Role.SALES_DIRECTOR, Role.ADMIN)

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
    stmt = stmt.order_by(sort_clause({"opened": ConflictCase.opened_at,
                                      "number": ConflictCase.id}, "opened"))

    overlaps = list(db.session.scalars(
        services.overlaps_query(current_user).where(PossibleOverlap.status == OverlapStatus.OPEN)
        .order_by(PossibleOverlap.created_at.desc()).limit(50)))
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
@roles_required(*DECIDERS)
def decide(case_id: int):
    case = services.get_case_or_404(case_id, current_user)
    version = request.form.get("version", "")
    try:
        services.decide(current_user, case, request.form.get("decision", ""),
                        request.form.get("reason", ""),
                        seen_version=to_int(version, 0, MAX_ID))
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        errors = {k: str(v) for k, v in exc.errors.items()}
        case = services.get_case_or_404(case_id, current_user)
        return render_page("conflicts/detail.html", block="decision", **_context(case, errors)), 422
    except (StaleDataError, Conflict) as exc:
        db.session.rollback()
        case = services.get_case_or_404(case_id, current_user)
        who = case.decided_by.name if case.decided_by else _("someone else")
        message = _("Already decided by %(name)s.", name=who) if case.status != CaseStatus.OPEN \
            else str(getattr(exc, "message", "")) or _("Somebody else changed this case; reload it.")
        if is_htmx():
            return f'<div class="flash error" role="alert">{_esc(message)}</div>', 409
        return render_template("conflicts/detail.html", conflict_message=message,
                               **_context(case)), 409
    if is_htmx():
        response = current_app.make_response(
            render_page("conflicts/detail.html", block="decision", **_context(case)))
        response.headers["HX-Refresh"] = "true"  # the parties' states changed too: reload all
        return response
    flash(_("Case %(number)s decided.", number=case.number), "success")
    return redirect(url_for("conflicts.detail", case_id=case.id))


@bp.route("/<int:case_id>/take", methods=["POST"])
@roles_required(Role.SALES_DIRECTOR)
def take(case_id: int):
    case = services.get_case_or_404(case_id, current_user)
    services.take_over(current_user, case)
    db.session.commit()
    flash(_("You took case %(number)s over.", number=case.number), "success")
    return redirect(url_for("conflicts.detail", case_id=case.id))


def _esc(text):
    from markupsafe import escape

    return str(escape(text))


@bp.route("/overlaps/<int:overlap_id>")
@roles_required(*DECIDERS)
def overlap(overlap_id: int):
    notice = services.get_overlap_or_404(overlap_id, current_user)
    return render_template("conflicts/overlap.html", notice=notice,
                           history=audit.history("possible_overlap", notice.id))


@bp.route("/overlaps/<int:overlap_id>/<any(dismiss, escalate):action>", methods=["POST"])
@roles_required(*DECIDERS)
def overlap_decide(overlap_id: int, action: str):
    """Dismiss a possible overlap (not the same customer) or take it up (the same customer: the
    check runs again and opens a case where product lines overlap)."""
    notice = services.get_overlap_or_404(overlap_id, current_user)
    try:
        if action == "dismiss":
            services.dismiss_overlap(current_user, notice, request.form.get("reason", ""))
            message = _("Dismissed: not the same customer.")
        else:
            cases = services.escalate_overlap(current_user, notice)
            message = _("Linked as the same customer; %(n)d case(s) opened.", n=len(cases))
        db.session.commit()
    except (StaleDataError, Conflict) as exc:
        db.session.rollback()
        notice = services.get_overlap_or_404(overlap_id, current_user)
        return render_template("conflicts/overlap.html", notice=notice,
                               conflict_message=str(getattr(exc, "message", "")) or
                               _("Somebody else handled this notice; reload it."),
                               history=audit.history("possible_overlap", notice.id)), 409
    flash(message, "success")
    return redirect(url_for("conflicts.overlap", overlap_id=overlap_id), 303)
