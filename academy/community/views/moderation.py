"""The contact persons' review queue of flagged posts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.community import forms
from academy.community.services import moderation as moderation_services
from academy.community.views.common import bp, moderator_area
from academy.core.actions import request_action


@bp.get("/<slug>/moderation")
@login_required
def moderation(slug: str):  # noqa: ANN201
    """Flagged posts waiting for review."""
    community, access = moderator_area(slug)
    return render_template(
        "community/moderation.html",
        community=community,
        access=access,
        flags=moderation_services.open_flags(community),
        form=forms.ModerateForm(),
    )


@bp.post("/<slug>/flags/<int:flag_id>/resolve")
@login_required
def resolve_flag(slug: str, flag_id: int):  # noqa: ANN201
    """Hide the flagged post, or dismiss the flag."""
    community, _access = moderator_area(slug)
    form = forms.ModerateForm()
    if not form.validate_on_submit() or form.action.data not in ("hide", "dismiss"):
        abort(400)
    with request_action(abort_on=(404,)) as done:
        moderation_services.resolve_flag(
            community=community, flag_id=flag_id, actor=current_user, action=form.action.data
        )
    if done:
        flash(_("The post is hidden.") if form.action.data == "hide" else _("The flag is dismissed."), "success")
    return redirect(url_for(".moderation", slug=slug))
