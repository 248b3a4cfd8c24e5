"""Pagination and form macros, and the health check."""
from __future__ import annotations

import html

from portal.core.pagination import Page


def render(app, source, url="/admin/users/", **context):
    with app.test_request_context(url):
        return html.unescape(app.jinja_env.from_string(source).render(**context))


def test_pagination_macro_middle_page_keeps_filters(app):
    out = render(app, '{% from "_macros/ui.html" import pagination %}{{ pagination(p) }}',
                 url="/admin/users/?role=finance&page=2",
                 p=Page(items=[], page=2, per_page=25, total=60))
    assert "Page 2 of 3" in out and "60 in all" in out
    assert 'href="/admin/users/?role=finance&page=1"' in out
    assert 'href="/admin/users/?role=finance&page=3"' in out


def test_pagination_macro_single_page(app):
    out = render(app, '{% from "_macros/ui.html" import pagination %}{{ pagination(p) }}',
                 p=Page(items=[], page=1, per_page=25, total=3))
    assert "3 in all" in out and "rel=" not in out


def test_pagination_edges():
    assert Page([], 1, 25, 0).pages == 1
    last = Page([], 3, 25, 51)
    assert last.has_prev and not last.has_next and last.pages == 3


def test_page_number_from_query(client, login_as, world):
    login_as(world.admin)
    assert client.get("/admin/users/?page=abc").status_code == 200
    assert client.get("/admin/users/?page=-4").status_code == 200
    body = client.get("/admin/users/?page=99").get_data(as_text=True)
    assert "a.sales@test.example" not in body


def test_sort_links_and_unknown_sort_falls_back(client, login_as, world):
    login_as(world.admin)
    body = client.get("/admin/users/?sort=-email").get_data(as_text=True)
    assert body.index("rep@test.example") < body.index("a.admin@test.example")
    assert client.get("/admin/users/?sort=password_hash").status_code == 200


def test_field_macro_shows_label_required_marker_and_errors(app):
    from portal.accounts.forms import DealerForm

    with app.test_request_context("/", method="POST", data={"code": ""}):
        form = DealerForm()
        form.region_id.choices = []
        form.validate()
        out = html.unescape(app.jinja_env.from_string(
            '{% from "_macros/forms.html" import field, form_errors %}'
            '{{ form_errors(form) }}{{ field(form.code) }}{{ field(form.city, help="Optional") }}'
        ).render(form=form))
    assert "Please correct the marked fields." in out
    assert '<label for="code">Dealer code <span aria-hidden="true">*</span></label>' in out
    assert 'aria-invalid="true"' in out
    assert '<small class="field-error" role="alert">Enter the dealer code.</small>' in out
    assert '<small class="muted">Optional</small>' in out


def test_raw_field_macro(app):
    out = render(app, '{% from "_macros/forms.html" import raw_field %}'
                      '{{ raw_field("qty", "Quantity", 3, type="number", error="Too many", required=True, min=1) }}')
    assert 'id="f-qty" name="qty" value="3"' in out and 'aria-invalid="true"' in out
    assert "required" in out and 'min="1"' in out and "Too many" in out


def test_healthz_ok(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from portal.extensions import db

    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(db.session, "execute", broken)
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "error", "checks": {"database": "error: ConnectionError"}}
