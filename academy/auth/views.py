"""Account pages: register, log in and out, reset and change password, profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from academy.auth import forms, jobs, registration, services, throttle
from academy.core.actions import request_action
from academy.extensions import db, limiter
from academy.jobs import enqueue_after_commit

bp = Blueprint("auth", __name__)

AUTH_LIMIT = "10 per minute;50 per hour"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _log_in(user, *, remember: bool) -> None:  # noqa: ANN001
    # A fresh session at login: nothing from before survives (session fixation).
    session.clear()
    with request_action():
        services.start_session(user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def register():  # noqa: ANN201
    """Ask for an account; the answer never tells whether the address has one already (see registration.py)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            pending = registration.start(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                organisation=form.organisation.data,
                country=form.country.data,
            )
            if not throttle.allow_mail_to(pending.email):
                pass  # the same answer; the address had its share of these e-mails for now
            elif pending.existing_user_id is not None:
                enqueue_after_commit(jobs.send_account_exists, pending.existing_user_id)
            else:
                enqueue_after_commit(jobs.send_registration_link, pending.email, pending.token)
        if done:
            hours = current_app.config["REGISTRATION_MAX_AGE"] // 3600
            return render_template("auth/register_sent.html", email=form.email.data, hours=hours)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def confirm_registration(token: str):  # noqa: ANN201
    """Finish registering from the e-mailed link; GET only asks, since mail scanners open links."""
    details = registration.read(token)
    if details is None:
        hours = current_app.config["REGISTRATION_MAX_AGE"] // 3600
        return render_template("auth/register_invalid.html", hours=hours), 400
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    if request.method == "GET":
        return render_template("auth/register_confirm.html", details=details)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        user = registration.complete(details)
    if not done:
        return redirect(url_for(".login"))
    _log_in(user, remember=False)
    flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect(url_for("core.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():  # noqa: ANN201
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _log_in(user, remember=bool(form.remember.data))
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
        db.session.rollback()
        flash(_("The e-mail address or password is not right."), "error")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    """Log out here: the server forgets this session, so a copied cookie stops working."""
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with request_action():
        services.end_session(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    response = redirect(url_for("core.home"))
    # session.clear() dropped Flask-Login's own "clear the cookie" mark: delete the remember-me cookie here.
    response.delete_cookie(
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        domain=current_app.config.get("REMEMBER_COOKIE_DOMAIN"),
        path=current_app.config.get("REMEMBER_COOKIE_PATH", "/"),
        secure=bool(current_app.config.get("REMEMBER_COOKIE_SECURE")),
        httponly=True,
        samesite=current_app.config.get("REMEMBER_COOKIE_SAMESITE"),
    )
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def forgot_password():  # noqa: ANN201
    """Send a reset link; the answer is the same whether or not the e-mail is registered."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        with request_action():
            user = services.request_password_reset(form.email.data)
            if user is not None:
                enqueue_after_commit(jobs.send_password_reset, user.id)
        return render_template("auth/forgot_sent.html", email=form.email.data)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):  # noqa: ANN201
    """Choose a new password from an e-mailed link; the link works once and expires."""
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            notices = services.reset_password(user, form.password.data)
        if done:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password has been changed. Log in with your new password."), "success")
            for notice in notices:
                flash(notice, "warning")
            return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form, user=user), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():  # noqa: ANN201
    """See and edit the profile."""
    user = current_user._get_current_object()
    form = forms.ProfileForm(obj=user)
    if form.validate_on_submit():
        with request_action(form) as done:
            services.update_profile(
                user,
                name=form.name.data,
                organisation=form.organisation.data,
                country=form.country.data,
                timezone=form.timezone.data,
            )
        if done:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("auth.profile"))
    status = 400 if form.is_submitted() else 200
    other_sessions = [s for s in user.sessions if s.id != user.current_session.id]
    return render_template(
        "auth/profile.html",
        form=form,
        user=user,
        other_sessions=other_sessions,
        signout_form=forms.EmptyForm(),
    ), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():  # noqa: ANN201
    """Change the password; every other browser is logged out."""
    user = current_user._get_current_object()
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            notices = services.change_password(
                user, current_password=form.current_password.data, new_password=form.new_password.data
            )
        if done:
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            for notice in notices:
                flash(notice, "warning")
            return redirect(url_for("auth.profile"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():  # noqa: ANN201
    """Log out every other browser this account is logged in on."""
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    with request_action():
        count = services.end_other_sessions(current_user._get_current_object())
    flash(_("Logged out of %(n)d other sessions.", n=count), "success")
    return redirect(url_for("auth.profile"))
