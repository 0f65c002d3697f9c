"""Login sessions checked on the server, role decorators and security headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import TypeVar

from flask import Flask, Response, abort, current_app, request
from flask_login import current_user, login_required

from academy.auth import services
from academy.extensions import login_manager

F = TypeVar("F", bound=Callable)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    # Lessons may embed videos from these players only (academy.lesson_markdown.VIDEO_ORIGINS).
    "frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Wire Flask-Login to server-side sessions and add headers to every response."""
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=app.config["REMEMBER_COOKIE_DURATION_DAYS"]))
    login_manager.user_loader(_load_user)

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    app.after_request(_security_headers)
    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _load_user(token: str):
    return services.load_session_user(token)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    hsts = current_app.config.get("HSTS")
    if hsts and (request.is_secure or current_app.config.get("HSTS_ALWAYS")):
        headers.setdefault("Strict-Transport-Security", hsts)
    # `is_anonymous` is a constant of the user class: unlike `is_authenticated` (the account's
    # active flag) it does not read the user again after a view committed.
    if not current_user.is_anonymous:
        # Pages for a logged-in user must not be kept by shared caches or the back button.
        headers.setdefault("Cache-Control", "no-store")
    return response


def role_required(role: str) -> Callable[[F], F]:
    """Require a logged-in user holding `role`; others get 403 (anonymous users go to login)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):  # noqa: ANN002, ANN003
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def admin_required(view: F) -> F:
    """Require the admin role."""
    return role_required("admin")(view)


def trainer_required(view: F) -> F:
    """Require the trainer role (admins pass too)."""
    return role_required("trainer")(view)
