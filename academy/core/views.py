"""Home page and health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user

from academy import home as home_panels

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


@bp.get("/")
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
