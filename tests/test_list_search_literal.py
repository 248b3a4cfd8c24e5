"""A list's search reads `%` and `_` as the characters typed, not as wildcards.

Every GET page of the route × role matrix is opened with each text field of its own filter form
set to `%`, then to `_`: no name, number, e-mail or audit action of the test world contains
either, so every list that shows rows without the filter must show none with it ("Nothing
matches these filters."). As LIKE wildcards, `%` matched every row (`/admin/dealers?q=%` listed
every dealer), and `_` every row with a value.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from tests.conftest import log_in
from tests.fuzzing import parse_page
from tests.markup import ROLES, _pages_of

EMPTY = 'class="empty-list"'

#: Searches that must be seen with rows and found empty: (path, field).
MUST_COVER = {
    ("/orders/", "q"), ("/deals/", "q"), ("/customers/", "q"), ("/leads/", "q"),
    ("/exceptions/", "q"), ("/admin/dealers/", "q"), ("/admin/users/", "q"),
    ("/admin/audit/", "actor"), ("/admin/catalog/products/", "q"),
}

#: Text fields that are not searches: amounts, an object's id, a dealer's exact code (each has
#: its own test of what it does with text it cannot read).
NOT_SEARCHES = {("/inbox/", "min"), ("/inbox/", "max"), ("/admin/audit/", "object_id"),
                ("/prices/", "dealer")}


def _search_fields(url: str, html: str) -> list[str]:
    path = urlsplit(url).path
    names = []
    for form in parse_page(url, html).forms:
        if form.method == "GET" and urlsplit(form.action).path == path:
            names += [f.name for f in form.fields.values()
                      if f.kind in ("text", "search") and f.name
                      and (path, f.name) not in NOT_SEARCHES]
    return names


def test_percent_and_underscore_match_only_themselves(app, world, db):
    covered = set()
    failures = []
    for role in ROLES[1:]:
        client = app.test_client()
        log_in(client, world.users[role])
        for url in sorted({r.resolve_url(world) for r in _pages_of(role)}):
            if "format=" in url or "?" in url:
                continue
            page = client.get(url)
            if page.status_code != 200 or page.mimetype != "text/html":
                continue
            html = page.get_data(as_text=True)
            for name in _search_fields(url, html):
                for typed in ("%", "_"):
                    answer = client.get(f"{url}?{urlencode({name: typed})}")
                    body = answer.get_data(as_text=True)
                    if answer.status_code != 200:
                        failures.append(f"{role} {url} {name}={typed} → {answer.status_code}")
                    elif EMPTY not in html and EMPTY not in body:
                        failures.append(f"{role} {url} {name}={typed} still lists rows")
                    elif EMPTY not in html:
                        covered.add((urlsplit(url).path, name))
    assert not failures, "\n".join(failures)
    assert MUST_COVER <= covered, sorted(MUST_COVER - covered)
