"""What waits for an admin: communities whose requests nobody can decide, active keys that cannot sign."""

from __future__ import annotations

from flask import url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user

from academy.admin.blueprint import bp
from academy.community.services import spaces
from academy.credentials import keys
from academy.credentials.models import KeyStatus
from academy.home import HomePanel, register_home_panel


def keys_to_fix() -> list[str]:
    """Sentences about active credential keys whose private half is missing on this server."""
    return [
        _(
            "Active key %(kid)s has no private key on this server: retire it (new signatures use another key).",
            kid=k.kid,
        )
        for k in keys.all_keys()
        if k.status == KeyStatus.ACTIVE and not keys.has_private(k.kid)
    ]


def attention() -> dict:
    """The template context of what needs an admin."""
    return {"unattended": spaces.unattended_requests(), "key_problems": keys_to_fix()}


def admin_panel():  # noqa: ANN201
    """Start page, for admins: requests nobody can decide and key problems (None if none)."""
    if not current_user.is_authenticated or not current_user.is_admin:
        return None
    context = attention()
    if not context["unattended"] and not context["key_problems"]:
        return None
    return HomePanel(
        title=_("Waiting for an admin"),
        template="admin/_home_panel.html",
        context=context,
        more_url=url_for("admin.index"),
        more_label=_("Administration"),
    )


@bp.record_once
def _register_panel(state: BlueprintSetupState) -> None:
    register_home_panel(state.app, "admin", admin_panel, order=2)
