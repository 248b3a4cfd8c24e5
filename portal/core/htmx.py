"""htmx helpers: one template per page; an htmx request gets a named block of it.

How htmx answers are shaped, everywhere (the `htmx-config` meta in base.html holds the other half):
- a 422 is the form again, with its field errors and an error summary, swapped where the form is;
- any other error is a message (`error_response`), retargeted into `#flash-area`;
- a request that needs a login answers with `HX-Redirect` to the login page, which returns to the
  page the user was on (`login_redirect`), never the login page swapped into a table.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, render_template, request
from markupsafe import escape

from portal.core.urls import is_portal_path

#: Where htmx puts an error message (base.html has it at the top of <main>).
FLASH_AREA = "#flash-area"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-History-Restore-Request") != "true"


def render_page(template: str, *, block: str | None = None, **context) -> str:
    """Render the whole page, or only `block` of it when htmx asks for a fragment."""
    if block and is_htmx():
        from flask import current_app

        tmpl = current_app.jinja_env.get_template(template)
        ctx = tmpl.new_context(_template_context(context))
        return "".join(tmpl.blocks[block](ctx))
    return render_template(template, **context)


def error_response(message: str, status: int):
    """An error of an htmx request: the message, shown in the page's message area instead of
    in the element the request meant to replace."""
    response = make_response(f'<div class="flash error" role="alert">{escape(message)}</div>', status)
    response.headers["HX-Retarget"] = FLASH_AREA
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def current_page() -> str:
    """The path (and query) of the page an htmx request was sent from, else the request's own."""
    current = request.headers.get("HX-Current-URL", "")
    parts = urlsplit(current)
    if parts.netloc and parts.netloc == request.host:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if is_portal_path(path):
            return path
    return request.full_path if request.query_string else request.path


def login_redirect(login_url: str):
    """The answer to an htmx request whose session has ended: the whole page goes to `login_url`
    (which carries `current_page()` as its `next`)."""
    response = make_response("", 401)
    response.headers["HX-Redirect"] = login_url
    return response


def _template_context(context: dict) -> dict:
    from flask import current_app

    full = dict(context)
    current_app.update_template_context(full)
    return full
