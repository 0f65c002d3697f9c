"""Home page and health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user

from academy import home as home_panels
from academy.core import private_cache

bp = Blueprint("core", __name__)


def first_name(name: str) -> str:
    """The first word of a full name ("Lena" for "Lena Learner"), or the whole name."""
    return (name or "").split(maxsplit=1)[0] if (name or "").strip() else ""


# A login session that starts this soon after the account was created is the account's first.
FIRST_SESSION_WINDOW = timedelta(minutes=30)


def is_first_visit(user) -> bool:  # noqa: ANN001
    """True in the first login session of a new account (say "Welcome", not "Welcome back")."""
    session = getattr(user, "current_session", None)
    if session is None or session.created_at is None or user.created_at is None:
        return False
    return session.created_at - user.created_at < FIRST_SESSION_WINDOW


def _not_admin() -> bool:
    # The admin's start page counts failed jobs and undelivered notifications, rows no stamp follows.
    return not current_user.is_anonymous and not current_user.has_role("admin")


def _teaches() -> bool:
    return current_user.has_role("trainer")  # essays to grade and attendance are other people's rows


@bp.get("/")
@private_cache.cacheable(others=_teaches, when=_not_admin)
def home():  # noqa: ANN201
    """The landing page for visitors; a personal start page for a signed-in user."""
    if not current_user.is_authenticated:
        return render_template("core/home.html")
    rendered = home_panels.render_panels(home_panels.panels())
    stylesheets = list(dict.fromkeys(sheet for item in rendered for sheet in item.panel.stylesheets))
    return render_template(
        "core/start.html",
        panels=rendered,
        stylesheets=stylesheets,
        first_name=first_name(current_user.name),
        first_visit=is_first_visit(current_user),
    )
