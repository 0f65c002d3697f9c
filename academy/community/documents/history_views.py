"""Document history (word-level diff between any two revisions), restore, presence and downloads."""

from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.community.documents import export, presence
from academy.community.documents import services as docs
from academy.community.documents.access import document_access
from academy.community.documents.diff import changed, word_diff
from academy.community.documents.forms import ButtonForm
from academy.community.documents.views import document_or_404
from academy.community.views.common import bp, member_area
from academy.core.actions import request_action
from academy.exceptions import NotFound
from academy.extensions import db
from academy.inputs import int_arg, page_arg


@bp.get("/<slug>/documents/<int:document_id>/history")
@login_required
def document_history(slug: str, document_id: int):  # noqa: ANN201
    """Every revision, and a word-level diff between the two chosen (the last two by default)."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    page = page_arg()
    pagination = db.paginate(docs.revisions_query(document), page=page, per_page=50, error_out=False)
    newer = int_arg("to", document.revision)
    older = int_arg("from", max(newer - 1, 1))
    try:
        old_rev, new_rev = docs.revision_of(document, older), docs.revision_of(document, newer)
    except NotFound:
        abort(404)
    pieces = word_diff(old_rev.body, new_rev.body)
    title_pieces = word_diff(old_rev.title, new_rev.title) if old_rev.title != new_rev.title else []
    return render_template(
        "community/documents/history.html",
        community=community,
        access=access,
        document=document,
        rights=document_access(current_user, document, access),
        pagination=pagination,
        old_rev=old_rev,
        new_rev=new_rev,
        pieces=pieces,
        title_pieces=title_pieces,
        any_change=changed(pieces) or bool(title_pieces),
        button=ButtonForm(),
    )


@bp.post("/<slug>/documents/<int:document_id>/restore/<int:number>")
@login_required
def restore_revision(slug: str, document_id: int, number: int):  # noqa: ANN201
    """Make an earlier revision current again (as a new revision)."""
    community, _access = member_area(slug)
    document = document_or_404(community, document_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for(".document_history", slug=slug, document_id=document_id))
    with request_action(abort_on=(404,)) as done:
        revision = docs.restore(document=document, actor=current_user, number=number)
    if not done:
        return redirect(url_for(".document_history", slug=slug, document_id=document_id))
    flash(_("Revision %(old)d is restored as revision %(new)d.", old=number, new=revision.number), "success")
    return redirect(url_for(".document", slug=slug, document_id=document_id))


@bp.route("/<slug>/documents/<int:document_id>/presence", methods=["GET", "POST"])
@login_required
def document_presence(slug: str, document_id: int):  # noqa: ANN201
    """Who else is editing now (JSON for the page's poll); a POST from the editor is its heartbeat."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    if request.method == "POST" and ButtonForm().validate_on_submit() and access.can_post:
        with request_action():
            presence.beat(document, current_user)
    names = [u.name for u in presence.editing_now(document, besides=current_user)]
    response = jsonify({"editing": names, "revision": document.revision})
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _download_name(document, ext: str) -> str:  # noqa: ANN001
    stem = re.sub(r"[^\w\- ]+", "", document.title, flags=re.UNICODE).strip() or "document"
    return f"{stem[:80]}.{ext}"


@bp.get("/<slug>/documents/<int:document_id>/download.<any(docx, pdf):fmt>")
@login_required
def download_document(slug: str, document_id: int, fmt: str):  # noqa: ANN201
    """The current text as a Word file or a PDF."""
    community, _access = member_area(slug)
    document = document_or_404(community, document_id)
    data = export.to_docx(document) if fmt == "docx" else export.to_pdf(document)
    mimetype = export.DOCX_MIME if fmt == "docx" else "application/pdf"
    response = send_file(data, mimetype=mimetype, as_attachment=True, download_name=_download_name(document, fmt))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
