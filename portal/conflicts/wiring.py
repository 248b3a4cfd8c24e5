"""How the conflicts domain plugs into the app: conflict cases between registrations and
leads; it answers the deals domain's signals.

`portal.app.DOMAINS` lists this module; `create_app`, the CLI and the worker go through that list.
"""
from __future__ import annotations

from portal.conflicts import detection, services, views
from portal.core import labels
from portal.deals import signals


def init_app(app) -> None:
    labels.register(**views.LABELS)
    labels.register(**views.OVERLAP_LABELS)
    app.register_blueprint(views.bp)
    signals.record_submitted.connect(detection.detect)
    signals.related_cases.connect(services.cases_of_record)
