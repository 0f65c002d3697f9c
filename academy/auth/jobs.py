"""Account e-mails, sent after the commit that asked for them."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from academy import mail
from academy.auth import services
from academy.auth.models import User
from academy.extensions import db


def send_password_reset(user_id: int) -> None:
    """E-mail a fresh password-reset link to the user."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return
    token = services.make_reset_token(user)
    url = f"{current_app.config['BASE_URL'].rstrip('/')}/reset-password/{token}"
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    context = {"user": user, "url": url, "minutes": minutes}
    mail.send_email(
        to=user.email,
        subject=_("Reset your Interreg Academy password"),
        text=render_template("auth/email/reset_password.txt", **context),
        html=render_template("auth/email/reset_password.html", **context),
    )


def _url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def send_registration_link(email: str, token: str) -> None:
    """E-mail the link that creates the account (the address is not in the database yet)."""
    hours = current_app.config["REGISTRATION_MAX_AGE"] // 3600
    context = {"url": _url(f"/register/confirm/{token}"), "hours": hours}
    mail.send_email(
        to=email,
        subject=_("Confirm your Interreg Academy account"),
        text=render_template("auth/email/confirm_registration.txt", **context),
    )


def send_account_exists(user_id: int) -> None:
    """Tell the owner of an address that someone tried to register it again, with the way back in."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    context = {"user": user, "login_url": _url("/login"), "reset_url": _url("/forgot-password")}
    mail.send_email(
        to=user.email,
        subject=_("You already have an Interreg Academy account"),
        text=render_template("auth/email/account_exists.txt", **context),
    )
