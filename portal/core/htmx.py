"""htmx helpers: one template per page; an htmx request gets a named block of it."""
from __future__ import annotations

from flask import render_template, request


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


def _template_context(context: dict) -> dict:
    from flask import current_app

    full = dict(context)
    current_app.update_template_context(full)
    return full
