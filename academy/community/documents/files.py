"""Images and files inside a document: uploaded from the editor, kept in the community's file store.

A file belongs to one document and is written into its text as `![description](attachment:12)`
(an image) or `[name](attachment:12)` (any other file). Content goes through the same checks and
the same store as files shared on posts (academy.community.services.files), and is served only
to people who may read the document.
"""

from __future__ import annotations

import io
import re

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.documents.access import document_access
from academy.community.documents.models import Document, DocumentFile
from academy.community.services.files import Upload, check_upload, store
from academy.exceptions import NotFound, PermissionDenied, ServiceError
from academy.extensions import db
from academy.markdown import FILE_SCHEME, FileResolver, LinkedFile

MAX_FILES_PER_DOCUMENT = 100
MAX_ALT = 300
# Larger pictures are refused: decoding them for the Word and PDF downloads would take too much memory.
MAX_PIXELS = 40_000_000
_REFERENCE = re.compile(re.escape(FILE_SCHEME) + r"(\d{1,9})")


def _escape(label: str) -> str:
    """Text safe inside Markdown's [ ]."""
    return re.sub(r"([\\\[\]])", r"\\\1", label)


def markdown_for(file: DocumentFile) -> str:
    """What to write in the document to show the image, or link to the file."""
    if file.is_image:
        return f"![{_escape(file.alt)}]({FILE_SCHEME}{file.id})"
    return f"[{_escape(file.filename)}]({FILE_SCHEME}{file.id})"


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG or JPEG that decodes, or ServiceError."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
            if size[0] * size[1] > MAX_PIXELS:
                raise ServiceError(_("The image is too large: at most 40 megapixels."), field="upload")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ServiceError(_("The image cannot be read."), field="upload") from err
    return size


def add_file(*, document: Document, uploader: User, upload: Upload, alt: str = "") -> DocumentFile:
    """Store an upload for the document; an image needs a description (alt text)."""
    rights = document_access(uploader, document)
    if not rights.can_read:
        raise NotFound(_("That document does not exist."))
    if not rights.can_edit:
        raise PermissionDenied(rights.reason)
    if not upload.filename and not upload.data:
        raise ServiceError(_("Choose a file."), field="upload")
    try:
        name, ext = check_upload(upload)
    except ServiceError as err:
        raise ServiceError(err.message, field="upload") from err
    alt = " ".join((alt or "").split())
    if len(alt) > MAX_ALT:
        raise ServiceError(_("Keep the description under %(n)d characters.", n=MAX_ALT), field="alt")
    file = DocumentFile(
        document_id=document.id,
        community_id=document.community_id,
        uploader=uploader,
        filename=name,
        file_type=ext,
        size=len(upload.data),
        alt=alt,
    )
    if file.is_image:
        if not alt:
            raise ServiceError(
                _("Describe the image for people who cannot see it (for example “Map of the programme area”)."),
                field="alt",
            )
        image_size(upload.data)
    count = db.session.scalar(select(func.count()).where(DocumentFile.document_id == document.id))
    if count >= MAX_FILES_PER_DOCUMENT:
        raise ServiceError(_("A document holds at most %(n)d files.", n=MAX_FILES_PER_DOCUMENT), field="upload")
    file.sha256 = store(upload.data).sha256
    db.session.add(file)
    db.session.flush()
    return file


def get_file(document: Document, file_id: int) -> DocumentFile:
    """A file of this document, or NotFound."""
    file = db.session.get(DocumentFile, file_id)
    if file is None or file.document_id != document.id:
        raise NotFound(_("That file does not exist."))
    return file


def files_query(document: Document) -> Select:
    """The document's files, in upload order, with their uploaders, as a statement to page through."""
    return (
        select(DocumentFile)
        .options(joinedload(DocumentFile.uploader))
        .where(DocumentFile.document_id == document.id)
        .order_by(DocumentFile.id)
    )


def files_of(document: Document) -> list[DocumentFile]:
    """The document's files, in upload order."""
    return list(
        db.session.scalars(
            select(DocumentFile).where(DocumentFile.document_id == document.id).order_by(DocumentFile.id)
        )
    )


def referenced(document: Document, text: str) -> dict[int, DocumentFile]:
    """The document's files that `text` refers to, by id (no query when it refers to none)."""
    ids = {int(m) for m in _REFERENCE.findall(text or "")}
    if not ids:
        return {}
    rows = db.session.scalars(
        select(DocumentFile).where(DocumentFile.document_id == document.id, DocumentFile.id.in_(ids))
    )
    return {f.id: f for f in rows}


def file_url(document: Document, file: DocumentFile) -> str:
    """Where the file is served (members only)."""
    return url_for(
        "community.document_file", slug=document.community.slug, document_id=document.id, document_file_id=file.id
    )


def resolver(document: Document, text: str) -> FileResolver:
    """Resolves `attachment:<id>` in `text` to this document's files, for academy.markdown.render."""
    found = referenced(document, text)

    def resolve(address: str) -> LinkedFile | None:
        match = _REFERENCE.fullmatch(address.strip())
        file = found.get(int(match.group(1))) if match else None
        if file is None:
            return None
        return LinkedFile(url=file_url(document, file), alt=file.alt or file.filename, is_image=file.is_image)

    return resolve
