"""Scheduled job of the API: write the "last used" times that GET requests noted (every minute)."""
from __future__ import annotations

from datetime import timedelta

from huey import crontab
from sqlalchemy import delete

from portal.api import services
from portal.api.models import IdempotentRequest
from portal.core import clock
from portal.core.jobs import periodic
from portal.extensions import db

#: Stored answers of idempotent POSTs are kept this long; a retry after that runs again.
IDEMPOTENCY_KEEP = timedelta(days=2)


@periodic(crontab(minute="*"))
def record_token_use() -> None:
    services.record_token_use()


@periodic(crontab(hour="17", minute="20"))
def forget_idempotency_keys() -> None:
    db.session.execute(delete(IdempotentRequest).where(
        IdempotentRequest.created_at < clock.now() - IDEMPOTENCY_KEEP))
