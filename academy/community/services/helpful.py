"""'This helped me': members mark answers that helped them; authors collect the marks they received."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from academy.auth.models import User
from academy.community.access import access_for
from academy.community.marks import HelpfulMark
from academy.community.models import Post
from academy.exceptions import Conflict, PermissionDenied
from academy.extensions import db


def toggle(*, post: Post, user: User) -> bool:
    """Mark the answer as helpful, or take the mark back; return True when it is now marked."""
    if not access_for(user, post.thread.community).can_post:
        raise PermissionDenied(_("Only members of this community can mark answers."))
    if post.is_opening or not post.is_visible:
        raise Conflict(_("Only answers can be marked as helpful."))
    if post.author_id == user.id:
        raise Conflict(_("You cannot mark your own answer as helpful."))
    removed = db.session.execute(
        delete(HelpfulMark).where(HelpfulMark.post_id == post.id, HelpfulMark.user_id == user.id)
    ).rowcount
    if removed:
        return False
    db.session.add(HelpfulMark(post_id=post.id, user_id=user.id))
    db.session.flush()
    return True


def counts(post_ids: Iterable[int]) -> dict[int, int]:
    """How many members marked each post helpful (posts without marks left out)."""
    ids = list(post_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(HelpfulMark.post_id, func.count()).where(HelpfulMark.post_id.in_(ids)).group_by(HelpfulMark.post_id)
    )
    return dict(rows.all())


def marked_by(user: User, post_ids: Iterable[int]) -> set[int]:
    """The posts among `post_ids` this user marked helpful."""
    ids = list(post_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(HelpfulMark.post_id).where(HelpfulMark.user_id == user.id, HelpfulMark.post_id.in_(ids))
        )
    )


def received(author_ids: Iterable[int | None]) -> dict[int, int]:
    """Helpful marks each author received on their visible posts, in every community."""
    ids = [i for i in set(author_ids) if i is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Post.author_id, func.count())
        .join(HelpfulMark, HelpfulMark.post_id == Post.id)
        .where(Post.author_id.in_(ids), Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        .group_by(Post.author_id)
    )
    return dict(rows.all())
