"""The API framework: the `api` blueprint, bearer-token authentication, `api_route` and rate limits.

A feature adds an endpoint in one decorator; its schemas go into the OpenAPI document by themselves:

    @api_route("/courses", query=CourseQuery, response=CoursePage, tags=["Courses"])
    def list_courses(query: dict) -> Page:
        '''List published courses.'''          # first line: summary; the rest: description
        ...

The view receives path arguments, `query=` (the loaded query schema) and `body=` (the loaded body
schema) as keyword arguments, and returns what the response schema dumps, optionally with a status
and headers: `obj`, `(obj, 201)` or `(obj, 201, {"Location": ...})`. `api_user()` and
`api_token()` give the caller. Raise `ApiProblem`, `academy.exceptions.*` or `abort()` for errors.

The session cookie plays no part here: a browser that is logged in is still anonymous to the API,
so a page on another site cannot make a visitor's browser read or change anything through it.
"""

from __future__ import annotations

import hashlib
import json as _json
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import NotFound as HTTPNotFound

from academy.api import problems, services
from academy.api.fields import INT32_MAX, SAFE_INPUT_FIELDS
from academy.api.models import ApiToken, Scope
from academy.api.problems import ApiProblem, InvalidInput
from academy.auth.models import User
from academy.core.actions import commit
from academy.db import utcnow
from academy.extensions import csrf, limiter, login_manager

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # authenticated by bearer tokens only, which a foreign page cannot send
problems.register(bp)

REALM = "Academy API"
DEFAULT_TOKEN_LIMIT = "120 per minute;3000 per hour"
DEFAULT_IP_LIMIT = "300 per minute"
MULTIPART = "multipart/form-data"


@dataclass
class Operation:
    """One documented API operation: a method on a path, with its schemas and needs."""

    endpoint: str
    rule: str
    method: str
    view: Callable[..., Any]
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    scope: str | None = None
    tags: list[str] = field(default_factory=list)
    errors: tuple[int, ...] = ()
    summary: str = ""
    description: str = ""
    body_media: str = "application/json"
    response_media: tuple[str, ...] = ()
    max_body: Callable[[], int] | None = None


OPERATIONS: list[Operation] = []
_SCHEMA_INSTANCES: dict[type[Schema], Schema] = {}


def _schema(cls: type[Schema]) -> Schema:
    # Schemas hold no per-request state, so one instance per class serves every request.
    if cls not in _SCHEMA_INSTANCES:
        _SCHEMA_INSTANCES[cls] = cls()
    return _SCHEMA_INSTANCES[cls]


# --- who is calling -------------------------------------------------------------------------


def _bearer() -> str | None:
    """The token in `Authorization: Bearer ...`, '' for another or malformed scheme, None if absent."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return ""
    return value.strip()


def _challenge(error: str | None = None, description: str | None = None, scope: str | None = None) -> str:
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


@bp.before_request
def _identify() -> None:
    """Authenticate the bearer token, if any; ignore the session cookie entirely."""
    # Flask-Login would otherwise load the cookie's user for `current_user`.
    g._login_user = login_manager.anonymous_user()
    g.api_token = None
    raw = _bearer()
    if raw is None:
        return
    if raw == "":
        # Another scheme counts as no credentials: RFC 6750 puts no error code in that challenge.
        raise ApiProblem(
            401,
            "Send the token as `Authorization: Bearer <token>`.",
            kind="authentication-required",
            headers={"WWW-Authenticate": _challenge()},
        )
    now = utcnow()
    token = services.authenticate(raw, now=now)
    if token is None:
        raise ApiProblem(
            401,
            kind="invalid-token",
            headers={"WWW-Authenticate": _challenge("invalid_token", "The token is unknown, revoked or expired")},
        )
    if token.last_used_at == now:  # noted just now: keep it even if the request fails later
        commit()
    g.api_token = token


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.add("Vary", "Authorization")
    if g.get("api_token") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def api_token() -> ApiToken | None:
    """The token this request authenticated with, or None."""
    return g.get("api_token")


def api_user() -> User | None:
    """The user whose token this request carries, or None."""
    token = api_token()
    return token.user if token is not None else None


def require_scope(scope: str) -> ApiToken:
    """The request's token if it carries `scope`; 401 without a token, 403 without the scope."""
    token = api_token()
    if token is None:
        raise ApiProblem(
            401,
            kind="authentication-required",
            headers={"WWW-Authenticate": _challenge()},
        )
    if not token.allows(scope):
        raise ApiProblem(
            403,
            f"This operation needs a token with the `{scope}` scope.",
            kind="insufficient-scope",
            headers={"WWW-Authenticate": _challenge("insufficient_scope", scope=scope)},
        )
    return token


# --- rate limits ----------------------------------------------------------------------------


def _token_key() -> str:
    # A hash, so the secret never lands in the limiter's storage.
    return "token:" + hashlib.sha256((_bearer() or "").encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _no_token() -> bool:
    return not _bearer()


limiter.shared_limit(
    lambda: current_app.config.get("API_RATELIMIT_PER_TOKEN", DEFAULT_TOKEN_LIMIT),
    scope="api-token",
    key_func=_token_key,
    exempt_when=_no_token,
)(bp)
limiter.shared_limit(
    lambda: current_app.config.get("API_RATELIMIT_PER_IP", DEFAULT_IP_LIMIT),
    scope="api-ip",
    key_func=get_remote_address,
)(bp)


# --- input ----------------------------------------------------------------------------------


def _check_input_schema(cls: type[Schema]) -> None:
    """Refuse input schemas whose fields could let bad input reach the database (see api.fields)."""
    for name, fld in cls().load_fields.items():
        inner = [fld]
        if isinstance(fld, fields.List):
            inner.append(fld.inner)
        for f in inner:
            if not isinstance(f, SAFE_INPUT_FIELDS):
                raise TypeError(
                    f"{cls.__name__}.{name}: use academy.api.fields (Text, Integer) instead of {type(f).__name__}"
                )


def load_query(cls: type[Schema]) -> dict[str, Any]:
    """The query string loaded through `cls`; a list field takes every value of a repeated parameter."""
    schema = _schema(cls)
    data: dict[str, Any] = {}
    for name, fld in schema.load_fields.items():
        key = fld.data_key or name
        if key in request.args:
            data[key] = request.args.getlist(key) if isinstance(fld, fields.List) else request.args.get(key)
    try:
        return schema.load(data)
    except ValidationError as err:
        raise InvalidInput(err, "query") from None


def load_form(cls: type[Schema]) -> dict[str, Any]:
    """A multipart/form-data body loaded through `cls` (its file parts too): 415 for another media type."""
    if request.mimetype != MULTIPART:
        raise ApiProblem(415, "Send the body as `multipart/form-data`.", kind="unsupported-media-type")
    schema = _schema(cls)
    data: dict[str, Any] = {}
    for name, fld in schema.load_fields.items():
        key = fld.data_key or name
        if key in request.files:
            data[key] = request.files[key]
        elif key in request.form:
            data[key] = request.form[key]
    # Parts the schema does not know are an error, as unknown JSON fields are.
    for key in (*request.form.keys(), *request.files.keys()):
        data.setdefault(key, request.form.get(key, ""))
    try:
        return schema.load(data)
    except ValidationError as err:
        raise InvalidInput(err, "body") from None


def load_body(cls: type[Schema]) -> dict[str, Any]:
    """The JSON body loaded through `cls`: 415 for another media type, 400 for bad JSON, 422 for bad values."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiProblem(415, kind="unsupported-media-type")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiProblem(400, "The request body is empty; send a JSON object.", kind="malformed-request")
    try:
        data = _json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiProblem(400, "The request body is not valid JSON.", kind="malformed-request") from None
    try:
        return _schema(cls).load(data)
    except ValidationError as err:
        raise InvalidInput(err, "body") from None


def _check_path_args(values: dict[str, Any]) -> None:
    # Values no row can have answer 404 here rather than reach the database and fail there.
    for value in values.values():
        if isinstance(value, int) and not 0 <= value <= INT32_MAX:
            raise HTTPNotFound()
        if isinstance(value, str):
            if "\x00" in value:
                raise HTTPNotFound()
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise HTTPNotFound() from None


# --- output ---------------------------------------------------------------------------------


def _render(op: Operation, rv: Any) -> Response:
    if isinstance(rv, Response):
        return rv
    status, headers = op.status, {}
    if isinstance(rv, tuple):
        rv, status, *rest = rv
        headers = rest[0] if rest else {}
    if op.response is None:
        response = current_app.response_class(status=status)
    else:
        response = jsonify(_schema(op.response).dump(rv))
        response.status_code = status
    response.headers.update(headers)
    return response


# --- the decorator --------------------------------------------------------------------------


def api_route(
    rule: str,
    *,
    method: str = "GET",
    methods: Iterable[str] | None = None,
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    scope: str | None = None,
    tags: Iterable[str] = (),
    errors: Iterable[int] = (),
    body_media: str = "application/json",
    response_media: Iterable[str] = (),
    max_body: Callable[[], int] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Register an API operation on `rule` (relative to /api/v1) and describe it in the OpenAPI document.

    `scope` is "read" or "write" (a token is then required), or None for public operations.
    `errors` lists extra error statuses the view may answer with (e.g. 409); the usual ones
    (401, 403, 404, 415, 422, 429) are documented from the other arguments. `methods=["PATCH"]`
    is accepted for `method="PATCH"`; one operation has one method.

    `body_media="multipart/form-data"` takes the body as form parts (files through
    `academy.api.fields.FilePart`), with `max_body()` bytes allowed instead of the app-wide limit.
    `response_media` lists the media types of a view that returns file content (a Response)
    instead of JSON.
    """
    if methods is not None:
        methods = list(methods)
        if len(methods) != 1:
            raise ValueError("api_route takes one method per operation; decorate one view per method")
        method = methods[0]
    method = method.upper()
    if scope is not None:
        scope = Scope(scope).value
    for cls in (query, body):
        if cls is not None:
            _check_input_schema(cls)

    def decorator(func: Callable[..., Any]) -> Callable[..., Response]:
        doc = (func.__doc__ or "").strip()
        summary, _sep, description = doc.partition("\n")
        op = Operation(
            endpoint=func.__name__,
            rule=rule,
            method=method,
            view=func,
            query=query,
            body=body,
            response=response,
            status=status,
            scope=scope,
            tags=list(tags),
            errors=tuple(errors),
            summary=summary.strip(),
            description=textwrap.dedent(description).strip(),
            body_media=body_media,
            response_media=tuple(response_media),
            max_body=max_body,
        )

        @wraps(func)
        def view(**path_args: Any) -> Response:
            _check_path_args(path_args)
            if op.scope is not None:
                require_scope(op.scope)
            kwargs = dict(path_args)
            if op.query is not None:
                kwargs["query"] = load_query(op.query)
            if op.body is not None and op.body_media == MULTIPART:
                if op.max_body is not None:
                    request.max_content_length = op.max_body()  # before the form is parsed
                kwargs["body"] = load_form(op.body)
            elif op.body is not None:
                kwargs["body"] = load_body(op.body)
            return _render(op, func(**kwargs))

        bp.add_url_rule(rule, endpoint=func.__name__, view_func=view, methods=[method])
        OPERATIONS.append(op)
        return view

    return decorator
