"""Rebate programs: finance's policy for one period, validated before it is saved.

The band table is typed as rows `from – to → rate`; it must be contiguous half-open bands
starting at ¥0 (each band starts where the previous one ends, only the last one is open-ended),
with increasing thresholds and rates between 0% and 100%. `calc.validate_bands` is the final word
on the thresholds-and-rates form that is stored.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.core import audit
from portal.core.errors import ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import fen_to_decimal
from portal.extensions import db
from portal.rebates import calc
from portal.rebates.models import RebateProgram, RebateStatement

PERIOD_CODE = re.compile(r"^[0-9]{4}(Q[1-4]|H[12]|M(0[1-9]|1[0-2])|Y)?$")
#: A program's own code, printed in statement numbers: letters, digits and inner hyphens.
PROGRAM_CODE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
TIERS = ("platinum", "gold", "silver", "authorized")

BAND_MESSAGES = {
    "empty": _l("A rebate program needs at least one band."),
    "first_not_zero": _l("The first band must start at ¥0.00."),
    "not_increasing": _l("Each band must start above the previous one."),
    "rate_range": _l("Rates run from 0% to 100%."),
}


def check_band_rows(rows: list[dict], errors: dict) -> list[calc.Band]:
    """Parsed band rows (`ProgramForm.band_values`: from and to in fen, the end None when open,
    the rate in bp) → bands; problems into `errors`.

    Rows left completely empty are ignored. A gap or an overlap between one band's end and the
    next band's start is refused, as is an open end anywhere but on the last band.
    """
    filled = [r for r in rows if r["typed"]]
    if not filled:
        errors["bands"] = BAND_MESSAGES["empty"]
        return []
    parsed = []
    for i, row in enumerate(filled, start=1):
        if row["invalid"] or row["from"] is None or row["rate"] is None:
            errors["bands"] = _l("Band %(n)d: enter amounts in yuan and the rate in percent.", n=i)
            return []
        parsed.append((row["from"], row["to"], row["rate"]))
    for i, (start, end, rate) in enumerate(parsed, start=1):
        last = i == len(parsed)
        if i == 1 and start != 0:
            errors["bands"] = BAND_MESSAGES["first_not_zero"]
        elif i > 1 and start != parsed[i - 2][1]:
            errors["bands"] = _l("Band %(n)d must start where band %(p)d ends: the bands leave a "
                                 "gap or overlap.", n=i, p=i - 1)
        elif end is None and not last:
            errors["bands"] = _l("Only the last band may be open-ended (band %(n)d has no end).",
                                 n=i)
        elif end is not None and last:
            errors["bands"] = _l("The last band must be open-ended: leave its end empty.")
        elif end is not None and end <= start:
            errors["bands"] = _l("Band %(n)d must end above its start.", n=i)
        elif not 0 <= rate <= calc.BP_SCALE:
            errors["bands"] = BAND_MESSAGES["rate_range"]
        if "bands" in errors:
            return []
    try:
        return calc.validate_bands([(start, rate) for start, _end, rate in parsed])
    except calc.BandError as exc:
        errors["bands"] = BAND_MESSAGES.get(exc.code, str(exc))
        return []


def band_rows(bands: list) -> list[dict]:
    """Stored bands → form rows (fen → yuan text, bp → percent text)."""
    rows = []
    for i, (threshold, rate) in enumerate(bands):
        end = bands[i + 1][0] if i + 1 < len(bands) else None
        rows.append({"from": str(fen_to_decimal(threshold)),
                     "to": str(fen_to_decimal(end)) if end is not None else "",
                     "rate": f"{rate / 100:g}"})
    return rows


def _optional_percent(values: dict, key: str, errors: dict, unparsed: dict,
                      maximum: int | None = 10_000) -> int | None:
    """The rate of `key` in bp, None when empty; one that did not parse or is out of range is the
    field's error."""
    if key in unparsed:
        errors[key] = unparsed[key]
        return None
    bp = values.get(key)
    if bp is not None and (bp < 0 or (maximum is not None and bp > maximum)):
        errors[key] = _l("Enter a percentage between 0 and 100.")
    return bp


def clean_program(data: dict, bands: list[dict], *, unparsed: dict, line_ids: set[int],
                  program: RebateProgram | None = None) -> dict:
    """Validate a program (`ProgramForm.program_values()`, `band_values()`; `unparsed`: the
    messages of the fields that did not parse). Raises ValidationError (field → message);
    changes nothing."""
    errors: dict = {}
    values: dict = {}
    values["name"] = (data.get("name") or "").strip()
    if not values["name"] or len(values["name"]) > 120:
        errors["name"] = _l("Enter a name of at most 120 characters.")
    period = (data.get("period_code") or "").strip().upper()
    if not PERIOD_CODE.match(period):
        errors["period_code"] = _l("Enter a period code such as 2026Q4.")
    values["period_code"] = period
    # Several programs may share a period; each has its own code (the period's by default).
    code = (data.get("code") or "").strip().upper() or period
    if not PROGRAM_CODE.match(code) or len(code) > 20:
        errors["code"] = _l("Enter a program code of at most 20 letters, digits and hyphens, "
                            "such as 2026Q4-STO.")
    else:
        taken = db.session.scalar(select(RebateProgram.id).where(RebateProgram.code == code))
        if taken and (program is None or taken != program.id):
            errors["code"] = _l("Another program already uses the code %(code)s.", code=code)
        elif program is not None and code != program.code and _has_statements(program):
            errors["code"] = _l("Statements were issued under the code %(code)s: it can no longer "
                                "change.", code=program.code)
    values["code"] = code
    for key in ("period_start", "period_end"):
        if data.get(key) is None:
            errors[key] = unparsed.get(key) or _l("Enter a date as YYYY-MM-DD.")
        else:
            values[key] = data[key]
    if "period_start" in values and "period_end" in values and \
            values["period_end"] < values["period_start"]:
        errors["period_end"] = _l("The period must end on or after its start.")
    values["mode"] = data.get("mode")
    if values["mode"] not in calc.MODES:
        errors["mode"] = _l("Choose all units or incremental.")
    values["exception_treatment"] = data.get("exception_treatment")
    values["exception_rate_bp"] = None
    if values["exception_treatment"] not in calc.TREATMENTS:
        errors["exception_treatment"] = _l("Choose how exception-price sales are treated.")
    elif values["exception_treatment"] == "rate_bp":
        values["exception_rate_bp"] = _optional_percent(data, "exception_rate", errors, unparsed)
        if values["exception_rate_bp"] is None and "exception_rate" not in errors:
            errors["exception_rate"] = _l("Enter the rate for exception-price sales.")
    values["growth_pct_bp"] = _optional_percent(data, "growth_pct", errors, unparsed, None)
    values["growth_bonus_bp"] = _optional_percent(data, "growth_bonus", errors, unparsed)
    if (values["growth_bonus_bp"] is None) != (values["growth_pct_bp"] is None) and \
            "growth_pct" not in errors and "growth_bonus" not in errors:
        errors["growth_bonus"] = _l("Give both the growth required and the bonus rate, or neither.")
    values["cap_fen"] = data.get("cap")
    if "cap" in unparsed:
        errors["cap"] = unparsed["cap"]
    tiers = list(data.get("eligible_tiers") or [])
    if any(t not in TIERS for t in tiers):
        errors["eligible_tiers"] = _l("Unknown tier.")
    values["eligible_tiers"] = sorted(set(tiers))
    ids = list(data.get("eligible_line_ids") or [])
    values["eligible_line_ids"] = [] if "eligible_line_ids" in unparsed else sorted(set(ids))
    if "eligible_line_ids" in unparsed or set(values["eligible_line_ids"]) - line_ids:
        errors["eligible_line_ids"] = _l("Unknown product line.")
    values["bands"] = [[b.threshold_fen, b.rate_bp] for b in check_band_rows(bands, errors)]
    if errors:
        raise ValidationError(_l("The program was not saved: please correct the marked fields."),
                              errors)
    return values


def _has_statements(program: RebateProgram) -> bool:
    return db.session.scalar(select(RebateStatement.id).where(
        RebateStatement.program_id == program.id).limit(1)) is not None


def save_program(actor, program: RebateProgram | None, values: dict) -> RebateProgram:
    """Create or change a program from `clean_program` values; audited with before → after."""
    before = _snapshot(program) if program is not None else None
    if program is None:
        program = RebateProgram(created_by_id=actor.id)
        db.session.add(program)
    for key, value in values.items():
        setattr(program, key, value)
    db.session.flush()
    audit.record(actor, "rebate_program.created" if before is None else "rebate_program.updated",
                 program, before=before, after=_snapshot(program))
    return program


def _snapshot(program: RebateProgram) -> dict:
    return {k: getattr(program, k) for k in (
        "name", "code", "period_code", "period_start", "period_end", "mode", "bands",
        "exception_treatment", "exception_rate_bp", "growth_pct_bp", "growth_bonus_bp", "cap_fen",
        "eligible_tiers", "eligible_line_ids")}


def treatment_of(program: RebateProgram):
    if program.exception_treatment == "rate_bp":
        return ("rate_bp", program.exception_rate_bp or 0)
    return program.exception_treatment
