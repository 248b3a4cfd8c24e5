"""Indexes the inbox reads by (it has no tables of its own).

The inbox reads each kind of waiting item in the order it started waiting, with a LIMIT, and
counts each kind up to a cap: a channel manager's region holds ten thousand submitted
registrations at a large vendor's scale. The partial indexes hold the waiting items only (a
twentieth of the registrations, a hundredth of the orders) with the columns the filters read
(PostgreSQL), so that a page's keys and a count are read from the index alone.
"""
from __future__ import annotations

from sqlalchemy import Index, text

from portal.deals.models import DealExtension, DealRegistration
from portal.orders.models import SalesOrder

Index("ix_deal_registration_region_status_submitted", DealRegistration.region_id,
      DealRegistration.status, DealRegistration.submitted_at, DealRegistration.id)
Index("ix_sales_order_region_status_created", SalesOrder.region_id, SalesOrder.status,
      SalesOrder.created_at, SalesOrder.id)

_SUBMITTED = text("status = 'submitted'")
Index("ix_deal_registration_waiting", DealRegistration.region_id, DealRegistration.submitted_at,
      DealRegistration.id, postgresql_where=_SUBMITTED, sqlite_where=_SUBMITTED,
      postgresql_include=["dealer_id", "estimated_value_fen"])
Index("ix_sales_order_waiting", SalesOrder.region_id, SalesOrder.created_at, SalesOrder.id,
      postgresql_where=_SUBMITTED, sqlite_where=_SUBMITTED, postgresql_include=["dealer_id", "total_fen"])
_PENDING = text("status = 'pending'")
Index("ix_deal_extension_waiting", DealExtension.requested_at, DealExtension.deal_id,
      postgresql_where=_PENDING, sqlite_where=_PENDING)
