"""Static files under fingerprinted names, compressed, cached for a year (issue 16 point 8).

The app is pointed at a copy of `static/` compiled by Flask-Static-Digest (what `make setup`
does), so the test neither depends on nor changes the checkout's own compiled files.
"""
from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import brotli
import pytest
from flask_static_digest.digester import compile as digest_compile

from portal import create_app
from portal.core import static_files
from tests.conftest import TEST_CONFIG

STATIC = Path(__file__).resolve().parent.parent / "static"
SOURCES = ["css/pico.min.css", "css/app.css", "js/htmx.min.js", "js/app.js"]


@pytest.fixture
def compiled_app(databases, tmp_path):
    """A new app serving a compiled copy of static/."""
    root = tmp_path / "static"
    root.mkdir()
    for name in SOURCES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(STATIC / name, root / name)
    digest_compile(str(root) + "/", str(root) + "/", [".md"], True, True)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": databases.new(),
                      "STORAGE_DIR": str(tmp_path / "storage")})
    app.static_folder = str(root)
    static_files.init_app(app)
    yield app
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


def _page_assets(client) -> list[str]:
    body = client.get("/login").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', body)


def test_pages_name_digested_files_which_are_compressed_and_kept_a_year(compiled_app):
    client = compiled_app.test_client()
    assets = _page_assets(client)
    assert len(assets) == len(SOURCES)
    for url, source in zip(sorted(assets), sorted(SOURCES), strict=True):
        assert re.fullmatch(r"/static/(css|js)/[\w.]+-[0-9a-f]{32}\.(css|js)", url), url
        original = (STATIC / source).read_bytes()
        plain = client.get(url)
        assert plain.status_code == 200 and plain.data == original
        assert plain.headers["Cache-Control"] == "max-age=31536000, public, immutable"
        assert plain.headers["X-Content-Type-Options"] == "nosniff"
        br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert br.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in br.headers["Vary"]
        assert brotli.decompress(br.data) == original
        assert len(br.data) < len(original) / 2 or len(original) < 8000
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.data) == original


def test_sent_compressed_the_four_files_weigh_a_third(compiled_app):
    client = compiled_app.test_client()
    sent = sum(len(client.get(url, headers={"Accept-Encoding": "br"}).data)
               for url in _page_assets(client))
    raw = sum((STATIC / name).stat().st_size for name in SOURCES)
    assert sent < raw / 3, (sent, raw)


def test_a_plain_name_is_revalidated_and_the_csp_still_holds(compiled_app):
    client = compiled_app.test_client()
    resp = client.get("/static/css/app.css")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "max-age=0, public"
    page = client.get("/login")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.get_data(as_text=True)


def test_without_a_compile_the_plain_names_are_used(client, db):
    assets = _page_assets(client)
    manifest = (STATIC / "cache_manifest.json").exists()
    for url in assets:
        assert client.get(url).status_code == 200
        if not manifest:
            assert not re.search(r"-[0-9a-f]{32}\.", url)
