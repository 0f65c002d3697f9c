"""Check-outs of shared office files: "I am editing this" until an expiry or the next version."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from academy import formats
from academy.auth.models import User
from academy.community.access import access_for
from academy.community.documents.models import FileCheckout
from academy.community.models import Attachment, Community
from academy.db import utcnow
from academy.exceptions import PermissionDenied, ServiceError
from academy.extensions import db

OFFICE_TYPES = ("docx", "xlsx", "pptx", "odt", "ods", "odp")
DURATIONS = (1, 4, 24, 72)  # hours a member may hold a file
MAX_NOTE = 200


def current(attachment: Attachment) -> FileCheckout | None:
    """The check-out in force on the file (an expired one counts as released)."""
    checkout = db.session.get(FileCheckout, attachment.id)
    if checkout is None or checkout.expires_at <= utcnow():
        return None
    return checkout


def holds(attachment: Attachment, user: User) -> bool:
    """True while the user has the file checked out."""
    checkout = current(attachment)
    return checkout is not None and checkout.user_id == user.id


def check_out(*, attachment: Attachment, user: User, hours: int, note: str = "") -> FileCheckout:
    """Tell the others "I am editing this" for `hours`; refused while someone else holds it."""
    community = db.session.get(Community, attachment.community_id)
    if not access_for(user, community).can_post:
        raise PermissionDenied(_("Only members of this community can edit its files."))
    if attachment.file_type not in OFFICE_TYPES:
        raise ServiceError(_("Only Word, Excel, PowerPoint and OpenDocument files can be checked out."))
    if hours not in DURATIONS:
        raise ServiceError(_("Choose how long you will be editing."), field="hours")
    held = current(attachment)
    if held is not None and held.user_id != user.id:
        raise ServiceError(_("%(name)s is already editing this file.", name=held.user.name))
    checkout = db.session.get(FileCheckout, attachment.id)
    if checkout is None:
        checkout = FileCheckout(attachment_id=attachment.id)
        db.session.add(checkout)
    now = utcnow()
    checkout.user_id, checkout.user = user.id, user
    checkout.note, checkout.created_at, checkout.expires_at = (
        (note or "").strip()[:MAX_NOTE],
        now,
        now + timedelta(hours=hours),
    )
    db.session.flush()
    return checkout


def release(*, attachment: Attachment, user: User) -> None:
    """End a check-out: the holder, or a contact person, may."""
    checkout = db.session.get(FileCheckout, attachment.id)
    if checkout is None:
        return
    community = db.session.get(Community, attachment.community_id)
    if checkout.user_id != user.id and not access_for(user, community).can_moderate:
        raise PermissionDenied(_("Only the person editing the file or a contact person can release it."))
    db.session.delete(checkout)
    db.session.flush()


def before_new_version(attachment: Attachment, uploader: User) -> None:
    """Refuse a new version from anyone but the holder while the file is checked out."""
    held = current(attachment)
    if held is not None and held.user_id != uploader.id:
        raise PermissionDenied(
            _(
                "%(name)s is editing this file until %(when)s; wait for their version or ask them.",
                name=held.user.name,
                when=formats.datetime(held.expires_at) + " UTC",
            )
        )


def after_new_version(attachment: Attachment) -> None:
    """A new version releases the check-out."""
    checkout = db.session.get(FileCheckout, attachment.id)
    if checkout is not None:
        db.session.delete(checkout)
