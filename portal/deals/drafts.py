"""A registration before it is saved: its parsed values checked against the database (DESIGN §3.3).

`clean_deal_input` takes a `DealInput` (`portal.deals.forms`: the form's values parsed by the
shared field types); `save_deal` saves a draft from it. Values that arrive as text (the API, the
seed, tests) are parsed by the same fields first.
"""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select

from portal.catalog.models import Product, ProductLine
from portal.core import audit, clock
from portal.core.errors import InvalidState, PermissionDenied, ValidationError
from portal.core.i18n import lazy_gettext as _l
from portal.core.permissions import is_dealer
from portal.core.settings import get_setting
from portal.deals.customers import (
    CUSTOMER_FIELDS,
    clean_customer_fields,
    customers_query,
    find_customers,
    save_customer,
)
from portal.deals.forms import DealInput, deal_input
from portal.deals.models import Customer, DealLine, DealRegistration, DealStage, DealStatus
from portal.extensions import db


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_close_date(today: date | None = None) -> date:
    return add_months(today or clock.today(), int(get_setting("deal_max_close_months")))


def clean_deal_input(actor, data: DealInput | dict,
                     lines: list[dict] | None = None) -> tuple[dict, list[dict], dict]:
    """Validate a registration. Returns (fields, lines, errors); errors empty when fine.

    `data` is a `DealInput` (its `lines` included); a mapping of text with `lines` rows of
    {line_id, product_id, quantity} is parsed first by the form's field types. The customer is
    the chosen one of the actor's scope, else the one the search text names (exactly one match,
    or one with that exact name), else a new customer from the `customer_` fields. When the search
    text matches several, `fields["choices"]` lists them (the page offers them to choose from).
    """
    if not isinstance(data, DealInput):
        data = deal_input(data, lines or [])
    errors: dict = dict(data.errors)
    out: dict = {"choices": []}
    out["project_name"] = data.project_name
    if not out["project_name"]:
        errors["project_name"] = _l("Enter the project name.")
    elif len(out["project_name"]) > 200:
        errors["project_name"] = _l("The project name is too long (at most 200 characters).")

    out["customer"], out["new_customer"] = None, None
    if data.customer_id is not None:
        out["customer"] = db.session.scalar(customers_query(actor).where(
            Customer.id == data.customer_id))
        if out["customer"] is None:
            errors["customer_id"] = _l("Choose one of your customers, or enter a new one.")
    elif data.customer_q and not data.new_customer and "customer_id" not in errors:
        out["customer"] = _looked_up(actor, data.customer_q, out, errors)
    elif "customer_id" not in errors:
        out["new_customer"] = clean_customer_fields(
            {f: data.customer.get(f) for f in CUSTOMER_FIELDS}, errors, prefix="customer_")

    out["estimated_value_fen"] = data.estimated_value_fen or 0
    if out["estimated_value_fen"] < 0:
        errors["estimated_value"] = _l("The estimated value cannot be negative.")

    today = clock.today()
    close = data.expected_close_date
    if close is None:
        errors.setdefault("expected_close_date", _l("Enter the expected close date (YYYY-MM-DD)."))
    else:
        latest = latest_close_date(today)
        if close < today:
            errors["expected_close_date"] = _l("The expected close date is in the past.")
        elif close > latest:
            errors["expected_close_date"] = _l(
                "The expected close date may be at most %(months)s months ahead (until %(date)s).",
                months=get_setting("deal_max_close_months"), date=latest.isoformat())
    out["expected_close_date"] = close

    stage = data.stage or DealStage.QUALIFYING
    if stage not in {s.value for s in DealStage}:
        errors["stage"] = _l("Choose a stage.")
    out["stage"] = stage
    out["competitors"] = data.competitors
    out["notes"] = data.notes
    clean_lines = _clean_lines(data.lines, errors)
    if not clean_lines and "lines" not in errors:
        errors["lines"] = _l("Add at least one product line.")
    return out, clean_lines, errors


def _looked_up(actor, text: str, out: dict, errors: dict):
    """The customer of the actor's scope that `text` names, or None with the message why."""
    found = find_customers(actor, text, limit=11)
    exact = [c for c in found if c.name == text or (c.uscc or "") == text.upper()]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if found:
        out["choices"] = found[:10]
        errors["customer_q"] = _l("Several of your customers match “%(text)s”: choose one.",
                                  text=text)
    else:
        errors["customer_q"] = _l("None of your customers matches “%(text)s”. Check the name, "
                                  "or choose “a new customer” and enter it.", text=text)
    return None


def _clean_lines(rows: list[dict], errors: dict) -> list[dict]:
    if "lines" in errors:
        return []
    known_lines = {pl.id for pl in db.session.scalars(select(ProductLine))}
    wanted = {r["product_id"] for r in rows if r["product_id"] is not None}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(wanted)))} if wanted else {}
    clean = []
    for row in rows:
        line_id, product_id = row["line_id"], row["product_id"]
        if line_id is None and product_id is None:
            continue
        product = None
        if product_id is not None:
            product = products.get(product_id)
            if product is None or not product.active:
                errors["lines"] = _l("One of the products does not exist; choose it again.")
                continue
        if product is not None:
            if line_id is not None and line_id != product.line_id:
                errors["lines"] = _l("Choose a product line for every row (and a product of that "
                                     "line).")
                continue
            line_id = product.line_id
        if line_id not in known_lines:
            errors["lines"] = _l("Choose a product line for every row (and a product of that line).")
            continue
        clean.append({"line_id": line_id, "product_id": product.id if product else None,
                      "quantity": row["quantity"] or 1})
    return clean


def _number(prefix: str, obj) -> str:
    return f"{prefix}{clock.today().year}-{obj.id:05d}"


def save_deal(actor, deal: DealRegistration | None, data: DealInput | dict,
              lines: list[dict] | None = None) -> DealRegistration:
    """Create a draft registration, or change a draft (dealer users only)."""
    if not is_dealer(actor):
        raise PermissionDenied(_l("Only dealers register deals."))
    if deal is not None and deal.status != DealStatus.DRAFT:
        raise InvalidState(_l("Only a draft can be changed."))
    fields, clean_lines, errors = clean_deal_input(actor, data, lines)
    if errors:
        exc = ValidationError(_l("Please correct the marked fields."), errors)
        exc.choices = fields["choices"]
        raise exc
    fields.pop("choices")
    customer = fields.pop("customer")
    new_customer = fields.pop("new_customer")
    if customer is None:
        customer = save_customer(actor, None, new_customer)
    created = deal is None
    if created:
        deal = DealRegistration(dealer_id=actor.dealer_id, created_by_id=actor.id,
                                region_id=actor.dealer.region_id, status=DealStatus.DRAFT)
        db.session.add(deal)
    deal.customer_id = customer.id
    deal.customer = customer
    for key, value in fields.items():
        setattr(deal, key, value)
    deal.lines = [DealLine(**row) for row in clean_lines]
    db.session.flush()
    if created:
        deal.number = _number("R", deal)
    audit.record(actor, "deal.created" if created else "deal.updated", deal,
                 after={"project": deal.project_name, "customer": customer.name})
    return deal
