"""Browser pages of the API: personal access tokens on the account, and the API reference."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from academy.api import services
from academy.api.forms import CreateTokenForm
from academy.api.reference import reference
from academy.auth.forms import EmptyForm
from academy.core.actions import request_action

bp = Blueprint("api_pages", __name__)

_CODE = re.compile(r"`([^`]+)`")


@bp.app_template_filter("api_text")
def api_text(text: str) -> Markup:
    """Escape text and show `backticked` parts as code (descriptions in the OpenAPI document use them)."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))  # noqa: S704


def _tokens_page(form: CreateTokenForm, *, new_token: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=services.list_tokens(user),
        new_token=new_token,
        revoke_form=EmptyForm(),
        max_tokens=services.MAX_ACTIVE_TOKENS,
    ), status


@bp.get("/account/tokens")
@login_required
def tokens():  # noqa: ANN201
    """List personal access tokens and offer to create one."""
    return _tokens_page(CreateTokenForm())


@bp.post("/account/tokens")
@login_required
def create_token():  # noqa: ANN201
    """Create a token and show it, this once."""
    form = CreateTokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    days = int(form.expires.data)
    scopes = ["read", "write"] if form.scope.data == "write" else ["read"]
    with request_action(form) as done:
        token = services.create_token(
            current_user._get_current_object(), name=form.name.data, scopes=scopes, expires_in_days=days or None
        )
    if not done:  # shown on its field (400), or flashed with the refusal's own status
        on_field = done.error.field is not None and getattr(form, done.error.field, None) is not None
        return _tokens_page(form, status=400 if on_field else done.error.status)
    # Rendered, not redirected: the clear token must exist in this one response only.
    return _tokens_page(CreateTokenForm(formdata=None), new_token=token.token, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):  # noqa: ANN201
    """Revoke a token; it stops working at once."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action(abort_on=(404,)):  # the service's only refusal
        token = services.revoke_token(current_user._get_current_object(), token_id)
    flash(
        _("The token “%(name)s” is revoked. Programs using it can no longer reach your account.", name=token.name),
        "success",
    )
    return redirect(url_for(".tokens"))


@bp.get("/api/docs")
def docs():  # noqa: ANN201
    """The API reference, generated from the OpenAPI document."""
    return render_template("api/docs.html", ref=reference())
