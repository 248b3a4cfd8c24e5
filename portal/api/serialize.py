"""Objects → the JSON of `/api/v1/` (shapes described by `portal.api.schemas`).

Plain dicts rather than pydantic serialisation: the price list answers 5,000 rows in a few
milliseconds this way. Money appears twice: integer fen, and yuan as a string with two places.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.catalog.models import PriceListItem, Product, ProductLine
from portal.db import contains_any
from portal.deals.models import DealRegistration
from portal.deals.services import effective_status
from portal.extensions import db


def yuan(fen: int) -> str:
    """Integer fen → `"1234.50"` (exact: integer arithmetic, no float)."""
    if fen < 0:
        return "-" + yuan(-fen)
    return f"{fen // 100}.{fen % 100:02d}"


def _iso(value):
    return value.isoformat() if value is not None else None


def price_rows(price_list_id: int, query, after: list | None):
    """Rows (id, sku, name, unit, line_id, line_code, list_price_fen) of the list in force, by
    SKU, `query.limit + 1` of them after the cursor."""
    stmt = (select(Product.id, Product.sku, Product.name, Product.unit, Product.line_id,
                   ProductLine.code.label("line_code"), PriceListItem.list_price_fen)
            .join(PriceListItem, PriceListItem.product_id == Product.id)
            .join(ProductLine, ProductLine.id == Product.line_id)
            .where(PriceListItem.price_list_id == price_list_id, Product.active.is_(True)))
    if query.line:
        stmt = stmt.where(ProductLine.code == query.line)
    if query.q:
        stmt = stmt.where(contains_any((Product.sku, Product.name), query.q))
    if after:
        stmt = stmt.where((Product.sku > after[0]) | ((Product.sku == after[0])
                                                      & (Product.id > after[1])))
    stmt = stmt.order_by(Product.sku, Product.id).limit(query.limit + 1)
    # Core rows straight from the connection: the ORM's row processing cost more than the query.
    return db.session.connection().execute(stmt).all()


def order_summary(order) -> dict:
    return {"number": order.number, "dealer": order.dealer.code,
            "contract_no": order.contract_no, "order_date": order.order_date.isoformat(),
            "status": order.status, "customer_name": order.customer_name,
            "total": yuan(order.total_fen), "total_fen": order.total_fen,
            "created_at": _iso(order.created_at)}


def order_out(order) -> dict:
    registration = None
    if order.deal_id is not None:
        registration = db.session.scalar(select(DealRegistration.number)
                                         .where(DealRegistration.id == order.deal_id))
    out = order_summary(order)
    del out["created_at"]
    out.update({
        "registration": registration, "created_at": _iso(order.created_at),
        "decided_at": _iso(order.decided_at), "rejection_reason": order.rejection_reason,
        "lines": [{
            "sku": ln.product.sku, "name": ln.product.name, "quantity": ln.quantity,
            "list_price": yuan(ln.list_price_fen), "list_price_fen": ln.list_price_fen,
            "net_price": yuan(ln.net_price_fen), "net_price_fen": ln.net_price_fen,
            "unit_price": yuan(ln.unit_price_fen), "unit_price_fen": ln.unit_price_fen,
            "price_source": ln.price_source, "amount": yuan(ln.amount_fen),
            "amount_fen": ln.amount_fen} for ln in order.lines]})
    return out


#: What a registration held for review says — never who the other party is.
UNDER_REVIEW = "under review — a possible overlap with an existing registration"


def registration_out(deal) -> dict:
    status = effective_status(deal)
    return {
        "number": deal.number, "dealer": deal.dealer.code, "project_name": deal.project_name,
        "customer_name": deal.customer.name, "status": status,
        "status_note": UNDER_REVIEW if status == "in_conflict" else None,
        "stage": deal.stage, "estimated_value": yuan(deal.estimated_value_fen),
        "estimated_value_fen": deal.estimated_value_fen,
        "expected_close_date": deal.expected_close_date.isoformat(),
        "protected_until": _iso(deal.protected_until), "created_at": _iso(deal.created_at),
        "submitted_at": _iso(deal.submitted_at),
        "lines": [{"product_line": ln.line.code, "sku": ln.product.sku if ln.product else None,
                   "quantity": ln.quantity} for ln in deal.lines],
    }


def statement_out(s) -> dict:
    out = {"number": s.number, "dealer": s.dealer.code, "program": s.program.name,
           "status": s.status, "issued_at": _iso(s.issued_at),
           "paid_on": _iso(s.paid_on), "pdf": f"/api/v1/statements/{s.number}.pdf"}
    for name in ("qualifying_sales", "entitlement", "adjustments", "prior", "net_payable"):
        fen = getattr(s, f"{name}_fen")
        out[name], out[f"{name}_fen"] = yuan(fen), fen
    return out
