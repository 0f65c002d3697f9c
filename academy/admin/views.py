"""Administration: users and their roles, and the signing keys."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from academy.admin import accounts, communities  # noqa: F401  (their routes join this blueprint)
from academy.admin.blueprint import bp
from academy.admin.forms import CreateKeyForm, RetireKeyForm, RoleForm, UserFilterForm
from academy.admin.start import attention
from academy.auth import services
from academy.auth.models import User
from academy.certificates import keys as seal_keys
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.credentials import keys
from academy.credentials.models import KeyStatus
from academy.extensions import db
from academy.inputs import page_arg
from academy.security import admin_required

log = logging.getLogger(__name__)

ROLE_LABELS = {"trainer": _l("a trainer"), "admin": _l("an admin")}


@bp.get("/")
@admin_required
def index():  # noqa: ANN201
    """The admin start page: what needs an admin, and where everything is."""
    return render_template("admin/index.html", **attention())


@bp.get("/users")
@admin_required
def users():  # noqa: ANN201
    """List and search users."""
    query = request.args.get("q", "").strip()[:100]
    filters = UserFilterForm(request.args)
    role = filters.role.data if filters.role.data in ("trainer", "admin") else ""
    page = page_arg()
    pagination = services.search_users(query, role=role, page=page)
    return render_template(
        "admin/users.html", pagination=pagination, query=query, filters=filters, role_form=RoleForm()
    )


@bp.post("/users/<int:user_id>/roles")
@admin_required
@confirm_first(
    _l("Make this person an administrator?"),
    _l("Administrators can change every account, course and community, and give roles to others."),
    _l("Make administrator"),
    when=lambda: request.form.get("action") == "grant" and request.form.get("role") == "admin",
)
def set_role(user_id: int):  # noqa: ANN201
    """Grant or remove trainer or admin."""
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    granted = form.action.data == "grant"
    with request_action() as done:
        services.set_role(user, form.role.data, granted, actor=current_user._get_current_object())
    if done:
        message = (
            _("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[form.role.data])
            if granted
            else _("%(name)s is no longer %(role)s.", name=user.name, role=ROLE_LABELS[form.role.data])
        )
        flash(message, "success")
    if request.form.get("back") == "detail":
        return redirect(url_for(".user_detail", user_id=user.id))
    return redirect(url_for(".users", q=request.form.get("q") or None))


# ---------------------------------------------------------------------------- signing keys


def _keys_page(create_form: CreateKeyForm | None = None, status: int = 200):
    every = keys.all_keys()
    active = {}
    for key in every:
        if key.status == KeyStatus.ACTIVE:
            active[key.algorithm] = active.get(key.algorithm, 0) + 1
    try:
        seal, seal_error = seal_keys.describe_seal(), ""
    except seal_keys.SigningConfigError as err:
        seal, seal_error = None, str(err)
    page = render_template(
        "admin/keys.html",
        keys=every,
        counts=keys.signed_counts(),
        missing={k.kid for k in every if k.status == KeyStatus.ACTIVE and not keys.has_private(k.kid)},
        active=active,
        seal=seal,
        seal_error=seal_error,
        create_form=create_form or CreateKeyForm(),
        retire_form=RetireKeyForm(),
    )
    return page, status


@bp.get("/keys")
@admin_required
def signing_keys():  # noqa: ANN201
    """Credential keys (create, retire) and the certificate seal key (read-only)."""
    return _keys_page()


@bp.post("/keys")
@admin_required
def create_key():  # noqa: ANN201
    """Create a credential key through the service the CLI uses; it signs from now on."""
    form = CreateKeyForm()
    if not form.validate_on_submit():
        return _keys_page(form, 400)
    kid = ""
    try:
        with request_action() as done:
            key = keys.create_key(form.algorithm.data)
            kid = key.kid
    except (OSError, SQLAlchemyError) as err:  # request_action rolled back
        if kid:
            keys.discard_private(kid)  # the row was not saved: leave no orphan private key behind
        log.exception("creating a credential key failed")
        flash(_("The key could not be created (%(error)s). Nothing was changed.", error=type(err).__name__), "error")
        return redirect(url_for(".signing_keys"))
    if not done:  # refused: the row was not saved, so neither is its private key
        if kid:
            keys.discard_private(kid)
        return redirect(url_for(".signing_keys"))
    flash(
        _(
            "Key %(kid)s (%(algorithm)s) created: new signatures use it from now on.",
            kid=key.kid,
            algorithm=key.algorithm.value,
        ),
        "success",
    )
    return redirect(url_for(".signing_keys"))


@bp.post("/keys/retire")
@admin_required
def retire_key():  # noqa: ANN201
    """Retire a credential key: it signs nothing new but stays published."""
    form = RetireKeyForm()
    if not form.validate_on_submit():
        abort(400)
    with request_action() as done:
        key = keys.retire(form.kid.data)
    if not done:
        return redirect(url_for(".signing_keys"))
    flash(
        _(
            "Key %(kid)s retired. Credentials it signed keep verifying; new ones use the next active key.",
            kid=key.kid,
        ),
        "success",
    )
    return redirect(url_for(".signing_keys"))
