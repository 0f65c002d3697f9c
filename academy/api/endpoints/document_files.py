"""Images and files inside a community's documents: list, upload (multipart) and download.

The same rules as the editor on the site: members only (404 for anyone else), the type is told by
content, the size is capped, an image must decode and stay under 40 megapixels and needs a
description (alt text). The Markdown an upload answers with goes into the document's text with a
PUT, as in the browser, where nothing is in the text until it is saved.
"""

from __future__ import annotations

from typing import Any

from flask import Response, send_file, url_for
from flask_babel import gettext as _
from marshmallow import fields, validate

from academy.api.core import MULTIPART, api_route, api_user
from academy.api.endpoints.communities import Person
from academy.api.endpoints.communities import area as community_area
from academy.api.endpoints.documents import TAG
from academy.api.fields import FilePart, Text
from academy.api.pagination import Page, paginate
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.community.documents import files as doc_files
from academy.community.documents import services as docs
from academy.community.documents.models import DocumentFile
from academy.community.services.files import FILE_TYPES, blob_path, max_upload_bytes
from academy.core.actions import api_action
from academy.exceptions import NotFound, ServiceError


class FileQuery(PageQuery):
    """Paging of a document's files."""


class FileUpload(ApiSchema):
    """One file, with a description when it is an image."""

    file = FilePart(
        required=True,
        metadata={"description": "PDF, Office, OpenDocument, PNG, JPEG, CSV or text; told by content, not name."},
    )
    alt = Text(
        load_default="",
        validate=validate.Length(max=doc_files.MAX_ALT),
        metadata={"description": "What the image shows, for people who cannot see it. Required for images."},
    )


class FileOut(ApiSchema):
    """A file of a document."""

    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    file_type = fields.String(required=True, validate=validate.OneOf(list(FILE_TYPES)))
    media_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    is_image = fields.Boolean(required=True, metadata={"description": "Shown inline in the document."})
    alt = fields.String(required=True)
    markdown = fields.String(
        required=True, metadata={"description": "What to write in the document's text to show or link it."}
    )
    content_url = fields.String(required=True, metadata={"description": "Where the API serves its content."})
    uploaded_by = fields.Nested(Person, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


FilePage = page_of(FileOut, "DocumentFilePage")


def _out(slug: str, f: DocumentFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "filename": f.filename,
        "file_type": f.file_type,
        "media_type": FILE_TYPES[f.file_type],
        "size": f.size,
        "is_image": f.is_image,
        "alt": f.alt,
        "markdown": doc_files.markdown_for(f),
        "content_url": url_for(
            "api.get_document_file_content", slug=slug, document_id=f.document_id, document_file_id=f.id
        ),
        "uploaded_by": {"id": f.uploader.id, "name": f.uploader.name} if f.uploader is not None else None,
        "created_at": f.created_at,
    }


def _upload_limit() -> int:
    return max_upload_bytes() + 2**20  # the file and the form's other parts


@api_route(
    "/communities/<slug>/documents/<int:document_id>/files",
    query=FileQuery,
    response=FilePage,
    scope="read",
    tags=[TAG],
)
def list_document_files(slug: str, document_id: int, query: dict[str, Any]) -> Page:
    """A document's images and files, in upload order."""
    community, _access = community_area(slug)
    document = docs.get_document(community, document_id)
    page = paginate(doc_files.files_query(document), limit=query["limit"], offset=query["offset"])
    page.items = [_out(community.slug, f) for f in page.items]
    return page


@api_route(
    "/communities/<slug>/documents/<int:document_id>/files",
    method="POST",
    body=FileUpload,
    body_media=MULTIPART,
    max_body=_upload_limit,
    response=FileOut,
    status=201,
    scope="write",
    tags=[TAG],
)
def upload_document_file(slug: str, document_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict]:
    """Upload an image or file into a document (`multipart/form-data` with `file` and, for images, `alt`).

    The checks are the site's: the type is told by content, the size is capped (20 MB unless
    configured otherwise), an image must decode and stay under 40 megapixels and needs `alt`.
    422 names the part at fault (`file` or `alt`); 403 while the document is locked, archived or
    restricted to other members. The answer's `markdown` shows or links the file once it is put
    into the document's text with a PUT; until then the file is only listed.
    """
    community, _access = community_area(slug)
    document = docs.get_document(community, document_id)
    try:
        with api_action():
            file = doc_files.add_file(document=document, uploader=api_user(), upload=body["file"], alt=body["alt"])
    except ServiceError as err:
        if err.field == "upload":  # the site's form calls the file part "upload"
            raise ServiceError(err.message, field="file") from None
        raise
    location = url_for(
        "api.get_document_file_content", slug=community.slug, document_id=document.id, document_file_id=file.id
    )
    return _out(community.slug, file), 201, {"Location": location}


@api_route(
    "/communities/<slug>/documents/<int:document_id>/files/<int:document_file_id>",
    response_media=sorted(set(FILE_TYPES.values())),
    scope="read",
    tags=[TAG],
)
def get_document_file_content(slug: str, document_id: int, document_file_id: int) -> Response:
    """A document's image or file, as its own media type (an attachment unless it is an image)."""
    community, _access = community_area(slug)
    document = docs.get_document(community, document_id)
    file = doc_files.get_file(document, document_file_id)
    path = blob_path(file.sha256)
    if not path.is_file():
        raise NotFound(_("That file does not exist."))
    response = send_file(
        path,
        mimetype=FILE_TYPES[file.file_type],
        as_attachment=not file.is_image,
        download_name=file.filename,
        max_age=0,
        etag=file.sha256,
        conditional=False,
    )
    # As on the site: never sniffed into something else, never run as a page.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
