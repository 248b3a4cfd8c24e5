"""Matrix entries of the head-office inbox (DESIGN §3.9): channel managers, director, finance."""
from __future__ import annotations

from tests.routes import CHANGED, Route, expect

INBOX = {"channel_manager", "other_region_cm", "sales_director", "finance"}

ROUTES = [
    Route("inbox.index", "/inbox/", expect(INBOX)),
    Route("inbox.index", "/inbox/?kind=order&dealer=DA001&min=1&max=99999999", expect(INBOX)),
    Route("inbox.bulk", "/inbox/bulk", expect(INBOX, ok=CHANGED), method="POST",
          data=lambda w: {"item": [f"order:{w.order_submitted_3.id}"], "action": "approve"}),
]
