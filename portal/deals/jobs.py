"""Scheduled jobs of the deals domain: protection expiry and expiry reminders, daily."""
from __future__ import annotations

from huey import crontab

from portal.core.jobs import periodic
from portal.deals.services import expire_due, send_reminders


def run_daily(on_date=None) -> tuple[int, int]:
    """Expire registrations past their last protected day, then send the 7-day reminders."""
    expired = expire_due(on_date)
    reminded = send_reminders(on_date)
    return len(expired), len(reminded)


@periodic(crontab(hour="16", minute="5"))  # 00:05 Asia/Shanghai: the new business day
def expire_registrations() -> None:
    run_daily()
