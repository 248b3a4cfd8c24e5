"""Domain errors raised by services and translated by views into messages and status codes."""
from __future__ import annotations


class DomainError(Exception):
    """Base class. `message` is already translated (lazy) text for the user."""

    status_code = 400

    def __init__(self, message, **details):
        super().__init__(str(message))
        self.message = message
        self.details = details


class ValidationError(DomainError):
    """Input is wrong; `errors` maps field names to messages. Nothing was changed."""

    status_code = 422

    def __init__(self, message, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class InvalidState(DomainError):
    """The object is not in a state that allows the action."""

    status_code = 409


class Conflict(DomainError):
    """Somebody else decided first (optimistic lock lost, or a step already decided)."""

    status_code = 409
