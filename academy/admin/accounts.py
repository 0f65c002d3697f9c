"""Administration of one user: roles, enrolments, certificates, memberships; deactivate, reset link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from academy.admin.blueprint import bp
from academy.admin.forms import ConfirmForm, RoleForm
from academy.auth import jobs as auth_jobs
from academy.auth import services
from academy.auth.models import User
from academy.certificates.models import Certificate
from academy.community.models import Membership
from academy.core.actions import request_action
from academy.courses.models import Enrolment
from academy.extensions import db
from academy.jobs import enqueue_after_commit
from academy.security import admin_required


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/users/<int:user_id>")
@admin_required
def user_detail(user_id: int):  # noqa: ANN201
    """Everything an admin needs about one account, with its actions."""
    user = _user(user_id)
    enrolments = db.session.scalars(
        select(Enrolment)
        .options(joinedload(Enrolment.course))
        .where(Enrolment.user_id == user.id)
        .order_by(Enrolment.enrolled_at.desc())
    ).all()
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at.desc())
    ).all()
    memberships = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.community))
        .where(Membership.user_id == user.id)
        .order_by(Membership.requested_at.desc())
    ).all()
    return render_template(
        "admin/user.html",
        user=user,
        enrolments=enrolments,
        certificates=certificates,
        memberships=memberships,
        role_form=RoleForm(),
        confirm=ConfirmForm(),
    )


@bp.post("/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):  # noqa: ANN201
    """Deactivate or reactivate an account (form field `active` = 1 or 0)."""
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    with request_action() as done:
        services.set_active(user, active, actor=current_user._get_current_object())
    if done:
        message = (
            _("%(name)s can sign in again.", name=user.name)
            if active
            else _("%(name)s is deactivated: they cannot sign in and were signed out everywhere.", name=user.name)
        )
        flash(message, "success")
    return redirect(url_for(".user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/password-reset")
@admin_required
def send_password_reset(user_id: int):  # noqa: ANN201
    """E-mail the user a password-reset link (the same one they would ask for themselves)."""
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        services.admin_password_reset(user)
        enqueue_after_commit(auth_jobs.send_password_reset, user.id)
    if done:
        flash(_("A password-reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for(".user_detail", user_id=user_id))
