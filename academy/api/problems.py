"""RFC 9457 problem details: every error under /api/v1 is `application/problem+json`."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, json, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from academy.exceptions import ServiceError
from academy.extensions import db

MEDIA_TYPE = "application/problem+json"
DOCS_PATH = "/api/docs"

# Problem types we name; each has an anchor on the documentation page.
PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "validation-error": (422, "Invalid input", "One or more values were missing or not acceptable; see `errors`."),
    "malformed-request": (400, "Malformed request", "The body is not valid JSON, or a header is not understood."),
    "unsupported-media-type": (415, "Unsupported media type", "Send request bodies as `application/json`."),
    "authentication-required": (401, "Authentication required", "Send a personal access token as a Bearer token."),
    "invalid-token": (401, "Invalid token", "The token is unknown, revoked or expired."),
    "insufficient-scope": (403, "Insufficient scope", "The token lacks the scope this operation needs."),
    "edit-conflict": (
        409,
        "Edit conflict",
        "Someone changed the same words since your base revision; nothing was saved. The body gives back your text.",
    ),
    "rate-limited": (429, "Too many requests", "Wait until the time in `Retry-After` before trying again."),
}

# Response headers of an HTTP error worth keeping on its problem document.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def type_uri(slug: str) -> str:
    """The URI reference naming a problem type: its anchor on the documentation page."""
    return f"{DOCS_PATH}#problem-{slug}"


class ApiProblem(Exception):
    """Raise in an API view to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or "")
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """A problem+json response; `kind` is one of PROBLEM_TYPES, or None for a plain HTTP error.

    `extra` adds members of the problem type (RFC 9457 extensions), e.g. a conflict's text.
    """
    if kind is not None:
        _status, title, default_detail = PROBLEM_TYPES[kind]
        body: dict[str, Any] = {"type": type_uri(kind), "title": title, "status": status}
    else:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        body = {"type": "about:blank", "title": phrase, "status": status}
        default_detail = None
    if detail or default_detail:
        body["detail"] = detail or default_detail
    body["instance"] = request.path
    if errors is not None:
        body["errors"] = errors
    for name, value in (extra or {}).items():
        body.setdefault(name, value)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, location: str, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested error dict as a flat list of {location, field, message}."""
    out: list[dict[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten_messages(value, location, name))
    elif isinstance(messages, list | tuple):
        for item in messages:
            out.extend(flatten_messages(item, location, prefix))
    else:
        out.append({"location": location, "field": prefix, "message": str(messages)})
    return out


class InvalidInput(Exception):
    """A marshmallow ValidationError together with where the input came from."""

    def __init__(self, error: ValidationError, location: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.location = location


def register(bp: Blueprint) -> None:
    """Answer every error raised inside the blueprint with a problem document."""
    bp.register_error_handler(ApiProblem, _api_problem)
    bp.register_error_handler(InvalidInput, _invalid_input)
    bp.register_error_handler(ValidationError, _validation_error)
    bp.register_error_handler(ServiceError, _service_error)
    bp.register_error_handler(HTTPException, _http_exception)
    bp.register_error_handler(OperationalError, _database_unavailable)
    bp.register_error_handler(Exception, _unexpected)


def _api_problem(error: ApiProblem) -> Response:
    return problem_response(
        error.status, error.detail, kind=error.kind, errors=error.errors, headers=error.headers, extra=error.extra
    )


def _invalid_input(error: InvalidInput) -> Response:
    return problem_response(422, kind="validation-error", errors=flatten_messages(error.error.messages, error.location))


def _validation_error(error: ValidationError) -> Response:
    return problem_response(422, kind="validation-error", errors=flatten_messages(error.messages, "body"))


def _service_error(error: ServiceError) -> Response:
    db.session.rollback()
    if error.field and error.status == 400:
        errors = [{"location": "body", "field": error.field, "message": error.message}]
        return problem_response(422, error.message, kind="validation-error", errors=errors)
    return problem_response(error.status, error.message)


def _http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    headers = {k: v for k, v in error.get_response().headers.items() if k in _KEPT_HEADERS}
    if code == 429:
        return problem_response(429, f"Rate limit exceeded: {error.description}.", kind="rate-limited", headers=headers)
    # Werkzeug's descriptions are generic English sentences, safe to show.
    return problem_response(code, error.description, headers=headers)


def _database_unavailable(error: OperationalError) -> Response:
    # The blueprint's catch-all below would turn a lost database into a 500; it is a 503, as on pages.
    db.session.rollback()
    current_app.logger.exception("database unavailable (API)")
    detail = "The service is briefly unavailable; please try again in a minute."
    return problem_response(503, detail, headers={"Retry-After": "60"})


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_exception(error)
    db.session.rollback()
    current_app.logger.exception("unhandled error in the API", exc_info=error)
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_EXCEPTIONS", True):
        raise error
    return problem_response(500, "An unexpected error happened on our side; please try again later.")
