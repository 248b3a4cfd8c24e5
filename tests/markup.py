"""Every page of every role, in both languages, rendered for the markup checks.

`tests/test_markup.py` runs the Nu HTML Checker over them, `tests/browser/test_markup_a11y.py`
runs axe-core over them in Chromium. The pages are the route × role matrix's (tests/routes/):
each GET route a role may open (200 expected), as that role, with the matrix's objects.
"""
from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import log_in
from tests.routes import all_routes

#: One user of each role (the matrix's "other_dealer" and "other_region_cm" see the same pages).
ROLES = ["anon", "dealer_admin", "dealer_sales", "sales_rep", "channel_manager",
         "sales_director", "finance", "admin"]
LANGUAGES = ["zh_CN", "en"]


@dataclass
class RenderedPage:
    role: str
    language: str
    url: str
    html: str

    @property
    def name(self) -> str:
        return f"{self.role} {self.language} {self.url}"


def _pages_of(role: str) -> list[str]:
    urls = []
    for route in all_routes():
        expected = route.expect.get(role)
        expected = expected if isinstance(expected, tuple) else (expected,)
        if route.method == "GET" and not route.headers and 200 in expected:
            urls.append(route)
    return urls


def render_pages(app, world, db) -> list[RenderedPage]:
    """The HTML of each page (status 200, a whole document) per role and language."""
    pages: list[RenderedPage] = []
    for role in ROLES:
        for language in LANGUAGES:
            client = app.test_client()
            headers = {"Accept-Language": "en" if language == "en" else "zh-CN"}
            if role != "anon":
                user = world.users[role]
                user.locale = language
                db.session.commit()
                log_in(client, user)
            seen = set()
            for route in _pages_of(role):
                url = route.resolve_url(world)
                if url in seen or "format=" in url:
                    continue
                seen.add(url)
                response = client.get(url, headers=headers)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                body = response.get_data(as_text=True)
                if body.lstrip().lower().startswith("<!doctype html>"):
                    pages.append(RenderedPage(role, language, url, body))
    return pages
