"""The OpenAPI 3.1 document, generated with apispec from the operations `api_route` registered."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, jsonify

from academy.api import core
from academy.api.core import OPERATIONS, Operation, bp
from academy.api.fields import INT32_MAX, FilePart
from academy.api.problems import MEDIA_TYPE
from academy.api.schemas import Problem

TITLE = "Interreg Academy API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Read the course catalogue and your profile, your enrolments with progress per module and per "
    "learning outcome, quiz results, certificates, communities and notifications; enrol, post in your "
    "communities and mark notifications read; verify any certificate by its code. "
    "Authenticate with a personal access token created "
    "on your account page, sent as `Authorization: Bearer <token>`. Errors are RFC 9457 problem "
    "documents (`application/problem+json`)."
)

TAGS: dict[str, str] = {}

# Reusable error responses, by status.
ERROR_RESPONSES: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The request is malformed (e.g. the body is not JSON)."),
    401: ("Unauthorized", "No token, or a token that is unknown, revoked or expired."),
    403: ("Forbidden", "The token lacks the scope, or its user the right, to do this."),
    404: ("NotFound", "There is no such resource, or it is not visible to you."),
    409: ("Conflict", "The request clashes with the current state."),
    413: ("ContentTooLarge", "The body is larger than the server accepts."),
    415: ("UnsupportedMediaType", "The body is not of the media type the operation takes (mostly `application/json`)."),
    422: ("UnprocessableContent", "Some values are missing or invalid; `errors` names each field."),
    429: ("TooManyRequests", "Too many requests for this token or address; see `Retry-After`."),
}

_RATE_HEADERS = {
    "Retry-After": ("integer", "Seconds until the budget is refilled."),
    "X-RateLimit-Limit": ("integer", "Requests allowed in the current window."),
    "X-RateLimit-Remaining": ("integer", "Requests left in the current window."),
    "X-RateLimit-Reset": ("integer", "When the window resets, in seconds since the epoch."),
}

_RULE_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def describe_tag(name: str, description: str) -> None:
    """Give a tag a description for the document and the documentation page."""
    TAGS[name] = description


def _openapi_path(rule: str) -> str:
    return _RULE_ARG.sub(lambda m: "{" + m.group("name") + "}", rule)


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for match in _RULE_ARG.finditer(rule):
        converter = match.group("converter") or "string"
        if converter == "int":
            schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": INT32_MAX}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        params.append({"in": "path", "name": match.group("name"), "required": True, "schema": schema})
    return params


def _error_codes(op: Operation) -> list[int]:
    codes = {401, 429, *op.errors}  # any request may carry a bad token, and any may be limited
    if op.scope is not None:
        codes.add(403)
    if _RULE_ARG.search(op.rule):
        codes.add(404)
    if op.query is not None or op.body is not None:
        codes.add(422)
    if op.body is not None:
        codes.update({400, 413, 415})
    return sorted(codes)


def _operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op.endpoint, "summary": op.summary, "tags": op.tags or ["Other"]}
    if op.description:
        out["description"] = op.description
    parameters = _path_parameters(op.rule)
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {op.body_media: {"schema": op.body}}}
    if op.response_media:
        content = {media: {"schema": {"type": "string", "contentMediaType": media}} for media in op.response_media}
        success: dict[str, Any] = {"description": "The file's content.", "content": content}
    elif op.response is None:
        success: dict[str, Any] = {"description": "Done; no content."}
    else:
        success = {"description": "Success.", "content": {"application/json": {"schema": op.response}}}
    responses: dict[str, Any] = {str(op.status): success}
    for code in _error_codes(op):
        responses[str(code)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[code][0]}"}
    out["responses"] = responses
    if op.scope is not None:
        out["security"] = [{"bearerAuth": [op.scope]}]
    else:
        out["security"] = [{}, {"bearerAuth": []}]
    return out


def _file_part(_converter: Any, field: Any, **_kwargs: Any) -> dict[str, Any]:
    if isinstance(field, FilePart):
        return {"type": "string", "contentMediaType": "application/octet-stream"}
    return {}


def build_spec() -> dict[str, Any]:
    """The OpenAPI document as a dict."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[plugin],
        info={"description": DESCRIPTION},
        servers=[{"url": bp.url_prefix}],
    )
    # A file part of a multipart body: OpenAPI 3.1 spells binary content as a string of a media type.
    plugin.converter.add_attribute_function(_file_part)
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "acd_ followed by 42 letters and digits",
            "description": "A personal access token. Scopes: `read` (GET) and `write` (changes; implies read).",
        },
    )
    spec.components.schema("Problem", schema=Problem)
    for code, (name, description) in ERROR_RESPONSES.items():
        response: dict[str, Any] = {"description": description, "content": {MEDIA_TYPE: {"schema": "Problem"}}}
        if code == 429:
            response["headers"] = {
                header: {"description": text, "schema": {"type": kind}}
                for header, (kind, text) in _RATE_HEADERS.items()
            }
        if code in (401, 403):
            response["headers"] = {
                "WWW-Authenticate": {"description": "The Bearer challenge (RFC 6750).", "schema": {"type": "string"}}
            }
        spec.components.response(name, response)
    used_tags: list[str] = []
    for op in OPERATIONS:
        for tag in op.tags or ["Other"]:
            if tag not in used_tags:
                used_tags.append(tag)
        spec.path(path=_openapi_path(op.rule), operations={op.method.lower(): _operation(op)})
    for tag in used_tags:
        spec.tag({"name": tag, **({"description": TAGS[tag]} if tag in TAGS else {})})
    return spec.to_dict()


def get_spec(app: Flask | None = None) -> dict[str, Any]:
    """The document, built once per application."""
    app = app or current_app
    cache = app.extensions.setdefault("academy_api", {})
    if "spec" not in cache:
        cache["spec"] = build_spec()
    return cache["spec"]


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document of this API."""
    response = jsonify(get_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


__all__ = ["build_spec", "core", "describe_tag", "get_spec"]
