"""Static files: fingerprinted names, compressed, cached by browsers for a year.

Two well-kept libraries, no code of our own that serves files:
- Flask-Static-Digest (`flask digest compile`, run by `make setup`) writes each file of `static/`
  again under a name with its MD5 (`css/app-<md5>.css`) plus gzip and brotli copies, and a
  `cache_manifest.json`; templates' `url_for('static', filename=...)` then names the digested file.
  Without a compile (a fresh checkout, the tests) the plain names are used.
- WhiteNoise serves `static/` in front of Flask: the brotli or gzip copy to a browser that accepts
  it (`Vary: Accept-Encoding`), digested names with `Cache-Control: max-age=<a year>, public,
  immutable`, plain names with `max-age=0` (revalidated: their content may change).
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, current_app
from flask_static_digest import FlaskStaticDigest
from whitenoise import WhiteNoise

#: The digest Flask-Static-Digest puts in a name: `app-<32 hex>.css`.
DIGESTED = re.compile(r"-[0-9a-f]{32}\.[A-Za-z0-9]+$")
ONE_YEAR = 365 * 24 * 60 * 60

class StaticFiles(WhiteNoise):
    #: What WhiteNoise sends for an immutable (digested) file: a year, not its default ten.
    FOREVER = ONE_YEAR


def _headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def _stale(root: str, manifest: dict) -> bool:
    """True when a file of `manifest` changed after its digested copy was written."""
    base = Path(root)
    for source, digested in manifest.items():
        copy = base / digested
        if not copy.exists() or (base / source).stat().st_mtime > copy.stat().st_mtime:
            return True
    return False


def init_app(app: Flask) -> None:
    app.config.setdefault("FLASK_STATIC_DIGEST_COMPRESSION", ["gzip", "brotli"])
    app.config.setdefault("FLASK_STATIC_DIGEST_BLACKLIST_FILTER", [".md"])
    digest = app.extensions["static_digest"] = FlaskStaticDigest(app)
    if _stale(app.static_folder, digest.manifests.get("static", {})):
        # A file changed since the last compile: its digested copy is old, so name none of them.
        app.logger.warning("static/ changed since `flask digest compile`; serving plain names "
                           "until `make static` runs")
        digest.manifests["static"] = {}
    app.wsgi_app = StaticFiles(
        app.wsgi_app, root=app.static_folder, prefix=app.static_url_path, max_age=0,
        allow_all_origins=False, add_headers_function=_headers,
        immutable_file_test=lambda path, url: bool(DIGESTED.search(url)))


def static_url(endpoint: str, **values) -> str:
    """The URL of a static file, digested when `flask digest compile` has run."""
    return current_app.extensions["static_digest"].static_url_for(endpoint, **values)
