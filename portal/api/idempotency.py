"""`Idempotency-Key` on the API's POSTs: a retried request answers the first one's response."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.api import framework
from portal.api.framework import json_response, problem
from portal.api.models import IdempotentRequest
from portal.core.errors import ValidationError
from portal.extensions import db


class PointerErrors(ValidationError):
    """Field errors already keyed by JSON pointer."""

    def __init__(self, errors: dict):
        super().__init__(_("The request body has invalid fields."), errors)



def idempotent(actor, name: str, run, renames: dict[str, str]):
    """Run `run()` → (status, body, location) once per `Idempotency-Key` and answer (the
    request commits both the work and the stored answer).

    Without the header the POST simply runs. With it, the key is claimed by inserting a row
    unique on (user, key) before the work: of two racing retries the second's insert waits for
    the first's transaction (PostgreSQL; on SQLite the write lock already serialises them), fails
    on the constraint once the first commits, and answers the first's stored response."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= 100 and key.isascii() and key.isprintable()):
        return problem(422, _("The Idempotency-Key header must be 1 to 100 printable ASCII "
                              "characters."), kind="validation",
                       errors=[{"header": "Idempotency-Key", "detail": _("Invalid key.")}])
    fingerprint = framework.request_fingerprint()
    claim = None
    if key is not None:
        earlier = _stored(actor.id, key)
        if earlier is not None:
            return _replay(earlier, name, fingerprint)
        claim = IdempotentRequest(user_id=actor.id, key=key, operation=name,
                                  request_hash=fingerprint, status_code=0, response={})
        try:
            with db.session.begin_nested():  # a lost claim undoes the claim alone
                db.session.add(claim)
        except IntegrityError:
            earlier = _stored(actor.id, key)
            if earlier is None:
                return problem(409, _("A request with this Idempotency-Key is still running; "
                                      "retry in a moment."), kind="in-progress",
                               headers={"Retry-After": "1"})
            return _replay(earlier, name, fingerprint)
    try:
        status, body, location = run()
    except ValidationError as exc:  # a 4xx answer: the request's writes are rolled back
        if isinstance(exc, PointerErrors):
            errors = [{"pointer": k, "detail": str(v)} for k, v in exc.errors.items()]
            return problem(422, str(exc.message), kind="validation", errors=errors)
        return framework.invalid(exc, renames)
    if claim is not None:
        claim.status_code = status
        claim.response = {"body": body, "location": location}
    response = json_response(body, status)
    if location:
        response.headers["Location"] = location
    return response


def _stored(user_id: int, key: str) -> IdempotentRequest | None:
    return db.session.scalar(select(IdempotentRequest).where(
        IdempotentRequest.user_id == user_id, IdempotentRequest.key == key))


def _replay(earlier: IdempotentRequest, name: str, fingerprint: str):
    if earlier.operation != name or earlier.request_hash != fingerprint:
        return problem(422, _("This Idempotency-Key was already used for a different request."),
                       kind="idempotency-key-reused",
                       errors=[{"header": "Idempotency-Key", "detail": _("Key reused.")}])
    response = json_response(earlier.response["body"], earlier.status_code)
    if earlier.response.get("location"):
        response.headers["Location"] = earlier.response["location"]
    response.headers["Idempotent-Replayed"] = "true"
    return response
