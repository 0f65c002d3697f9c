"""Error pages: HTML for browsers, problem+json for the API."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from academy.extensions import db
from academy.ops.logs import current_request_id

MESSAGES = {
    400: (_l("Bad request"), _l("We could not understand the request. Check the form and try again.")),
    403: (
        _l("Access denied"),
        _l(
            "You do not have permission to see this page. "
            "If you think you should, ask your course trainer or an administrator."
        ),
    ),
    404: (
        _l("Page not found"),
        _l(
            "The page you asked for does not exist or is no longer available. "
            "Check the address, or start again from the catalogue."
        ),
    ),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Try a smaller file.")),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. Nothing you did caused it; please try again in a moment."),
    ),
    503: (
        _l("Service unavailable"),
        _l("Academy is briefly unavailable. Your saved work is safe; please try again in a minute."),
    ),
}


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and a lost database."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def wants_json() -> bool:
    """True for API paths and clients that prefer JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, detail: str | None = None):  # noqa: ANN201
    """Render the page (or problem+json) for an HTTP status."""
    title, message = MESSAGES.get(code, (_l("Error"), _l("Something went wrong.")))
    request_id = current_request_id() if code >= 500 else ""
    if wants_json():
        body = {"type": "about:blank", "title": str(title), "status": code, "detail": detail or str(message)}
        if request_id:
            body["request_id"] = request_id
        response = jsonify(body)
        response.status_code = code
        response.mimetype = "application/problem+json"
        return response
    return render_template(
        "errors/error.html", code=code, title=title, message=message, detail=detail, request_id=request_id
    ), code


def _http_error(error: HTTPException):
    code = error.code or 500
    detail = None if code in MESSAGES else error.description
    if code == 400 and error.description != BadRequest.description:
        detail = error.description  # said on purpose (e.g. the input guard): worth showing
    response = render_error(code, detail)
    headers = error.get_response().headers
    extra = {k: v for k, v in headers.items() if k in ("Retry-After", "Allow", "WWW-Authenticate")}
    if isinstance(response, tuple):
        body, status = response
        return body, status, extra
    response.headers.update(extra)  # problem+json keeps them too (405 must name the allowed methods)
    return response


def _csrf_error(error: CSRFError):
    return render_error(400, str(_l("Your form expired or was sent from another site. Reload the page and try again.")))


def _database_error(error: OperationalError):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("database unavailable")
    response = make_response(render_error(503))
    response.headers["Retry-After"] = "60"
    return response


def _unexpected_error(error: Exception):
    from flask import current_app

    if isinstance(error, HTTPException):
        return _http_error(error)
    db.session.rollback()
    current_app.logger.exception("unhandled error", exc_info=error)
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_EXCEPTIONS", True):
        raise error
    return render_error(InternalServerError.code)
