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


def send_welcome(user_id: int) -> None:
    """E-mail a short welcome to a newly registered user."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    url = current_app.config["BASE_URL"].rstrip("/") + "/"
    mail.send_email(
        to=user.email,
        subject=_("Welcome to the Interreg Academy"),
        text=render_template("auth/email/welcome.txt", user=user, url=url),
    )
