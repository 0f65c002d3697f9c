"""Errors raised by services; views turn them into messages, the API into problem+json."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses; `field` names the form field at fault, if any."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    """The actor may not do this."""

    status = 403

    def __init__(self, message: str = "You do not have permission to do this.", *, field: str | None = None) -> None:
        super().__init__(message, field=field)


class NotFound(ServiceError):
    """The object does not exist or is not visible to the actor."""

    status = 404


class Conflict(ServiceError):
    """The request clashes with the current state (already exists, already done)."""

    status = 409
