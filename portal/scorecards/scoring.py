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

from portal.core.i18n import lazy_gettext as _l

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


def part_ratio(key: str, values: dict) -> tuple[int, int] | None:
    """The part score (0..1) of one weighted KPI as (numerator, denominator), or None when the
    KPI has no value. Integers only: the ranked list scores thousands of dealers."""
    if key == "conflicts_lost":
        involved = values.get("conflicts") or 0
        if not involved:
            return 1, 1
        n, d = involved - (values.get("conflicts_lost") or 0), involved
    else:
        value = values.get(key)
        if value is None:
            return None
        n, d = (value + 2000, 4000) if key == "growth_bp" else (value, 10_000)
    return (0, 1) if n <= 0 else (1, 1) if n >= d else (n, d)


def part_score(key: str, values: dict) -> Fraction | None:
    ratio = part_ratio(key, values)
    return None if ratio is None else Fraction(*ratio)


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


def score_value(values: dict, weights: dict) -> int | None:
    """Σ part × weight ÷ Σ weight × 100 over the KPIs with a value, rounded half up; exact in
    integers (no Fraction objects: the ranked list scores every dealer)."""
    num, den, total_weight = 0, 1, 0
    for key in WEIGHTED:
        weight = weights.get(key, 0)
        if not weight:
            continue
        ratio = part_ratio(key, values)
        if ratio is None:
            continue
        n, d = ratio
        num, den = num * d + n * weight * den, den * d
        total_weight += weight
    if not total_weight:
        return None
    # score = num / den * 100 / total_weight, rounded half up (it is never negative)
    q, r = divmod(num * 100, den * total_weight)
    return q + (1 if 2 * r >= den * total_weight else 0)


def score(values: dict, weights: dict, thresholds: dict) -> Score:
    """Score (rounded half up to a whole number), advice and the parts of one dealer's KPIs."""
    parts = tuple(Part(key, weights.get(key, 0), part_score(key, values)) for key in WEIGHTED)
    value = score_value(values, weights)
    if value is None:
        return Score(None, None, parts, thresholds)
    return Score(value, advice_for(value, thresholds), parts, thresholds)


def advice_for(value: int, thresholds: dict) -> str:
    for advice in (PROMOTE, KEEP, WATCH):
        if value >= thresholds[advice]:
            return advice
    return DEMOTE
