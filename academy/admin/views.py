"""Administration: users and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from academy.admin.forms import RoleForm, UserFilterForm
from academy.auth import services
from academy.auth.models import User
from academy.exceptions import ServiceError
from academy.extensions import db
from academy.security import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {"trainer": _l("a trainer"), "admin": _l("an admin")}


@bp.get("/")
@admin_required
def index():  # noqa: ANN201
    """The admin landing page."""
    return redirect(url_for(".users"))


@bp.get("/users")
@admin_required
def users():  # noqa: ANN201
    """List and search users."""
    query = request.args.get("q", "").strip()[:100]
    filters = UserFilterForm(request.args)
    role = filters.role.data if filters.role.data in ("trainer", "admin") else ""
    page = request.args.get("page", 1, type=int)
    pagination = services.search_users(query, role=role, page=max(page, 1))
    return render_template(
        "admin/users.html", pagination=pagination, query=query, filters=filters, role_form=RoleForm()
    )


@bp.post("/users/<int:user_id>/roles")
@admin_required
def set_role(user_id: int):  # noqa: ANN201
    """Grant or remove trainer or admin."""
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    granted = form.action.data == "grant"
    try:
        services.set_role(user, form.role.data, granted, actor=current_user._get_current_object())
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        message = (
            _("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[form.role.data])
            if granted
            else _("%(name)s is no longer %(role)s.", name=user.name, role=ROLE_LABELS[form.role.data])
        )
        flash(message, "success")
    return redirect(url_for(".users", q=request.form.get("q") or None))
