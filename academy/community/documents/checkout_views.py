"""Check out a shared office file ("I am editing this") and release it, from the file's page."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy import formats
from academy.community.documents import checkouts
from academy.community.documents.forms import ButtonForm
from academy.community.services import files as file_services
from academy.community.views.common import bp, member_area
from academy.core.actions import request_action
from academy.exceptions import NotFound


@bp.app_context_processor
def _checkout_helpers() -> dict:
    """Let the file page show a file's check-out and offer the form."""
    return {
        "file_checkout": checkouts.current,
        "checkout_types": checkouts.OFFICE_TYPES,
        "checkout_hours": checkouts.DURATIONS,
        "checkout_form": ButtonForm,
    }


def _attachment(slug: str, attachment_id: int):
    community, access = member_area(slug)
    try:
        return file_services.get_attachment(community, attachment_id), access
    except NotFound:
        abort(404)


@bp.post("/<slug>/files/<int:attachment_id>/checkout")
@login_required
def check_out_file(slug: str, attachment_id: int):  # noqa: ANN201
    """Tell the others "I am editing this" until an expiry or my next version."""
    attachment, _access = _attachment(slug, attachment_id)
    if ButtonForm().validate_on_submit():
        with request_action() as done:
            checkout = checkouts.check_out(
                attachment=attachment,
                user=current_user,
                hours=request.form.get("hours", type=int) or 0,
                note=request.form.get("note", ""),
            )
        if done:
            flash(
                _(
                    "You are editing %(name)s until %(when)s. Upload your version to release it.",
                    name=attachment.filename,
                    when=formats.datetime(checkout.expires_at) + " UTC",
                ),
                "success",
            )
    return redirect(url_for(".file_detail", slug=slug, attachment_id=attachment_id))


@bp.post("/<slug>/files/<int:attachment_id>/checkout/release")
@login_required
def release_file(slug: str, attachment_id: int):  # noqa: ANN201
    """Release a check-out without a new version (its holder or a contact person)."""
    attachment, _access = _attachment(slug, attachment_id)
    if ButtonForm().validate_on_submit():
        with request_action() as done:
            checkouts.release(attachment=attachment, user=current_user)
        if done:
            flash(_("The file is free for others to edit."), "success")
    return redirect(url_for(".file_detail", slug=slug, attachment_id=attachment_id))
