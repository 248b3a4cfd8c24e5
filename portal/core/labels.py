"""Translated labels of states, audit actions, the objects and fields an audit entry names,
shared by all templates.

Domains add theirs with `register(...)` from their `wiring.init_app`; templates call
`status_label(value)`, `action_label(action)`, `object_label(type)` and `changes(entry.after)`.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel.speaklater import LazyString

from portal.core.i18n import lazy_gettext as _l
from portal.core.i18n import lazy_pgettext as pgettext
from portal.core.money import format_bp, format_money
from portal.core.permissions import ROLE_LABELS

STATUS_LABELS: dict[str, object] = {
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "inactive": _l("Inactive"),
}
ACTION_LABELS: dict[str, object] = {
    "user.login": _l("Logged in"),
    "user.logout": _l("Logged out"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "user.deactivated": _l("User deactivated"),
    "user.password_changed": _l("Password changed"),
    "dealer.created": _l("Dealer created"),
    "dealer.updated": _l("Dealer changed"),
    "dealer.suspended": _l("Dealer suspended"),
    "dealer.active": _l("Dealer reactivated"),
    "setting.changed": _l("Setting changed"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
}


#: What an audit entry is about (`object_type`, the table's name).
OBJECT_LABELS: dict[str, object] = {
    "user": _l("User"), "dealer": _l("Dealer"), "setting": _l("Setting"), "region": _l("Region"),
    "customer": _l("Customer"), "customer_alias": _l("Customer alias"),
    "customer_link": _l("Customer link"), "deal_registration": _l("Registration"),
    "deal_extension": _l("Extension request"), "direct_lead": _l("Direct lead"),
    "conflict_case": _l("Conflict case"), "possible_overlap": _l("Possible overlap"),
    "price_exception": _l("Price exception"), "approval_rule": _l("Approval rule"),
    "product": _l("Product"), "product_line": _l("Product line"), "price_list": _l("Price list"),
    "tier_discount": _l("Tier discount"), "sales_order": _l("Order"), "order_return": _l("Return"),
    "rebate_program": _l("Rebate program"), "rebate_run": _l("Rebate run"),
    "rebate_statement": _l("Rebate statement"), "rebate_adjustment": _l("Rebate adjustment"),
    "sales_target": _l("Sales target"), "scorecard_policy": _l("Scoring policy"),
    "api_token": _l("API token"),
}
#: The fields that audit entries record before and after a change.
FIELD_LABELS: dict[str, object] = {
    "status": pgettext("field", "Status"), "tier": _l("Tier"), "name": _l("Name"),
    "name_zh": _l("Chinese name"), "name_en": _l("English name"), "code": _l("Code"),
    "email": _l("E-mail"), "role": _l("Role"), "active": pgettext("field", "Active"),
    "region_id": _l("Region"), "regions": _l("Regions"), "dealer": _l("Dealer"),
    "dealer_id": _l("Dealer"), "customer": _l("Customer"), "project": _l("Project"),
    "deal": _l("Registration"), "program": _l("Rebate program"), "decision": _l("Decision"),
    "protected_until": _l("Protected until"), "days": _l("Days"), "alias": _l("Alias"),
    "reference": _l("Reference"), "paid_on": _l("Paid on"), "amount_fen": _l("Amount"),
    "net_fen": _l("Net amount"), "net_payable_fen": _l("Net payable"), "number": _l("Number"),
    "numbers": _l("Numbers"), "orders": _l("Orders"), "statements": _l("Statements"),
    "rows": _l("Rows"), "source": _l("Source"), "other": _l("Other customer"),
    "weights": _l("Weights"), "thresholds": _l("Thresholds"), "rules": _l("Rules"),
    "token": _l("Token"), "created": _l("Created"), "updated": _l("Updated"),
    "assisting_rep": _l("Assisting rep"), "value": _l("Value"), "key": _l("Setting"),
    "reason": _l("Reason"), "comment": _l("Comment"), "quantity": _l("Quantity"),
    # orders, catalogue, price exceptions, conflicts and targets
    "contract_no": _l("Contract number"), "total_fen": _l("Total"), "return": _l("Return"),
    "date": _l("Date"), "lines": _l("Lines"), "items": _l("Items"), "line_id": _l("Product line"),
    "effective_from": _l("In force from"), "effective_to": _l("Last day"),
    "approvers": _l("Approvers"), "below_floor": _l("Below the floor price"),
    "floor_reason": _l("Reason for going below the floor"), "prices": _l("Prices"),
    "round": _l("Round"), "step": _l("Step"), "max_depth_bp": _l("Maximum extra discount"),
    "total_requested_fen": _l("Requested total"), "valid_until": _l("Valid until"),
    "deal_id": _l("Registration"), "first": _l("Earlier record"), "second": _l("Later record"),
    "signals": _l("Evidence"), "record": _l("Record"), "other_customer": _l("Other customer"),
    "quarter": _l("Quarter"), "year": _l("Year"), "target_fen": _l("Target"),
}


def register(statuses: dict | None = None, actions: dict | None = None,
             objects: dict | None = None, fields: dict | None = None) -> None:
    STATUS_LABELS.update(statuses or {})
    ACTION_LABELS.update(actions or {})
    OBJECT_LABELS.update(objects or {})
    FIELD_LABELS.update(fields or {})


def object_label(value) -> str:
    return str(OBJECT_LABELS.get(str(value), value))


def _value_words(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if key == "status" or key == "decision":
        return status_label(value)
    if key == "role":
        return str(ROLE_LABELS.get(str(value), value))
    if key.endswith("_fen") and isinstance(value, int):
        return format_money(value)
    if key.endswith("_bp") and isinstance(value, int):
        return format_bp(value)
    if isinstance(value, dict):
        return "; ".join(str(_l("%(field)s: %(value)s", field=field_label(k), value=_value_words(k, v)))
                         for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_words(key, v) for v in value) or "—"
    if isinstance(value, float):
        return str(Decimal(str(value)))
    return str(value)


def field_label(key) -> str:
    return str(FIELD_LABELS.get(str(key), str(key).replace("_", " ")))


def changes(data) -> list[tuple[str, str]]:
    """An audit entry's `before` or `after` as (field, value) in words: statuses, roles, money and
    rates as the pages show them, never raw JSON."""
    if not data:
        return []
    if not isinstance(data, dict):
        return [("", _value_words("", data))]
    return [(field_label(k), _value_words(k, v)) for k, v in data.items()]


def status_label(value) -> str:
    return label_text(STATUS_LABELS.get(str(value), value))


def label_text(label) -> str:
    """`str(label)`; a lazy translation without variables is translated once per catalogue and
    then reused (a list shows a status on each of its rows, and each lazy translation looks up
    the request's domain, locale and catalogue again). The labels live as long as the process."""
    if not isinstance(label, LazyString) or label._kwargs:
        return str(label)
    from portal.extensions import babel

    translations = babel.domain_instance.get_translations()
    done = translations.__dict__.setdefault("_portal_labels", {})
    found = done.get(id(label))
    if found is None:
        found = done[id(label)] = (label, str(label))   # the label itself keeps its id unique
    return found[1]


def action_label(value) -> str:
    return str(ACTION_LABELS.get(str(value), value))
