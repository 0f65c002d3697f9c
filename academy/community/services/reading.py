"""What a member has read: threads with activity since their last visit are marked "new"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from academy.auth.models import User
from academy.community.marks import ThreadRead
from academy.community.models import Community, Membership, MemberStatus, Thread
from academy.core import data_version
from academy.db import utcnow
from academy.extensions import db


def mark_read(*, user: User, thread: Thread, when: datetime | None = None) -> None:
    """Remember that the user has seen the thread as it is now (one row per user and thread).

    A mark already later than the thread's last activity stays as it is: "new since your last visit"
    answers the same either way, and a re-read that writes nothing leaves the reader's cached pages valid.
    """
    values = {"user_id": user.id, "thread_id": thread.id, "read_at": when or utcnow()}
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(ThreadRead).values(**values)
    # Two tabs opening the same thread at once must not collide on the primary key.
    upsert = stmt.on_conflict_do_update(
        index_elements=["user_id", "thread_id"],
        set_={"read_at": stmt.excluded.read_at},
        where=ThreadRead.read_at < thread.last_activity_at,
    )
    with data_version.owned_by(user.id):
        db.session.execute(upsert)


def new_thread_ids(*, user: User, community: Community, threads: Iterable[Thread]) -> set[int]:
    """Ids of the threads with activity after the user last read them (or, unread, after they joined)."""
    threads = list(threads)
    if not threads or not user.is_authenticated:
        return set()
    joined_at = db.session.scalar(
        select(Membership.joined_at).where(
            Membership.community_id == community.id,
            Membership.user_id == user.id,
            Membership.status == MemberStatus.ACTIVE,
        )
    )
    if joined_at is None:
        return set()  # not a member (an admin looking in): nothing is "new" for them
    read = dict(
        db.session.execute(
            select(ThreadRead.thread_id, ThreadRead.read_at).where(
                ThreadRead.user_id == user.id, ThreadRead.thread_id.in_([t.id for t in threads])
            )
        ).all()
    )
    return {t.id for t in threads if t.last_activity_at > read.get(t.id, joined_at)}
