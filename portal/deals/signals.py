"""What the deals domain announces, for the domains built on it to answer.

Deals do not import the conflicts domain (conflicts import deals): the conflict check of a
submission, the cases shown beside a registration or lead and the open cases counted on the
dashboard come from receivers that `portal.conflicts.wiring.init_app` connects. Without a
receiver (the conflicts domain not installed) a submission opens no case and shows none.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent when a registration is submitted or a lead recorded: `send(actor, deal=…)` or
#: `send(actor, lead=…)`; a receiver returns the conflict cases it opened.
record_submitted = _signals.signal("record-submitted")

#: `send(actor, deal=…)` or `send(actor, lead=…)`: a receiver returns the cases of that record
#: which `actor` may see, in order.
related_cases = _signals.signal("related-cases")


def collect(signal, actor, **record) -> list:
    """The receivers' answers to `signal`, joined into one list."""
    return [item for _receiver, items in signal.send(actor, **record) for item in items or ()]
