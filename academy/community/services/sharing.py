"""Sharing a file from the Files tab: a discussion thread that carries it, so members can talk about it."""

from __future__ import annotations

from flask_babel import gettext as _

from academy.auth.models import User
from academy.community.models import Community, Thread, ThreadKind
from academy.community.services import files, threads
from academy.exceptions import ServiceError


def share_file(*, community: Community, author: User, upload: files.Upload | None, title: str, note: str) -> Thread:
    """Check the file, then open a discussion titled after it (or `title`) with the file attached."""
    if upload is None:
        raise ServiceError(_("Choose a file to share."), field="attachment")
    files.check_uploads([upload])  # the file's own error comes first, before the thread is built
    name = files.safe_filename(upload.filename)
    return threads.create_thread(
        community=community,
        author=author,
        kind=ThreadKind.DISCUSSION,
        title=(title or "").strip() or name,
        body=(note or "").strip() or _("I shared the file %(name)s.", name=name),
        uploads=[upload],
    )
