"""Shared files: the list, a file's history, new versions and downloads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.community import forms
from academy.community.documents import checkouts
from academy.community.services import files as file_services
from academy.community.services import sharing
from academy.community.views.common import bp, member_area, uploads_from
from academy.core.actions import request_action
from academy.exceptions import NotFound, ServiceError
from academy.inputs import page_arg


def _attachment_or_404(community, attachment_id: int):  # noqa: ANN001
    try:
        return file_services.get_attachment(community, attachment_id)
    except NotFound:
        abort(404)


def _max_mb() -> int:
    return max(1, file_services.max_upload_bytes() // (1024 * 1024))


def _render_files(community, access, *, form=None, status: int = 200):  # noqa: ANN001
    page = page_arg()
    return render_template(
        "community/files.html",
        community=community,
        access=access,
        pagination=file_services.list_files(community, page=page),
        form=form or forms.ShareFileForm(),
        max_mb=_max_mb(),
    ), status


@bp.get("/<slug>/files")
@login_required
def files(slug: str):  # noqa: ANN201
    """Every file shared in the community, and (for those who may post) a form to share one."""
    community, access = member_area(slug)
    return _render_files(community, access)


@bp.post("/<slug>/files")
@login_required
def share_file(slug: str):  # noqa: ANN201
    """Share a file from the Files tab; it opens a discussion thread carrying the file."""
    community, access = member_area(slug)
    if not access.can_post:
        abort(403)
    form = forms.ShareFileForm()
    if form.validate_on_submit():
        uploads = uploads_from(form.attachment)
        with request_action(form, abort_on=(403,), fields={"body": "note"}) as done:
            thread = sharing.share_file(
                community=community,
                author=current_user,
                upload=uploads[0] if uploads else None,
                title=form.title.data or "",
                note=form.note.data or "",
            )
        if done:
            flash(_("%(name)s is shared.", name=thread.title), "success")
            return redirect(url_for(".files", slug=slug))
    return _render_files(community, access, form=form, status=400)


def _render_file(community, access, attachment, *, form=None, status: int = 200):  # noqa: ANN001
    may_update = access.can_post and (
        attachment.uploader_id == current_user.id or access.can_moderate or checkouts.holds(attachment, current_user)
    )
    return render_template(
        "community/file.html",
        community=community,
        access=access,
        attachment=attachment,
        form=form or forms.VersionForm(),
        may_update=may_update,
        max_mb=max(1, file_services.max_upload_bytes() // (1024 * 1024)),
    ), status


@bp.get("/<slug>/files/<int:attachment_id>")
@login_required
def file_detail(slug: str, attachment_id: int):  # noqa: ANN201
    """A file with its version history."""
    community, access = member_area(slug)
    return _render_file(community, access, _attachment_or_404(community, attachment_id))


@bp.post("/<slug>/files/<int:attachment_id>/versions")
@login_required
def upload_version(slug: str, attachment_id: int):  # noqa: ANN201
    """Upload a new version of a file (its uploader or a contact person)."""
    community, access = member_area(slug)
    attachment = _attachment_or_404(community, attachment_id)
    form = forms.VersionForm()
    if form.validate_on_submit():
        uploads = uploads_from(form.attachment)
        with request_action(form, abort_on=(403,)) as done:
            if not uploads:
                raise ServiceError(_("Choose a file."), field="attachment")
            version = file_services.add_version(attachment=attachment, uploader=current_user, upload=uploads[0])
        if done:
            flash(_("Version %(n)d of %(name)s is uploaded.", n=version.number, name=version.filename), "success")
            return redirect(url_for(".file_detail", slug=slug, attachment_id=attachment.id))
    return _render_file(community, access, attachment, form=form, status=400)


def _send(attachment, number: int | None):  # noqa: ANN001
    try:
        version = file_services.version_of(attachment, number)
        path = file_services.blob_path(version.sha256)
    except NotFound:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=file_services.FILE_TYPES[version.file_type],
        as_attachment=True,
        download_name=version.filename,
        max_age=0,
        etag=version.sha256,
    )
    # Always a download, never rendered inline, never sniffed into something else.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<slug>/files/<int:attachment_id>/download")
@login_required
def download(slug: str, attachment_id: int):  # noqa: ANN201
    """Download the current version (members only)."""
    community, _access = member_area(slug)
    return _send(_attachment_or_404(community, attachment_id), None)


@bp.get("/<slug>/files/<int:attachment_id>/v/<int:number>")
@login_required
def download_version(slug: str, attachment_id: int, number: int):  # noqa: ANN201
    """Download an earlier version (members only)."""
    community, _access = member_area(slug)
    return _send(_attachment_or_404(community, attachment_id), number)
