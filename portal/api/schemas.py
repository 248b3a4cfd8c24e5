"""The request and response models of `/api/v1/` (pydantic v2).

Request models validate strictly: unknown fields, wrong types, numbers out of bounds and dates
that do not exist are 422. The same models generate the OpenAPI document
(`portal.api.framework.openapi_document`); response models describe what the endpoints answer and
the tests check the answers against them.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

API_DESCRIPTION = (
    "Token-authenticated JSON API of the dealer portal for dealers' and the vendor's ERP "
    "systems. A token acts with its user's role and scope: a dealer sees its own records, a "
    "channel manager those of its regions. Money is given twice: `*_fen` as an integer number "
    "of fen and `*` as a decimal string with two places (yuan). Lists return `items` and "
    "`next_cursor`; pass it as `cursor` for the next page. Errors are RFC 9457 "
    "`application/problem+json` with field errors in `errors`.")

IDEMPOTENCY_DOC = ("A unique key per intended request (e.g. a UUID). A retry with the same key "
                   "returns the first answer instead of doing the work again; the same key with "
                   "a different body is refused with 422.")

Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", description="Yuan with two decimals",
                             examples=["12345.60"])]
Fen = Annotated[int, Field(description="Integer fen (1 yuan = 100 fen)")]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Limit = Annotated[int, Field(ge=1, le=500, description="Items per page (1–500)")]
Cursor = Annotated[str, Field(max_length=400, description="`next_cursor` of the previous page")]
Code = Annotated[str, Field(max_length=20)]


class _Query(BaseModel):
    """Query strings arrive as text: numbers and dates are parsed from it, nothing else."""

    model_config = ConfigDict(extra="forbid")


class _Body(BaseModel):
    """JSON bodies: no unknown fields, no type coercion ("5" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict] | None = Field(
        None, description="Field errors: `pointer` (JSON pointer into the body) or `parameter` "
                          "(query parameter), and `detail`.")


# --- prices ----------------------------------------------------------------------------------------

class PricesQuery(_Query):
    dealer: Code | None = Field(None, description="Head office: the dealer code whose prices to "
                                                  "show (required for head-office tokens)")
    line: Code | None = Field(None, description="Product line code")
    q: Annotated[str, Field(max_length=100)] | None = Field(None, description="SKU or name contains")
    limit: Annotated[int, Field(ge=1, le=5000)] = 1000
    cursor: Cursor | None = None


class Price(BaseModel):
    sku: str
    name: str
    unit: str
    product_line: str
    list_price: Money
    list_price_fen: Fen
    discount_bp: int = Field(description="The tier discount in basis points (1% = 100)")
    net_price: Money
    net_price_fen: Fen


class PriceList(BaseModel):
    dealer: str
    tier: str
    price_list: str
    on_date: date
    items: list[Price]
    next_cursor: str | None


# --- orders ----------------------------------------------------------------------------------------

OrderStatus = Literal["submitted", "confirmed", "rejected", "cancelled"]


class OrdersQuery(_Query):
    status: OrderStatus | None = None
    dealer: Code | None = Field(None, description="Head office: a dealer code")
    date_from: date | None = Field(None, alias="from", description="Order date on or after")
    date_to: date | None = Field(None, alias="to", description="Order date on or before")
    contract_no: Annotated[str, Field(max_length=60)] | None = None
    limit: Limit = 100
    cursor: Cursor | None = None


class OrderLineIn(_Body):
    sku: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]


class OrderIn(_Body):
    contract_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=60)]
    order_date: date
    registration: Annotated[str, Field(max_length=20)] | None = Field(
        None, description="Number of an approved, protected registration of the dealer: its "
                          "approved exception prices apply")
    customer_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = Field(
        None, description="One of the dealer's customers (else `customer_name`)")
    customer_name: Annotated[str, Field(max_length=200)] | None = None
    notes: Annotated[str, Field(max_length=2000)] = ""
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=200)]


class OrderLineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    list_price: Money
    list_price_fen: Fen
    net_price: Money
    net_price_fen: Fen
    unit_price: Money
    unit_price_fen: Fen
    price_source: Literal["net", "exception"]
    amount: Money
    amount_fen: Fen


class OrderOut(BaseModel):
    number: str
    dealer: str
    contract_no: str
    order_date: date
    status: OrderStatus
    customer_name: str
    registration: str | None
    total: Money
    total_fen: Fen
    created_at: datetime
    decided_at: datetime | None
    rejection_reason: str | None
    lines: list[OrderLineOut]


class OrderSummary(BaseModel):
    number: str
    dealer: str
    contract_no: str
    order_date: date
    status: OrderStatus
    customer_name: str
    total: Money
    total_fen: Fen
    created_at: datetime


class OrderList(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None


# --- registrations ---------------------------------------------------------------------------------

RegistrationStatus = Literal["draft", "submitted", "approved", "won", "lost", "expired",
                             "rejected", "in_conflict"]
Stage = Literal["qualifying", "solution", "quoting", "negotiation"]


class RegistrationsQuery(_Query):
    status: RegistrationStatus | None = None
    dealer: Code | None = Field(None, description="Head office: a dealer code")
    limit: Limit = 100
    cursor: Cursor | None = None


class NewCustomer(_Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    uscc: Annotated[str, Field(max_length=18)] | None = None
    domain: Annotated[str, Field(max_length=120)] | None = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    province: Annotated[str, Field(max_length=30)] = ""
    city: Annotated[str, Field(max_length=50)] = ""
    industry: Annotated[str, Field(max_length=50)] = ""


class RegistrationLineIn(_Body):
    product_line: Code = Field(description="Product line code")
    sku: Annotated[str, Field(max_length=60)] | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000)] = 1


class RegistrationIn(_Body):
    project_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=200)]
    customer_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = Field(
        None, description="One of the dealer's customers; else give `customer`")
    customer: NewCustomer | None = None
    estimated_value: Money | None = None
    expected_close_date: date
    stage: Stage = "qualifying"
    competitors: Annotated[str, Field(max_length=2000)] = ""
    notes: Annotated[str, Field(max_length=5000)] = ""
    lines: Annotated[list[RegistrationLineIn], Field(min_length=1, max_length=50)]
    submit: bool = Field(True, description="Submit at once (the conflict check runs); false "
                                           "keeps a draft")


class RegistrationLineOut(BaseModel):
    product_line: str
    sku: str | None
    quantity: int


class RegistrationOut(BaseModel):
    number: str
    dealer: str
    project_name: str
    customer_name: str
    status: RegistrationStatus
    status_note: str | None = Field(description="`in_conflict`: under review — a possible "
                                                "overlap with an existing registration")
    stage: Stage
    estimated_value: Money
    estimated_value_fen: Fen
    expected_close_date: date
    protected_until: date | None
    created_at: datetime
    submitted_at: datetime | None
    lines: list[RegistrationLineOut]


class RegistrationList(BaseModel):
    items: list[RegistrationOut]
    next_cursor: str | None


# --- statements ------------------------------------------------------------------------------------

class StatementsQuery(_Query):
    status: Literal["issued", "paid"] | None = None
    dealer: Code | None = Field(None, description="Head office: a dealer code")
    limit: Limit = 100
    cursor: Cursor | None = None


class StatementOut(BaseModel):
    number: str
    dealer: str
    program: str
    status: str
    issued_at: datetime
    qualifying_sales: Money
    qualifying_sales_fen: Fen
    entitlement: Money
    entitlement_fen: Fen
    adjustments: Money
    adjustments_fen: Fen
    prior: Money
    prior_fen: Fen
    net_payable: Money
    net_payable_fen: Fen
    paid_on: date | None
    pdf: str = Field(description="Path of the PDF")


class StatementList(BaseModel):
    items: list[StatementOut]
    next_cursor: str | None
