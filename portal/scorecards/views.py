"""`/scorecards/` — the ranked list and one dealer's scorecard (page, XLSX, PDF); targets, the
scoring policy and the tier change (DESIGN §3.8)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import TIER_LABELS, Region, Tier
from portal.catalog.models import ProductLine
from portal.core import audit, clock
from portal.core.capabilities import requires
from portal.core.errors import ValidationError
from portal.core.export import export_response
from portal.core.htmx import render_page
from portal.core.i18n import lazy_gettext as _l
from portal.core.importer import ImportRejected, template_response
from portal.core.money import fen_to_decimal, format_bp
from portal.core.pagination import Page, page_number
from portal.core.permissions import sees_all_regions
from portal.core.unit_of_work import on_invalid
from portal.extensions import db
from portal.scorecards import cards, forms, kpis, scoring, services
from portal.scorecards.models import SalesTarget

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")

PER_PAGE = 50

#: Pages of the scorecards listed on /admin/.
ADMIN_PAGES = [("scorecards.policy", _l("Scoring weights and thresholds")),
               ("scorecards.targets", _l("Sales targets"))]


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def _period() -> kpis.Period:
    period = kpis.period_of(request.args.get("period", "")[:20], clock.today())
    if period is None:
        raise ValidationError(_("Choose a period such as 2026Q3 (a quarter) or 2026 (the year "
                                "to date)."))
    return period


def _regions() -> list[Region]:
    stmt = select(Region).order_by(Region.code)
    if not sees_all_regions(current_user):
        stmt = stmt.where(Region.id.in_(current_user.region_ids or [-1]))
    return list(db.session.scalars(stmt))


@bp.route("/")
@requires("scorecard.view")
def index():
    period = _period()
    regions = _regions()
    region_id = forms.small_int(request.args.get("region"), 1, 10**6)
    if request.args.get("region") and region_id not in {r.id for r in regions}:
        region_id = -1  # a region outside the user's scope lists nothing
    tier = request.args.get("tier") or None
    if tier is not None and tier not in {t.value for t in Tier}:
        tier = None
    sort = request.args.get("sort", "-score")
    key = sort.lstrip("-") if sort.lstrip("-") in cards.SORTS else "score"
    descending = sort.startswith("-") if sort.lstrip("-") in cards.SORTS else True
    rows = cards.ranked(current_user, period, region_id=region_id, tier=tier, sort=key,
                        descending=descending)
    region_names = {r.id: r.label(_locale()) for r in regions}
    if request.args.get("format") == "xlsx":
        return _export(rows, region_names, period)
    page = page_number()
    shown = Page(rows[(page - 1) * PER_PAGE:page * PER_PAGE], page, PER_PAGE, len(rows))
    return render_page("scorecards/index.html", block="results", page=shown, period=period,
                       periods=kpis.period_choices(clock.today()), regions=regions,
                       region_names=region_names, tiers=list(Tier), tier_labels=TIER_LABELS,
                       advice_labels=scoring.ADVICE_LABELS, kpi=kpis.KPI_BY_KEY,
                       sees_all_regions=sees_all_regions(current_user))


def _export(rows: list[dict], region_names: dict, period: kpis.Period) -> Response:
    header = [_("Rank"), _("Dealer code"), _("Dealer"), _("Region"), _("Tier"), _("Score"),
              _("Advice"), *(str(k.label) for k in kpis.KPIS)]
    body = []
    for r in rows:
        body.append([r["rank"], r["code"], r["name"], region_names.get(r["region_id"], ""),
                     str(TIER_LABELS.get(r["tier"], r["tier"])), r["score"],
                     str(scoring.ADVICE_LABELS[r["advice"]]) if r["advice"] else "",
                     *(_cell(k, r.get(k.key)) for k in kpis.KPIS)])
    return export_response("xlsx", f"scorecards-{period.code}", header, body)


def _cell(kpi: kpis.Kpi, value):
    """Money in yuan as a number, ratios as percent text, counts as numbers."""
    if value is None:
        return None
    if kpi.kind == "money":
        return fen_to_decimal(value)  # a spreadsheet number (openpyxl writes Decimal), exact to the fen
    if kpi.kind == "bp":
        return format_bp(value)
    return value


def _card(code: str):
    dealer = services.get_dealer_or_404(code, current_user)
    period = _period()
    return dealer, period, cards.scorecard(dealer, period, _locale(), clock.today())


@bp.route("/<code>")
@requires("scorecard.view")
def detail(code: str):
    dealer, period, card = _card(code)
    if request.args.get("format") == "xlsx":
        body = [[g["label"], k["label"], k["value"], k["definition"]]
                for g in card["groups"] for k in g["kpis"]]
        body.append([_("Score"), _("Score out of 100"), card["score"], card["why"]])
        return export_response("xlsx", f"scorecard-{dealer.code}-{period.code}",
                               [_("Group"), _("KPI"), _("Value"), _("Definition")], body)
    can_set = services._may_set_targets(current_user, dealer)
    return render_template("scorecards/detail.html", card=card, dealer=dealer, period=period,
                           periods=kpis.period_choices(clock.today()),
                           can_set_targets=can_set, tiers=list(Tier), tier_labels=TIER_LABELS,
                           errors={}, form={})


@bp.route("/<code>.pdf")
@requires("scorecard.view")
def detail_pdf(code: str):
    from portal.core.pdf import render_pdf

    dealer, period, card = _card(code)
    context = {"card": card, "vendor_name": "华辰科技", "printed_on": clock.today().isoformat(),
               "lang": "en" if _locale().startswith("en") else "zh-CN"}
    data = render_pdf("scorecards/pdf/scorecard.html", context)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="scorecard-{dealer.code}-{period.code}.pdf"'})


# --- targets ---------------------------------------------------------------------------------------

def _lines() -> list[ProductLine]:
    return list(db.session.scalars(select(ProductLine).order_by(ProductLine.sort, ProductLine.id)))


@bp.route("/<code>/targets", methods=["GET", "POST"])
@requires("target.edit")
def dealer_targets(code: str):
    dealer = services.get_dealer_or_404(code, current_user)
    if not services._may_set_targets(current_user, dealer):
        abort(404)
    if request.method == "POST":
        form = forms.TargetForm()
        values, errors = form.parsed()
        if errors:
            return _targets_page(dealer, errors, form.shown()), 422
        on_invalid(lambda exc: _targets_page(dealer, exc.errors, form.shown()))
        services.set_target(current_user, dealer, **values)
        flash(_("Target saved."), "success")
        return redirect(url_for("scorecards.dealer_targets", code=dealer.code))
    return _targets_page(dealer, {}, {})


def _targets_page(dealer, errors, form):
    rows = list(db.session.scalars(select(SalesTarget).where(SalesTarget.dealer_id == dealer.id)
                                   .order_by(SalesTarget.year.desc(), SalesTarget.quarter.desc(),
                                             SalesTarget.line_id.is_not(None), SalesTarget.line_id)))
    today = clock.today()
    return render_template("scorecards/targets_dealer.html", dealer=dealer, rows=rows,
                           lines=_lines(), errors=errors, form=form, year=today.year,
                           quarter=kpis.quarter_of(today),
                           history=audit.history("dealer", dealer.id))


@bp.route("/targets/", methods=["GET", "POST"])
@requires("target.edit")
def targets():
    if request.method == "POST":
        on_invalid(lambda exc: render_template(
            "scorecards/targets.html", report=exc.errors if isinstance(exc, ImportRejected) else [],
            message=exc.message))
        created, updated = services.import_targets(current_user, request.files.get("file"))
        flash(_("Targets imported: %(created)d new, %(updated)d changed.", created=created,
                updated=updated), "success")
        return redirect(url_for("scorecards.targets"))
    return render_template("scorecards/targets.html", report=None, message=None)


@bp.route("/targets/template.<fmt>")
@requires("target.edit")
def targets_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return template_response(services.target_spec(current_user), fmt, "targets-template",
                             services.TARGET_EXAMPLES)


# --- policy and tier -----------------------------------------------------------------------------

@bp.route("/policy", methods=["GET", "POST"])
@requires("scorecard.policy")
def policy():
    weights, thresholds = services.policy()

    def page(errors=None):
        return render_template("scorecards/policy.html", weights=weights, thresholds=thresholds,
                               errors=errors or {}, kpi=kpis.KPI_BY_KEY, rules=scoring.PART_RULES,
                               advice_labels=scoring.ADVICE_LABELS)

    if request.method == "POST":
        weights, thresholds, errors = forms.PolicyForm().parsed()
        if errors:
            return page(errors), 422
        on_invalid(lambda exc: page(exc.errors))
        services.save_policy(current_user, weights, thresholds)
        flash(_("Scoring weights and thresholds saved."), "success")
        return redirect(url_for("scorecards.policy"))
    return page()


@bp.route("/<code>/tier", methods=["POST"])
@requires("scorecard.policy")
def change_tier(code: str):
    dealer = services.get_dealer_or_404(code, current_user)
    form = forms.TierForm()

    def invalid(exc):
        reloaded = services.get_dealer_or_404(code, current_user)
        period = _period()
        card = cards.scorecard(reloaded, period, _locale(), clock.today())
        return render_template("scorecards/detail.html", card=card, dealer=reloaded, period=period,
                               periods=kpis.period_choices(clock.today()),
                               can_set_targets=services._may_set_targets(current_user, reloaded),
                               tiers=list(Tier), tier_labels=TIER_LABELS, errors=exc.errors,
                               form=form.shown())

    on_invalid(invalid)
    services.change_tier(current_user, dealer, form.tier.data, form.reason.data)
    flash(_("Tier changed to %(tier)s.", tier=TIER_LABELS[Tier(dealer.tier)]), "success")
    return redirect(url_for("scorecards.detail", code=dealer.code))
