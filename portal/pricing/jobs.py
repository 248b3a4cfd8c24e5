"""Scheduled job of the pricing domain: approved exceptions past their validity become expired.

The price function never applies an exception after its `valid_until` anyway (checked on read);
this job only brings the status shown on the pages in line.
"""
from __future__ import annotations

from huey import crontab

from portal.core.jobs import periodic
from portal.pricing.workflow import expire_due


@periodic(crontab(hour="16", minute="10"))  # 00:10 Asia/Shanghai: the new business day
def expire_exceptions() -> None:
    expire_due()
