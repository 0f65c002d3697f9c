"""Shared files: type checks by content, storage by SHA-256 outside the web root, versions."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.models import User
from academy.community.access import access_for
from academy.community.documents import checkouts
from academy.community.models import Attachment, AttachmentVersion, Community, Post, StoredFile, Thread
from academy.db import utcnow
from academy.exceptions import NotFound, PermissionDenied, ServiceError
from academy.extensions import db

# Extension -> the MIME type we serve it with.
FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
MAX_FILES_PER_POST = 5
MAX_FILENAME = 150
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the sender gave it and its bytes."""

    filename: str
    data: bytes


def max_upload_bytes() -> int:
    """The configured size limit for one file (COMMUNITY_UPLOAD_MAX_BYTES, default 20 MB)."""
    return int(current_app.config.get("COMMUNITY_UPLOAD_MAX_BYTES") or 20 * 1024 * 1024)


def storage_dir() -> Path:
    """Where file contents live (COMMUNITY_STORAGE_DIR, default instance/uploads)."""
    configured = current_app.config.get("COMMUNITY_STORAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def safe_filename(name: str) -> str:
    """A display name without folders, control characters or leading dots; keeps accents."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else name[:MAX_FILENAME]
    return name


def _extension(name: str) -> str:
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    return EXTENSION_ALIASES.get(ext, ext)


def _zip_type(data: bytes) -> str | None:
    """docx/xlsx/pptx by their main part, odt/ods/odp by the mimetype entry; macros are refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            return None
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size > 100:
                return None
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
            for ext in ("odt", "ods", "odp"):
                if mimetype == FILE_TYPES[ext]:
                    return ext
            return None
        if "[Content_Types].xml" in names:
            for ext, part in OOXML_PARTS.items():
                if part in names:
                    return ext
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Markup disguised as text could run in a browser that sniffs; refuse it outright.
    head = data[:1024].lstrip().lower()
    return not head.startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml"))


def detect_type(data: bytes) -> str | None:
    """The file type its content shows (an extension from FILE_TYPES), or None if not allowed."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data and _is_text(data):
        return "text"
    return None


def check_upload(upload: Upload) -> tuple[str, str]:
    """Validate name, size and content; return (safe file name, file type) or raise ServiceError."""
    name = safe_filename(upload.filename)
    if not name:
        raise ServiceError(_("The file needs a name."), field="attachment")
    limit = max_upload_bytes()
    if len(upload.data) > limit:
        raise ServiceError(
            _("%(name)s is larger than %(mb)d MB.", name=name, mb=max(1, limit // (1024 * 1024))), field="attachment"
        )
    if not upload.data:
        raise ServiceError(_("%(name)s is empty.", name=name), field="attachment")
    ext = _extension(name)
    if ext not in FILE_TYPES:
        raise ServiceError(
            _("%(name)s: only PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPG, CSV and text files.", name=name),
            field="attachment",
        )
    detected = detect_type(upload.data)
    if detected != ext and not (detected == "text" and ext in ("csv", "txt")):
        raise ServiceError(_("%(name)s does not look like a .%(ext)s file.", name=name, ext=ext), field="attachment")
    return name, ext


def blob_path(sha256: str) -> Path:
    """The file holding content `sha256`; the name is only ever a hex digest, never user input."""
    if not _SHA256.match(sha256 or ""):
        raise NotFound(_("That file does not exist."))
    return storage_dir() / sha256[:2] / sha256[2:4] / sha256


def _store(data: bytes) -> StoredFile:
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    stored = db.session.get(StoredFile, sha)
    if stored is None:
        stored = StoredFile(sha256=sha, size=len(data))
        db.session.add(stored)
    return stored


def check_uploads(uploads: list[Upload], *, already: int = 0) -> list[tuple[Upload, str, str]]:
    """Validate every upload before anything is stored (`already`: files the post has)."""
    uploads = [u for u in uploads if u.filename or u.data]
    if uploads and already + len(uploads) > MAX_FILES_PER_POST:
        raise ServiceError(_("Attach at most %(n)d files to one post.", n=MAX_FILES_PER_POST), field="attachment")
    return [(u, *check_upload(u)) for u in uploads]


def attach(*, post: Post, uploader: User, uploads: list[Upload], already: int = 0) -> list[Attachment]:
    """Store checked uploads and attach them to a post (as version 1 each)."""
    attachments = []
    for upload, name, ext in check_uploads(uploads, already=already):
        stored = _store(upload.data)
        attachment = Attachment(
            community_id=post.thread.community_id,
            post=post,
            uploader=uploader,
            filename=name,
            file_type=ext,
            size=len(upload.data),
            sha256=stored.sha256,
            version=1,
        )
        attachment.versions.append(
            AttachmentVersion(
                number=1, uploader=uploader, filename=name, file_type=ext, size=len(upload.data), sha256=stored.sha256
            )
        )
        db.session.add(attachment)
        attachments.append(attachment)
    db.session.flush()
    return attachments


def get_attachment(community: Community, attachment_id: int) -> Attachment:
    """An attachment of this community on a visible post, or NotFound."""
    attachment = db.session.scalar(
        select(Attachment)
        .options(joinedload(Attachment.post).joinedload(Post.thread), selectinload(Attachment.versions))
        .where(Attachment.id == attachment_id, Attachment.community_id == community.id)
    )
    if attachment is None or not attachment.post.is_visible or not attachment.post.thread.is_visible:
        raise NotFound(_("That file does not exist."))
    return attachment


def add_version(*, attachment: Attachment, uploader: User, upload: Upload) -> AttachmentVersion:
    """Upload a new version; the uploader of the file or a contact person may."""
    community = db.session.get(Community, attachment.community_id)
    access = access_for(uploader, community)
    if not access.can_post:
        raise PermissionDenied()

    holder = checkouts.holds(attachment, uploader)
    if attachment.uploader_id != uploader.id and not access.can_moderate and not holder:
        raise PermissionDenied(_("Only the person who shared the file or a contact person can update it."))
    checkouts.before_new_version(attachment, uploader)
    if attachment.post.thread.is_locked and not access.can_moderate:
        raise PermissionDenied(_("This thread is locked."))
    checked = check_uploads([upload])
    if not checked:
        raise ServiceError(_("Choose a file."), field="attachment")
    upload, name, ext = checked[0]
    stored = _store(upload.data)
    number = max((v.number for v in attachment.versions), default=0) + 1
    version = AttachmentVersion(
        attachment=attachment,
        number=number,
        uploader=uploader,
        filename=name,
        file_type=ext,
        size=len(upload.data),
        sha256=stored.sha256,
    )
    db.session.add(version)
    attachment.filename, attachment.file_type, attachment.size = name, ext, len(upload.data)
    attachment.sha256, attachment.version, attachment.updated_at = stored.sha256, number, utcnow()
    checkouts.after_new_version(attachment)
    db.session.flush()
    return version


def list_files(community: Community, *, page: int = 1, per_page: int = 30):  # noqa: ANN201
    """The community's shared files on visible posts, newest change first, paginated."""
    stmt = (
        select(Attachment)
        .join(Attachment.post)
        .join(Post.thread)
        .options(joinedload(Attachment.uploader), joinedload(Attachment.post).joinedload(Post.thread))
        .where(
            Attachment.community_id == community.id,
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
            Thread.deleted_at.is_(None),
            Thread.hidden_at.is_(None),
        )
        .order_by(Attachment.updated_at.desc(), Attachment.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def version_of(attachment: Attachment, number: int | None) -> AttachmentVersion:
    """A numbered version of the attachment (the current one when number is None)."""
    number = attachment.version if number is None else number
    for version in attachment.versions:
        if version.number == number:
            return version
    raise NotFound(_("That version does not exist."))
