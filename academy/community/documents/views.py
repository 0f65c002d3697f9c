"""Document pages: the Documents tab, writing, reading, editing with merge, and the conflict page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy.community.access import Access
from academy.community.documents import files as doc_files
from academy.community.documents import presence
from academy.community.documents import services as docs
from academy.community.documents.access import document_access
from academy.community.documents.diff import word_diff
from academy.community.documents.forms import (
    ButtonForm,
    ControlsForm,
    DiscussForm,
    DocumentFileForm,
    DocumentForm,
    NewDocumentForm,
)
from academy.community.documents.merge import has_markers
from academy.community.documents.models import Document, DocumentStatus
from academy.community.models import Community
from academy.community.services.threads import render_body
from academy.community.views.common import bp, member_area
from academy.core.actions import request_action, show_error
from academy.core.confirm import confirm_first
from academy.exceptions import NotFound, ServiceError
from academy.extensions import db
from academy.inputs import page_arg


def document_or_404(community: Community, document_id: int) -> Document:
    """The community's document, or a 404."""
    try:
        return docs.get_document(community, document_id)
    except NotFound:
        abort(404)


@bp.get("/<slug>/documents")
@login_required
def documents(slug: str):  # noqa: ANN201
    """The Documents tab: active documents, then archived ones."""
    community, access = member_area(slug)
    page = page_arg()
    return render_template(
        "community/documents/index.html",
        community=community,
        access=access,
        pagination=db.paginate(docs.documents_query(community), page=page, per_page=30, error_out=False),
        archived=db.session.scalars(docs.documents_query(community, status=DocumentStatus.ARCHIVED).limit(50)).all(),
    )


@bp.route("/<slug>/documents/new", methods=["GET", "POST"])
@login_required
def new_document(slug: str):  # noqa: ANN201
    """Start a document."""
    community, access = member_area(slug)
    if not access.can_post:
        abort(403)
    form = NewDocumentForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            document = docs.create_document(
                community=community,
                author=current_user,
                title=form.title.data,
                body=form.body.data or "",
                summary=form.summary.data or "",
            )
        if done:
            flash(_("The document “%(title)s” is saved.", title=document.title), "success")
            return redirect(url_for(".document", slug=slug, document_id=document.id))
    status = 400 if form.errors else 200
    return render_template("community/documents/new.html", community=community, access=access, form=form), status


@bp.get("/<slug>/documents/<int:document_id>")
@login_required
def document(slug: str, document_id: int):  # noqa: ANN201
    """A document: its text, who changed it last, who is editing now, its discussion and controls."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    rights = document_access(current_user, document, access)
    controls = ControlsForm(
        locked=document.is_locked,
        archived=document.is_archived,
        restricted=document.is_restricted,
        editors=[e.user_id for e in document.editors],
    )
    controls.editors.choices = docs.member_choices(community) if rights.can_manage else []
    return render_template(
        "community/documents/show.html",
        community=community,
        access=access,
        document=document,
        rights=rights,
        body_html=render_body(community, document.body, files=doc_files.resolver(document, document.body)),
        editing=presence.editing_now(document, besides=current_user),
        watching=access.can_post and docs.is_watching(document, current_user),
        controls=controls,
        discuss=DiscussForm(),
        button=ButtonForm(),
    )


def _render_edit(community: Community, access: Access, document: Document, form: DocumentForm, status: int = 200):
    return render_template(
        "community/documents/edit.html",
        community=community,
        access=access,
        document=document,
        form=form,
        files_form=DocumentFileForm(formdata=None),
        files=doc_files.files_of(document),
        markdown_for=doc_files.markdown_for,
        rights=document_access(current_user, document, access),
        editing=presence.editing_now(document, besides=current_user),
        heartbeat=presence.HEARTBEAT_SECONDS,
    ), status


def _render_conflict(community: Community, access: Access, document: Document, form: DocumentForm, conflict):  # noqa: ANN001
    names = ", ".join(conflict.others)
    form.body.data = conflict.result.with_markers(
        _("%(names)s's version (revision %(n)d)", names=names, n=conflict.current), _("your version")
    )
    form.base_revision.data, form.base_revision.raw_data = conflict.current, None  # raw_data would win
    return render_template(
        "community/documents/conflict.html",
        community=community,
        access=access,
        document=document,
        form=form,
        conflict=conflict,
        names=names,
        word_diff=word_diff,
    ), 409


@bp.route("/<slug>/documents/<int:document_id>/edit", methods=["GET", "POST"])
@login_required
def edit_document(slug: str, document_id: int):  # noqa: ANN201
    """Edit a document; a save merges what others saved since, or shows the conflict to resolve."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    rights = document_access(current_user, document, access)
    if request.method == "GET":
        if not rights.can_edit:
            flash(rights.reason, "error")
            return redirect(url_for(".document", slug=slug, document_id=document.id))
        form = DocumentForm(title=document.title, body=document.body, base_revision=document.revision)
        return _render_edit(community, access, document, form)
    chosen = request.files.get("upload")
    if chosen is not None and chosen.filename:
        # Save pressed with a file chosen but not uploaded yet: upload and insert it, save nothing yet.
        from academy.community.documents import file_views  # it imports this module: a circle at the top

        return file_views.upload_document_file(slug, document_id)
    form = DocumentForm()
    if form.validate_on_submit():
        if has_markers(form.body.data or ""):
            form.body.errors = [
                *form.body.errors,
                _("Remove the conflict markers (<<<<<<<, ======= and >>>>>>>) once you have chosen the text."),
            ]
            return _render_edit(community, access, document, form, 400)
        try:
            result = docs.save_and_commit(
                lambda: document_or_404(community, document_id),
                editor=current_user,
                body=form.body.data or "",
                base_revision=form.base_revision.data,
                title=form.title.data,
                summary=form.summary.data or "",
            )
        except docs.DocumentConflict as conflict:
            db.session.rollback()
            return _render_conflict(community, access, document_or_404(community, document_id), form, conflict)
        except ServiceError as err:
            db.session.rollback()
            show_error(form, err)
            return _render_edit(community, access, document_or_404(community, document_id), form, err.status)
        if result.revision is None:
            flash(_("Nothing changed, so no new revision was made."), "info")
        elif result.merged:
            flash(_("Saved. Merged with %(names)s's changes.", names=", ".join(result.merged_with)), "success")
        else:
            flash(_("Saved as revision %(n)d.", n=result.revision.number), "success")
        return redirect(url_for(".document", slug=slug, document_id=document.id))
    return _render_edit(community, access, document, form, 400)


@bp.post("/<slug>/documents/<int:document_id>/start")
@login_required
def start_editing(slug: str, document_id: int):  # noqa: ANN201
    """The Edit button: note "editing now" for the others (works without JavaScript), then open the editor."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    rights = document_access(current_user, document, access)
    if not rights.can_edit:
        flash(rights.reason, "error")
        return redirect(url_for(".document", slug=slug, document_id=document.id))
    if ButtonForm().validate_on_submit():
        with request_action():
            presence.beat(document, current_user)
    return redirect(url_for(".edit_document", slug=slug, document_id=document.id))


def _manageable(slug: str, document_id: int) -> Document:
    """The document for a contact person: 404 for one they cannot see, 403 for a member."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    if not access.can_moderate:
        abort(403)
    return document


def _archiving() -> bool:
    """The controls form ticks "archived" on a document that is not archived yet."""
    if not request.form.get("archived"):
        return False
    document = _manageable(**request.view_args)
    return document.status != DocumentStatus.ARCHIVED


@bp.post("/<slug>/documents/<int:document_id>/controls")
@login_required
@confirm_first(
    _l("Archive the document?"),
    _l("It becomes read-only and moves to the archived documents; a contact person can bring it back."),
    _l("Archive the document"),
    when=_archiving,
    guard=_manageable,
)
def document_controls(slug: str, document_id: int):  # noqa: ANN201
    """Lock, archive or restrict a document (contact persons)."""
    community, access = member_area(slug)
    document = document_or_404(community, document_id)
    if not access.can_moderate:
        abort(403)
    form = ControlsForm()
    form.editors.choices = docs.member_choices(community)
    if form.validate_on_submit():
        with request_action() as done:
            docs.set_controls(
                document=document,
                actor=current_user,
                locked=form.locked.data,
                archived=form.archived.data,
                restricted=form.restricted.data,
                editor_ids=form.editors.data or [],
            )
        if done:
            flash(_("The document's settings are saved."), "success")
    return redirect(url_for(".document", slug=slug, document_id=document_id, _anchor="controls"))


@bp.post("/<slug>/documents/<int:document_id>/discuss")
@login_required
def discuss_document(slug: str, document_id: int):  # noqa: ANN201
    """Comment on the document in its discussion thread (started by the first comment)."""
    community, _access = member_area(slug)
    document = document_or_404(community, document_id)
    form = DiscussForm()
    if form.validate_on_submit():
        with request_action() as done:
            thread = docs.start_discussion(document=document, author=current_user, body=form.body.data)
        if done:
            flash(_("Your comment is posted."), "success")
            return redirect(url_for(".thread", slug=slug, thread_id=thread.id))
    else:
        flash(_("Write a comment first."), "error")
    return redirect(url_for(".document", slug=slug, document_id=document_id, _anchor="discussion"))


@bp.post("/<slug>/documents/<int:document_id>/watch")
@login_required
def watch_document(slug: str, document_id: int):  # noqa: ANN201
    """Follow or stop following a document's changes."""
    community, _access = member_area(slug)
    document = document_or_404(community, document_id)
    if ButtonForm().validate_on_submit():
        watching = request.form.get("watch") == "1"
        with request_action() as done:
            docs.set_watch(document=document, user=current_user, watching=watching)
        if done:
            flash(
                _("You will hear about changes, once an hour at most.")
                if watching
                else _("You stopped watching this document."),
                "success",
            )
    return redirect(url_for(".document", slug=slug, document_id=document_id))
