"""Zero serious or critical axe-core violations on every page of every role in both languages
(issue 16 point 7), in the Chromium of the browser tests.

The pages are rendered by the app (tests/markup.py: the route × role matrix's pages); Chromium
gets each one, with the portal's CSP and its static files, from a route handler at
http://portal.test, and axe-core (vendored: tests/vendor/axe-core/) checks it there.
"""
from __future__ import annotations

import mimetypes
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.core.headers import CSP
from tests.markup import render_pages

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "tests/vendor/axe-core/axe.min.js"
ORIGIN = "http://portal.test"
SERIOUS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def test_no_serious_accessibility_violations_on_any_page(browser, app, world, db):
    pages = render_pages(app, world, db)
    assert len(pages) > 60
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    shown = {}

    def serve(route):
        path = urlsplit(route.request.url).path
        if path.startswith("/static/"):
            file = (ROOT / path.lstrip("/")).resolve()
            if file.is_file() and (ROOT / "static") in file.parents:
                route.fulfill(body=file.read_bytes(),
                              content_type=mimetypes.guess_type(file.name)[0] or "text/plain")
            else:
                route.fulfill(status=404, body="")
        elif route.request.resource_type == "document":
            route.fulfill(body=shown["html"], content_type="text/html; charset=utf-8",
                          headers={"Content-Security-Policy": CSP})
        else:
            route.fulfill(status=204, body="")  # htmx polling: nothing to swap

    page.route(f"{ORIGIN}/**", serve)
    axe = AXE.read_text(encoding="utf-8")
    found = []
    try:
        for rendered in pages:
            shown["html"] = rendered.html
            page.goto(ORIGIN + rendered.url, wait_until="load")
            page.evaluate(axe)  # through the DevTools protocol: the page's CSP does not apply
            for violation in page.evaluate(RUN_AXE):
                found.append((rendered, violation))
    finally:
        context.close()
    summary = Counter(f"{v['impact']} {v['id']}: {v['help']} {v['targets']}" for _, v in found)
    where = Counter(p.url for p, _ in found)
    assert not found, (
        f"{len(found)} serious/critical axe-core violations over {len(pages)} views:\n"
        + "\n".join(f"{n:4d} × {text}" for text, n in summary.most_common(30))
        + "\npages: " + ", ".join(f"{url} ({n})" for url, n in where.most_common(20)))
