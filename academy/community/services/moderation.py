"""Flags, the contacts' review queue, and hiding posts."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.access import access_for
from academy.community.models import Community, Flag, FlagStatus, Post, Thread
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db

MAX_REASON = 1000


def _require_moderator(actor: User, community: Community) -> None:
    if not access_for(actor, community).can_moderate:
        raise PermissionDenied(_("Only the community's contact persons can do this."))


def flag_post(*, post: Post, reporter: User, reason: str) -> Flag:
    """Report a post to the contact persons, with a reason."""
    community = post.thread.community
    if not access_for(reporter, community).can_post:
        raise PermissionDenied(_("Only members can flag posts."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say what is wrong with the post."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(_("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    existing = db.session.scalar(select(Flag).where(Flag.post_id == post.id, Flag.reporter_id == reporter.id))
    if existing is not None:
        raise Conflict(_("You have already flagged this post."))
    flag = Flag(post=post, community_id=community.id, reporter=reporter, reason=reason)
    db.session.add(flag)
    db.session.flush()
    return flag


def open_flags(community: Community) -> list[Flag]:
    """Flags waiting for review, oldest first, with post, thread and reporter loaded."""
    return list(
        db.session.scalars(
            select(Flag)
            .options(
                joinedload(Flag.reporter),
                joinedload(Flag.post).joinedload(Post.author),
                joinedload(Flag.post).joinedload(Post.thread),
            )
            .where(Flag.community_id == community.id, Flag.status == FlagStatus.OPEN)
            .order_by(Flag.created_at, Flag.id)
        )
    )


def open_flag_count(community: Community) -> int:
    """How many flags wait for review."""
    return db.session.scalar(
        select(func.count()).select_from(Flag).where(Flag.community_id == community.id, Flag.status == FlagStatus.OPEN)
    )


def set_hidden(*, post: Post, actor: User, hidden: bool) -> Post:
    """Hide a post from members (or show it again); hiding an opening post hides the thread."""
    _require_moderator(actor, post.thread.community)
    now = utcnow() if hidden else None
    post.hidden_at = now
    post.hidden_by_id = actor.id if hidden else None
    thread: Thread = post.thread
    if post.is_opening:
        thread.hidden_at = now
    elif hidden and thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
    db.session.flush()
    return post


def resolve_flag(*, community: Community, flag_id: int, actor: User, action: str) -> Flag:
    """Hide the flagged post or dismiss the flag; other open flags on the post go with it."""
    _require_moderator(actor, community)
    flag = db.session.get(Flag, flag_id)
    if flag is None or flag.community_id != community.id:
        raise NotFound(_("That flag does not exist."))
    if flag.status != FlagStatus.OPEN:
        raise Conflict(_("That flag has already been reviewed."))
    if action not in ("hide", "dismiss"):
        raise ServiceError(_("Choose hide or dismiss."))
    if action == "hide":
        set_hidden(post=flag.post, actor=actor, hidden=True)
    status = FlagStatus.HIDDEN if action == "hide" else FlagStatus.DISMISSED
    now = utcnow()
    for other in db.session.scalars(select(Flag).where(Flag.post_id == flag.post_id, Flag.status == FlagStatus.OPEN)):
        other.status, other.resolved_by_id, other.resolved_at = status, actor.id, now
    db.session.flush()
    return flag
