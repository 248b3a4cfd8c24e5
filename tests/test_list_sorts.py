"""Every sort a list offers answers, for every role that opens the list.

The pages are the route × role matrix's GET pages (tests/markup.py); from each, the test follows
the links to the same page that change its sort (the column headers of `sort_link`, both
directions) and its paging, and asserts each answers 200 with a page. `/orders/?sort=total` once
answered 500 while the form fuzz test, which sends typed values rather than the offered links,
passed.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from tests.conftest import log_in
from tests.fuzzing import parse_page
from tests.markup import ROLES, _pages_of


def _sort_links(page_url: str, html: str) -> set[str]:
    path = urlsplit(page_url).path
    found = set()
    for link in parse_page(page_url, html).links:
        parts = urlsplit(link)
        if parts.path == path and "sort" in dict(parse_qsl(parts.query)):
            found.add(link)
    return found


def test_every_offered_sort_answers_for_every_role(app, world, db):
    followed = 0
    failures = []
    for role in ROLES[1:]:
        client = app.test_client()
        log_in(client, world.users[role])
        pages = {route.resolve_url(world) for route in _pages_of(role)}
        for url in sorted(u for u in pages if "format=" not in u):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            ascending = _sort_links(url, response.get_data(as_text=True))
            for link in sorted(ascending):
                answer = client.get(link)
                followed += 1
                if answer.status_code != 200:
                    failures.append(f"{role} {link} → {answer.status_code}")
                    continue
                # The header just followed now offers the other direction.
                for other in sorted(_sort_links(link, answer.get_data(as_text=True)) - ascending):
                    followed += 1
                    status = client.get(other).status_code
                    if status != 200:
                        failures.append(f"{role} {other} → {status}")
    assert not failures, "\n".join(failures)
    # Orders, registrations, leads, customers, conflicts, exceptions, prices, rebates, admin
    # lists and the scorecards offer sorts: many links, not a handful.
    assert followed > 100, followed
