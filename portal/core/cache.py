"""What one app process keeps for its whole life, beside the app itself."""
from __future__ import annotations

from flask import current_app


def per_app(name: str) -> dict:
    """A dict kept with the current app for what is the same for the app's whole life in one
    process (built navigation, URLs, statements, clients). Never data another process could
    change, unless every use checks it against the database first (the rebate progress,
    `portal.rebates.progress.progress_for`)."""
    return current_app.extensions.setdefault(f"portal.{name}", {})
