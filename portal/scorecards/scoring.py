"""Score out of 100 and tier advice from a dealer's KPIs: pure functions, no app, no database.

Each weighted KPI is first turned into a part score between 0 and 1 (`PART_RULES`, the sentence
users read next to it); the score is Σ part × weight ÷ Σ weight × 100 over the KPIs that have a
value (a dealer without a target is scored on the rest, and the scorecard says so). The advice is
the highest of promote / keep / watch whose threshold the score reaches, else demote. Weights and
thresholds are data admin edits (`ScorecardPolicy`); the defaults are below.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l

#: KPI key → the rule that turns its value into a part score (shown to users).
PART_RULES = {
    "attainment_bp": _l("attainment up to 100 % counts in full"),
    "growth_bp": _l("−20 % or less scores 0, +20 % or more scores full, linear between"),
    "win_rate_bp": _l("the win rate itself"),
    "on_time_bp": _l("the share itself"),
    "conflicts_lost": _l("1 − conflicts lost ÷ conflicts involved (full without conflicts)"),
    "exception_approval_bp": _l("the approval rate itself"),
}
WEIGHTED = list(PART_RULES)
DEFAULT_WEIGHTS = {"attainment_bp": 40, "growth_bp": 15, "win_rate_bp": 15, "on_time_bp": 10,
                   "conflicts_lost": 10, "exception_approval_bp": 10}

PROMOTE, KEEP, WATCH, DEMOTE = "promote", "keep", "watch", "demote"
ADVICES = [PROMOTE, KEEP, WATCH, DEMOTE]
ADVICE_LABELS = {PROMOTE: _l("Promote"), KEEP: _l("Keep"), WATCH: _l("Watch"),
                 DEMOTE: _l("Demote")}
#: The lowest score of each advice; below `watch` is demote.
DEFAULT_THRESHOLDS = {PROMOTE: 85, KEEP: 65, WATCH: 50}
MAX_WEIGHT = 1000


class PolicyError(ValueError):
    """Weights or thresholds that cannot be used; `errors` maps a field to a message."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def check_policy(weights: dict, thresholds: dict) -> None:
    errors = {}
    for key in WEIGHTED:
        value = weights.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WEIGHT:
            errors[f"weight_{key}"] = _l("A whole number from 0 to %(max)d.", max=MAX_WEIGHT)
    if not errors and not any(weights[k] for k in WEIGHTED):
        errors["weight_" + WEIGHTED[0]] = _l("At least one weight must be above 0.")
    for key in (PROMOTE, KEEP, WATCH):
        value = thresholds.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            errors[f"threshold_{key}"] = _l("A whole number from 0 to 100.")
    if not any(k.startswith("threshold_") for k in errors) and \
            not thresholds[PROMOTE] > thresholds[KEEP] > thresholds[WATCH]:
        errors[f"threshold_{KEEP}"] = _l("Promote must be above keep, and keep above watch.")
    if errors:
        raise PolicyError(errors)


def part_score(key: str, values: dict) -> Fraction | None:
    """The part score (0..1) of one weighted KPI, or None when the KPI has no value."""
    if key == "conflicts_lost":
        involved = values.get("conflicts") or 0
        return Fraction(1) if not involved else 1 - Fraction(values.get("conflicts_lost") or 0,
                                                             involved)
    value = values.get(key)
    if value is None:
        return None
    if key == "growth_bp":
        part = Fraction(value + 2000, 4000)
    else:  # a ratio in bp
        part = Fraction(value, 10_000)
    return min(max(part, Fraction(0)), Fraction(1))


@dataclass(frozen=True)
class Part:
    key: str
    weight: int
    part: Fraction | None  #: None: no value, left out of the score

    @property
    def points(self) -> Fraction:
        return self.part * self.weight if self.part is not None else Fraction(0)


@dataclass(frozen=True)
class Score:
    score: int | None          #: 0..100, None when no weighted KPI has a value
    advice: str | None
    parts: tuple[Part, ...]
    thresholds: dict

    @property
    def missing(self) -> list[str]:
        return [p.key for p in self.parts if p.part is None and p.weight]


def score(values: dict, weights: dict, thresholds: dict) -> Score:
    """Score (rounded half up to a whole number) and advice of one dealer's KPI values."""
    parts = tuple(Part(key, weights.get(key, 0), part_score(key, values)) for key in WEIGHTED)
    counted = [p for p in parts if p.part is not None and p.weight]
    total_weight = sum(p.weight for p in counted)
    if not total_weight:
        return Score(None, None, parts, thresholds)
    exact = sum((p.points for p in counted), Fraction(0)) * 100 / total_weight
    rounded = int(exact) + (1 if exact - int(exact) >= Fraction(1, 2) else 0)
    return Score(rounded, advice_for(rounded, thresholds), parts, thresholds)


def advice_for(value: int, thresholds: dict) -> str:
    for advice in (PROMOTE, KEEP, WATCH):
        if value >= thresholds[advice]:
            return advice
    return DEMOTE
