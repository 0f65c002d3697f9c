"""Following communities and threads; the levels decide who hears about new posts."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.access import access_for
from academy.community.models import Community, Membership, MemberStatus, Post, Thread, Watch, WatchLevel
from academy.exceptions import PermissionDenied, ServiceError
from academy.extensions import db


def _check(user: User, community: Community, level: str) -> None:
    if level not in WatchLevel.ALL:
        raise ServiceError(_("Choose watching, normal or muted."), field="level")
    if not access_for(user, community).can_post:
        raise PermissionDenied(_("Only members can follow this community."))


def watch_community(*, user: User, community: Community, level: str) -> Watch:
    """Set how closely the user follows a whole community."""
    _check(user, community, level)
    watch = db.session.scalar(select(Watch).where(Watch.user_id == user.id, Watch.community_id == community.id))
    if watch is None:
        watch = Watch(user=user, community_id=community.id)
        db.session.add(watch)
    watch.level = level
    db.session.flush()
    return watch


def watch_thread(*, user: User, thread: Thread, level: str) -> Watch:
    """Set how closely the user follows one thread (overrides the community level)."""
    _check(user, thread.community, level)
    watch = db.session.scalar(select(Watch).where(Watch.user_id == user.id, Watch.thread_id == thread.id))
    if watch is None:
        watch = Watch(user=user, thread_id=thread.id)
        db.session.add(watch)
    watch.level = level
    db.session.flush()
    return watch


def levels_for(user: User, thread: Thread) -> tuple[str | None, str | None]:
    """(thread level, community level) the user chose; None where no choice was made."""
    rows = db.session.execute(
        select(Watch.thread_id, Watch.community_id, Watch.level).where(
            Watch.user_id == user.id,
            (Watch.thread_id == thread.id) | (Watch.community_id == thread.community_id),
        )
    ).all()
    thread_level = next((r.level for r in rows if r.thread_id == thread.id), None)
    community_level = next((r.level for r in rows if r.community_id == thread.community_id), None)
    return thread_level, community_level


def community_level(user: User, community: Community) -> str:
    """The level the user chose for the community (NORMAL when none)."""
    level = db.session.scalar(select(Watch.level).where(Watch.user_id == user.id, Watch.community_id == community.id))
    return level or WatchLevel.NORMAL


def recipients_for_post(post: Post) -> list[User]:
    """Who should hear about a new post: active members watching it, or taking part at level normal.

    The thread's level wins over the community's; NORMAL means "threads I started or posted in";
    the post's author is never told about their own post.
    """
    thread = post.thread
    members = {
        m.user_id: m.user
        for m in db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(Membership.community_id == thread.community_id, Membership.status == MemberStatus.ACTIVE)
        )
    }
    watches = db.session.execute(
        select(Watch.user_id, Watch.thread_id, Watch.level).where(
            (Watch.thread_id == thread.id) | (Watch.community_id == thread.community_id)
        )
    ).all()
    thread_levels = {w.user_id: w.level for w in watches if w.thread_id == thread.id}
    community_levels = {w.user_id: w.level for w in watches if w.thread_id is None}
    participants = set(
        db.session.scalars(
            select(Post.author_id).where(Post.thread_id == thread.id, Post.deleted_at.is_(None)).distinct()
        )
    )
    recipients = []
    for user_id, user in members.items():
        if user_id == post.author_id:
            continue
        level = thread_levels.get(user_id) or community_levels.get(user_id) or WatchLevel.NORMAL
        if level == WatchLevel.WATCHING or (level == WatchLevel.NORMAL and user_id in participants):
            recipients.append(user)
    return sorted(recipients, key=lambda u: u.id)
