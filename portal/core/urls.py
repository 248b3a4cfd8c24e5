"""Where the portal may send a browser: its own paths only (`next` parameters, notification links)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def is_portal_path(target: str | None) -> bool:
    """True for a path of the portal itself (`/deals/3?tab=history`), the only place a `next`
    parameter or a notification may send a browser. False for anything with a scheme or a host
    (`https://…`, `//evil.com`, `/\\evil.com`, `javascript:…`) and for control characters, which
    browsers drop from URLs (`/\t/evil.com` would become `//evil.com`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """`target` when it is a path of the portal, else `fallback` (the dashboard by default).
    Every redirect to a URL that came with a request goes through here."""
    if is_portal_path(target):
        return target
    return fallback or url_for("main.dashboard")
