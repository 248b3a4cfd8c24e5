"""One unit of work per request, per job and per CLI command: the only place that commits.

A request (`PortalFlask.dispatch_request`) runs its view, then, for a request that may write
(anything but GET and HEAD):

- the answer's status is below 400 → commit, once; `after_commit` callbacks (jobs queued with
  `enqueue_after_commit`) run then. A redirect carrying a new object's id is fine: services
  flush, so ids exist before the commit.
- the answer is a 4xx or 5xx response the view returned → roll back: a view that answers an
  error never keeps half of its writes (its messages stay: they say what went wrong).
- the view raised → roll back, forget what the view flashed, then the exception goes to the error handlers (`portal.web`:
  `DomainError` → its status, `StaleDataError`/`IntegrityError` → 409), unless the view said
  how to answer it with `on_invalid` / `on_error` (re-render its form with the messages).

A failure of the commit itself (a lost race on PostgreSQL, a value the database refuses) is
handled like an exception of the view. GET and HEAD only read (`portal.db.read_without_transaction`):
nothing is committed, the session is closed at the end of the app context.

Views therefore never call `commit()` or `rollback()`; a view that must know the outcome of its
writes before it answers (a race it reports in its own words) calls `db.session.flush()`.
Jobs commit in their runner (`portal.core.jobs.task`, `periodic`), CLI commands in theirs
(`CommandGroup`, or `@committed` for a single command).

Modelled on indico's `RH.process` (commit once after the handler, roll back on error).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, flash, g, redirect, request, session
from flask.cli import AppGroup

from portal.core.errors import ValidationError
from portal.extensions import db

#: Requests that only read; nothing they do is committed.
READ_METHODS = frozenset({"GET", "HEAD"})


def on_error(types, render: Callable, *, form=None, status: int = 422) -> None:
    """Answer an exception of `types` raised later in this request (by the view or by the
    commit) with `render(exc)` instead of the error page. The transaction is rolled back
    first, so `render` reads committed state. When `form` (a WTForms form) is given, the
    exception's field messages (`exc.errors`) are put on its fields. `render` may return a
    response, `(body, status)`, or a body, which gets `status`. `render` may raise (a
    `Conflict` with a better message): the error handlers answer that."""
    g.setdefault("portal_recovery", []).append((types, render, form, status))


def on_invalid(render: Callable, *, form=None, status: int = 422) -> None:
    """Re-render the view's form when a service refuses the input (`ValidationError`):
    roll back, put the messages on `form`'s fields if given, answer `render(exc)` with 422."""
    on_error(ValidationError, render, form=form, status=status)


def back_to(url: str, *, field_messages: bool = False) -> Callable:
    """A `render` for `on_invalid`/`on_error` of an action posted from another page: flash the
    error's message (with `field_messages`, its field messages when it has any) and go back to
    `url` with 303."""

    def render(exc):
        errors = getattr(exc, "errors", None) if field_messages else None
        flash(" ".join(str(m) for m in errors.values()) if errors else str(exc.message), "error")
        return redirect(url), 303

    return render


def errors_to_form(form, exc) -> None:
    """Put a `ValidationError`'s field messages on a WTForms form's fields; its message, and a
    message for a field the form does not have, are flashed."""
    errors = getattr(exc, "errors", None) or {}
    for name, message in errors.items():
        field = getattr(form, name, None) if isinstance(name, str) else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(message)]
        else:
            flash(str(message), "error")
    if not errors:
        flash(str(exc.message), "error")


def _recovery_for(exc):
    for types, render, form, status in reversed(g.get("portal_recovery", [])):
        if isinstance(exc, types):
            return render, form, status
    return None


def run_request(app: Flask, dispatch: Callable):
    """Run the view of this request as one unit of work (see the module's docstring)."""
    g.pop("portal_recovery", None)  # an app context shared by requests (tests) starts clean
    writes = request.method not in READ_METHODS and request.method != "OPTIONS"
    # What the view flashed as done must not outlive a rollback ("saved" when nothing was).
    flashes = list(session.get("_flashes", ())) if writes else None
    try:
        response = app.make_response(dispatch())
        if writes:
            if response.status_code < 400:
                db.session.commit()
            else:
                db.session.rollback()
        return response
    except Exception as exc:
        db.session.rollback()
        if writes and session.get("_flashes", []) != flashes:
            session["_flashes"] = flashes
            if not flashes:
                session.pop("_flashes")
        recovery = _recovery_for(exc)
        if recovery is None:
            raise
        render, form, status = recovery
        if form is not None:
            errors_to_form(form, exc)
        rv = render(exc)
        if not isinstance(rv, tuple) and not hasattr(rv, "status_code"):
            rv = (rv, status)
        response = app.make_response(rv)
        db.session.rollback()  # what `render` read; it wrote nothing
        return response


class PortalFlask(Flask):
    """Flask, with every view run as one unit of work (`run_request`)."""

    def dispatch_request(self):
        return run_request(self, super().dispatch_request)


def committed(fn):
    """A CLI command (or any function run outside a request) as one unit of work: commit when
    it returns, roll back when it raises."""

    @wraps(fn)
    def run(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    return run


class CommandGroup(AppGroup):
    """A `flask` command group whose commands each run as one unit of work (`committed`): a
    command changes state through services and never commits itself."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(fn):
            return register(committed(fn))

        return decorator
