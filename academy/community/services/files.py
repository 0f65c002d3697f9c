"""Shared files: type checks by content, storage by SHA-256 outside the web root, versions."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.models import User
from academy.community.access import access_for
from academy.community.documents import checkouts
from academy.community.models import Attachment, AttachmentVersion, Community, Post, StoredFile, Thread
from academy.core.files import (  # noqa: F401  (re-exported: community code and tests use them from here)
    EXTENSION_ALIASES,
    FILE_TYPES,
    MAX_FILENAME,
    OOXML_PARTS,
    Upload,
    blob_path,
    detect_type,
    safe_filename,
    storage_dir,
    write_blob,
)
from academy.core.files import extension as _extension
from academy.db import utcnow
from academy.exceptions import NotFound, PermissionDenied, ServiceError
from academy.extensions import db

MAX_FILES_PER_POST = 5


def max_upload_bytes() -> int:
    """The configured size limit for one file (COMMUNITY_UPLOAD_MAX_BYTES, default 20 MB)."""
    return int(current_app.config.get("COMMUNITY_UPLOAD_MAX_BYTES") or 20 * 1024 * 1024)


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


def _store(data: bytes) -> StoredFile:
    sha = write_blob(data)
    stored = db.session.get(StoredFile, sha)
    if stored is None:
        stored = StoredFile(sha256=sha, size=len(data))
        db.session.add(stored)
    return stored


def store(data: bytes) -> StoredFile:
    """Keep content in the community file store (once per SHA-256); other features' files use it too."""
    return _store(data)


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
