"""Indexes the inbox reads by (it has no tables of its own).

The inbox reads each kind of waiting item in the order it started waiting, with a LIMIT: a
channel manager's region holds ten thousand submitted registrations at a large vendor's scale,
and without these the first page sorted all of them.
"""
from __future__ import annotations

from sqlalchemy import Index

from portal.deals.models import DealRegistration
from portal.orders.models import SalesOrder

Index("ix_deal_registration_region_status_submitted", DealRegistration.region_id,
      DealRegistration.status, DealRegistration.submitted_at, DealRegistration.id)
Index("ix_sales_order_region_status_created", SalesOrder.region_id, SalesOrder.status,
      SalesOrder.created_at, SalesOrder.id)
