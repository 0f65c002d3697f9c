"""Co-edited documents of a community: list, create, read, save against a base revision, history.

Members only, as on the site: a community I may not read answers 404. A save names the revision
it started from (`base_revision`); what others saved since is merged (by paragraphs, then
sentences and words inside a paragraph both changed), and overlapping edits answer 409 with the
submitted text and the conflicting regions, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import fields, validate

from academy.api.core import api_route, api_user
from academy.api.endpoints.communities import Person
from academy.api.endpoints.communities import area as community_area
from academy.api.fields import INT32_MAX, Integer, Text
from academy.api.pagination import Page, paginate
from academy.api.problems import ApiProblem
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.community.access import Access
from academy.community.documents import services as docs
from academy.community.documents.access import document_access
from academy.community.documents.models import Document, DocumentRevision, DocumentStatus
from academy.community.models import Community
from academy.core.actions import api_action
from academy.exceptions import PermissionDenied
from academy.extensions import db

TAG = "Documents"
describe_tag(TAG, "Documents the members of a community write together. Members only: others get 404.")


class DocumentQuery(PageQuery):
    """Paging and status of a community's documents."""

    status = Text(
        load_default=DocumentStatus.ACTIVE,
        validate=validate.OneOf(DocumentStatus.ALL),
        metadata={"description": "`active` (default) or `archived`."},
    )


class RevisionQuery(PageQuery):
    """Paging of a document's revisions."""


class DocumentCreate(ApiSchema):
    """A new document."""

    title = Text(required=True, validate=validate.Length(min=1, max=docs.MAX_TITLE))
    body = Text(
        load_default="",
        strip=False,
        validate=validate.Length(max=docs.MAX_BODY),
        metadata={"description": "Markdown."},
    )
    summary = Text(load_default="", validate=validate.Length(max=docs.MAX_SUMMARY))


class DocumentSave(ApiSchema):
    """An edit, naming the revision it started from."""

    body = Text(
        required=True, strip=False, validate=validate.Length(max=docs.MAX_BODY), metadata={"description": "Markdown."}
    )
    base_revision = Integer(
        required=True,
        validate=validate.Range(min=1, max=INT32_MAX),
        metadata={"description": "The `revision` the edit started from."},
    )
    title = Text(
        validate=validate.Length(min=1, max=docs.MAX_TITLE), metadata={"description": "Unchanged if left out."}
    )
    summary = Text(load_default="", validate=validate.Length(max=docs.MAX_SUMMARY))


class DocumentSummary(ApiSchema):
    """A document as listed."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    revision = fields.Integer(required=True, metadata={"description": "The current revision number."})
    status = fields.String(required=True, validate=validate.OneOf(DocumentStatus.ALL))
    locked = fields.Boolean(required=True)
    restricted = fields.Boolean(required=True, metadata={"description": "Only named members may edit."})
    updated_at = fields.DateTime(required=True)
    updated_by = fields.Nested(Person, required=True, allow_none=True)


class DocumentOut(DocumentSummary):
    """A document with its text and what I may do with it."""

    body = fields.String(required=True, metadata={"description": "Markdown."})
    can_edit = fields.Boolean(required=True)


class DocumentSaved(DocumentOut):
    """The outcome of a save."""

    merged = fields.Boolean(required=True, metadata={"description": "Others' changes since the base were merged in."})
    merged_with = fields.List(fields.String(), required=True, metadata={"description": "Whose changes were merged."})
    changed = fields.Boolean(required=True, metadata={"description": "False when the text was already this."})


class RevisionOut(ApiSchema):
    """One revision."""

    number = fields.Integer(required=True)
    base_revision = fields.Integer(required=True, allow_none=True)
    author = fields.Nested(Person, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    summary = fields.String(required=True)
    merged = fields.Boolean(required=True)
    restored_from = fields.Integer(required=True, allow_none=True)
    title = fields.String(required=True)
    body = fields.String(required=True)


DocumentPage = page_of(DocumentSummary, "DocumentPage")
RevisionPage = page_of(RevisionOut, "RevisionPage")


def _area(slug: str) -> tuple[Community, Access]:
    """The community and my access; 404 unless I may read it (the communities endpoints' rule)."""
    return community_area(slug)


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def _summary(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "revision": d.revision,
        "status": d.status,
        "locked": d.is_locked,
        "restricted": d.is_restricted,
        "updated_at": d.updated_at,
        "updated_by": _person(d.updated_by),
    }


def _out(d: Document, access: Access) -> dict[str, Any]:
    return {**_summary(d), "body": d.body, "can_edit": document_access(api_user(), d, access).can_edit}


def _revision(r: DocumentRevision) -> dict[str, Any]:
    return {
        "number": r.number,
        "base_revision": r.base_number,
        "author": _person(r.author),
        "created_at": r.created_at,
        "summary": r.summary,
        "merged": r.merged,
        "restored_from": r.restored_from,
        "title": r.title,
        "body": r.body,
    }


@api_route("/communities/<slug>/documents", query=DocumentQuery, response=DocumentPage, scope="read", tags=[TAG])
def list_documents(slug: str, query: dict[str, Any]) -> Page:
    """A community's documents, most recently changed first."""
    community, _access = _area(slug)
    page = paginate(
        docs.documents_query(community, status=query["status"]), limit=query["limit"], offset=query["offset"]
    )
    page.items = [_summary(d) for d in page.items]
    return page


@api_route(
    "/communities/<slug>/documents",
    method="POST",
    body=DocumentCreate,
    response=DocumentOut,
    status=201,
    scope="write",
    tags=[TAG],
)
def create_document(slug: str, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Start a document (revision 1) in a community I belong to."""
    community, access = _area(slug)
    if not access.can_post:
        raise PermissionDenied("Only members of this community can write its documents.")
    with api_action():
        document = docs.create_document(
            community=community, author=api_user(), title=body["title"], body=body["body"], summary=body["summary"]
        )
    location = url_for("api.get_document", slug=community.slug, document_id=document.id)
    return _out(document, access), 201, {"Location": location}


@api_route("/communities/<slug>/documents/<int:document_id>", response=DocumentOut, scope="read", tags=[TAG])
def get_document(slug: str, document_id: int) -> dict[str, Any]:
    """A document's current text and revision number (the `base_revision` of an edit)."""
    community, access = _area(slug)
    return _out(docs.get_document(community, document_id), access)


@api_route(
    "/communities/<slug>/documents/<int:document_id>",
    method="PUT",
    body=DocumentSave,
    response=DocumentSaved,
    scope="write",
    tags=[TAG],
    errors=[409],
)
def save_document(slug: str, document_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Save a new text, started from `base_revision`; others' changes since are merged in.

    The merge goes by paragraphs, then sentences, then words: edits to different words of one
    paragraph merge. 409 `edit-conflict` when both changed the same words: nothing is saved, and
    the problem gives back `submitted` (my text), `current_revision`, `merged_text` (with conflict markers) and
    `conflicts` (each region's `base`, `theirs` and `mine`). Resolve, then PUT again with
    `base_revision` set to `current_revision`. 403 while the document is locked, archived or
    restricted to other members.
    """
    community, access = _area(slug)
    docs.get_document(community, document_id)  # 404 before anything else
    try:
        result = docs.save_and_commit(
            lambda: docs.get_document(community, document_id),
            editor=api_user(),
            body=body["body"],
            base_revision=body["base_revision"],
            title=body.get("title"),
            summary=body["summary"],
        )
    except docs.DocumentConflict as conflict:
        db.session.rollback()
        names = ", ".join(conflict.others)
        raise ApiProblem(
            409,
            f"{names} changed the same words since revision {conflict.base_revision}; nothing was saved.",
            kind="edit-conflict",
            extra={
                "submitted": conflict.submitted,
                "base_revision": conflict.base_revision,
                "current_revision": conflict.current,
                "merged_with": conflict.others,
                "merged_text": conflict.result.with_markers(f"revision {conflict.current}", "submitted"),
                "conflicts": [{"base": r.base, "theirs": r.theirs, "mine": r.mine} for r in conflict.result.conflicts],
            },
        ) from None
    out = _out(result.document, access)
    out.update(merged=result.merged, merged_with=result.merged_with, changed=result.revision is not None)
    return out


@api_route(
    "/communities/<slug>/documents/<int:document_id>/revisions",
    query=RevisionQuery,
    response=RevisionPage,
    scope="read",
    tags=[TAG],
)
def list_document_revisions(slug: str, document_id: int, query: dict[str, Any]) -> Page:
    """A document's revisions, newest first, each with its author, time, summary and text."""
    community, _access = _area(slug)
    document = docs.get_document(community, document_id)
    page = paginate(docs.revisions_query(document), limit=query["limit"], offset=query["offset"])
    page.items = [_revision(r) for r in page.items]
    return page
