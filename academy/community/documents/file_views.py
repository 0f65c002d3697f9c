"""Images and files in documents: upload from the editor (with or without JavaScript), serve to members."""

from __future__ import annotations

from flask import abort, flash, jsonify, render_template, request, send_file, session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.community.documents import files as doc_files
from academy.community.documents import presence
from academy.community.documents.access import document_access
from academy.community.documents.forms import DocumentFileForm, DocumentForm
from academy.community.documents.views import document_or_404
from academy.community.services.files import FILE_TYPES, Upload, blob_path
from academy.community.views.common import bp, member_area, uploads_from
from academy.core.actions import request_action
from academy.exceptions import NotFound


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/<slug>/documents/<int:document_id>/files")
@login_required
def upload_document_file(slug: str, document_id: int):  # noqa: ANN201
    """Upload an image or file into a document; the editor's unsaved text comes back with it inserted.

    The editor's "Upload and insert" button posts the whole edit form here. Without JavaScript the
    editor is shown again with the text as typed and the Markdown for the file at its end (nothing
    is saved until Save); the script sends the same form and puts the Markdown at the cursor.
    """
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    files_form = DocumentFileForm()
    file = None
    if files_form.validate_on_submit():
        uploads = uploads_from(files_form.upload)
        with request_action(files_form) as done:
            file = doc_files.add_file(
                document=document,
                uploader=current_user,
                upload=uploads[0] if uploads else Upload(filename="", data=b""),
                alt=files_form.alt.data or "",
            )
    else:
        done = None
    if _wants_json():
        if done and file is not None:
            payload = {
                "id": file.id,
                "markdown": doc_files.markdown_for(file),
                "url": doc_files.file_url(document, file),
            }
            return jsonify(payload), 201
        errors = {name: list(errs) for name, errs in files_form.errors.items()}
        if done is not None and done.error is not None and not errors:
            session.pop("_flashes", None)  # the script shows it; it must not turn up on the next page
            errors = {"upload": [done.error.message]}
        return jsonify({"errors": errors or {"upload": [_("The upload failed. Please try again.")]}}), 400
    form = DocumentForm()  # the editor's fields as sent, not saved
    if done and file is not None:
        text = (form.body.data or "").rstrip()
        form.body.data = f"{text}\n\n{doc_files.markdown_for(file)}\n" if text else f"{doc_files.markdown_for(file)}\n"
        flash(
            _("%(name)s is uploaded and added at the end of your text. Save to keep it.", name=file.filename), "success"
        )
        files_form = DocumentFileForm(formdata=None)
    return render_template(
        "community/documents/edit.html",
        community=community,
        access=access,
        document=document,
        form=form,
        files_form=files_form,
        files=doc_files.files_of(document),
        markdown_for=doc_files.markdown_for,
        rights=document_access(current_user, document, access),
        editing=presence.editing_now(document, besides=current_user),
        heartbeat=presence.HEARTBEAT_SECONDS,
    ), (200 if done else 400)


@bp.get("/<slug>/documents/<int:document_id>/files/<int:document_file_id>")
@login_required
def document_file(slug: str, document_id: int, document_file_id: int):  # noqa: ANN201
    """An image (shown inline) or file (downloaded) of a document; members only, 404 for anyone else."""
    community, _access = member_area(slug)
    document = document_or_404(community, document_id)
    try:
        file = doc_files.get_file(document, document_file_id)
        path = blob_path(file.sha256)
    except NotFound:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=FILE_TYPES[file.file_type],
        as_attachment=not file.is_image,
        download_name=file.filename,
        max_age=0,
        etag=file.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Revalidated on every use, so someone who leaves the community stops seeing it at once.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
