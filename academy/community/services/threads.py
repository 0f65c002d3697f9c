"""Threads and posts: ask, discuss, reply, edit with history, delete, accept an answer, pin, lock."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from academy import markdown
from academy.auth.models import User
from academy.community import integration
from academy.community.access import Access, access_for
from academy.community.models import (
    Attachment,
    Community,
    Membership,
    MemberStatus,
    Post,
    PostRevision,
    Thread,
    ThreadKind,
)
from academy.community.people import mentioned_members
from academy.community.services import files, search
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db

MAX_TITLE = 200
MAX_BODY = 20_000
THREAD_FILTERS = ("all", "unanswered", "questions", "discussions")


def _member_url(community: Community, user_id: int) -> str:
    anchor = f"member-{user_id}"
    if has_request_context():
        return url_for("community.members", slug=community.slug, _anchor=anchor)
    adapter = current_app.url_map.bind("localhost")
    return f"{adapter.build('community.members', {'slug': community.slug})}#{anchor}"


def render_body(community: Community, body: str, *, files: markdown.FileResolver | None = None) -> Markup:
    """Markdown to safe HTML; `@[Name]` links to an active member of this community with that name.

    `files` resolves `attachment:<id>` images and links (community documents; see academy.markdown).
    """
    people = mentioned_members(community, body)

    def resolve(name: str) -> str | None:
        user_id = people.get(name.strip().lower())
        return _member_url(community, user_id) if user_id else None

    return markdown.render(body, mentions=resolve, files=files)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(_("Give your thread a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(_("Keep the title under %(n)d characters.", n=MAX_TITLE), field="title")
    return title


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Write something first."), field="body")
    if len(body) > MAX_BODY:
        raise ServiceError(_("Keep the text under %(n)d characters.", n=MAX_BODY), field="body")
    return body


def _require_poster(user: User, community: Community) -> Access:
    access = access_for(user, community)
    if not access.can_post:
        raise PermissionDenied(_("Only members of this community can post here."))
    return access


def create_thread(
    *,
    community: Community,
    author: User,
    kind: str,
    title: str,
    body: str,
    uploads: list[files.Upload] | None = None,
) -> Thread:
    """Open a question or a discussion with its first post (and attachments)."""
    _require_poster(author, community)
    if kind not in ThreadKind.ALL:
        raise ServiceError(_("Choose a question or a discussion."), field="kind")
    title, body = _clean_title(title), _clean_body(body)
    files.check_uploads(uploads or [])  # refuse bad files before anything is written
    now = utcnow()
    thread = Thread(community=community, author=author, kind=kind, title=title, created_at=now, last_activity_at=now)
    post = Post(thread=thread, author=author, is_opening=True, body=body, body_html=str(render_body(community, body)))
    db.session.add_all([thread, post])
    db.session.flush()
    files.attach(post=post, uploader=author, uploads=uploads or [])
    search.index_post(post)
    integration.thread_created(thread)
    return thread


def get_thread(community: Community, thread_id: int, *, include_hidden: bool = False) -> Thread:
    """A thread of this community that is not deleted (nor hidden, unless asked), or NotFound."""
    thread = db.session.scalar(
        select(Thread)
        .options(joinedload(Thread.author))
        .where(Thread.id == thread_id, Thread.community_id == community.id)
    )
    if thread is None or thread.deleted_at is not None or (thread.hidden_at is not None and not include_hidden):
        raise NotFound(_("That thread does not exist."))
    return thread


def get_post(community: Community, post_id: int, *, include_hidden: bool = False) -> Post:
    """A live post in a live thread of this community, or NotFound."""
    post = db.session.scalar(
        select(Post)
        .join(Post.thread)
        .options(joinedload(Post.thread), joinedload(Post.author))
        .where(Post.id == post_id, Thread.community_id == community.id)
    )
    if post is None or post.deleted_at is not None or post.thread.deleted_at is not None:
        raise NotFound(_("That post does not exist."))
    if not include_hidden and (post.hidden_at is not None or post.thread.hidden_at is not None):
        raise NotFound(_("That post does not exist."))
    return post


def reply(*, thread: Thread, author: User, body: str, uploads: list[files.Upload] | None = None) -> Post:
    """Add a reply (an answer, on a question)."""
    access = _require_poster(author, thread.community)
    if thread.is_locked and not access.can_moderate:
        raise PermissionDenied(_("This thread is locked: no new replies."))
    body = _clean_body(body)
    files.check_uploads(uploads or [])
    now = utcnow()
    post = Post(thread=thread, author=author, body=body, body_html=str(render_body(thread.community, body)))
    post.created_at = now
    db.session.add(post)
    thread.reply_count = (thread.reply_count or 0) + 1
    thread.last_activity_at = now
    db.session.flush()
    files.attach(post=post, uploader=author, uploads=uploads or [])
    search.index_post(post)
    integration.replied(post)
    return post


def edit_post(
    *, post: Post, editor: User, body: str, title: str | None = None, uploads: list[files.Upload] | None = None
) -> Post:
    """Change a post (and the title, on an opening post), keeping the old text as a revision; attach new files."""
    access = _require_poster(editor, post.thread.community)
    if post.author_id != editor.id:
        raise PermissionDenied(_("You can only edit your own posts."))
    if post.thread.is_locked and not access.can_moderate:
        raise PermissionDenied(_("This thread is locked."))
    body = _clean_body(body)
    new_title = _clean_title(title) if (post.is_opening and title is not None) else None
    old_title = post.thread.title if post.is_opening else None
    files.attach(post=post, uploader=editor, uploads=uploads or [], already=len(post.attachments))
    if body == post.body and (new_title is None or new_title == old_title):
        return post
    db.session.add(PostRevision(post=post, editor=editor, title=old_title, body=post.body))
    post.body = body
    post.body_html = str(render_body(post.thread.community, body))
    post.edited_at = utcnow()
    if new_title is not None:
        post.thread.title = new_title
    db.session.flush()
    search.index_post(post)
    return post


def revisions(post: Post) -> list[PostRevision]:
    """A post's earlier versions, oldest first, with their editors."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .options(joinedload(PostRevision.editor))
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id)
        )
    )


def delete_post(*, post: Post, actor: User) -> None:
    """Soft-delete a post (the whole thread, for an opening post); the author or a contact may."""
    access = access_for(actor, post.thread.community)
    if not (access.can_moderate or (access.can_post and post.author_id == actor.id)):
        raise PermissionDenied(_("Only the author or a contact person can delete this post."))
    now = utcnow()
    post.deleted_at, post.deleted_by_id = now, actor.id
    thread = post.thread
    if post.is_opening:
        thread.deleted_at = now
    else:
        thread.reply_count = max(0, (thread.reply_count or 0) - 1)
        if thread.accepted_post_id == post.id:
            thread.accepted_post_id = None
    db.session.flush()


def accept_answer(*, post: Post, actor: User) -> Thread:
    """Mark a reply as the accepted answer; the asker or a contact may."""
    thread = post.thread
    access = access_for(actor, thread.community)
    if not (access.can_moderate or (access.can_post and thread.author_id == actor.id)):
        raise PermissionDenied(_("Only the person who asked or a contact person can accept an answer."))
    if thread.kind != ThreadKind.QUESTION:
        raise Conflict(_("Only questions have accepted answers."))
    if post.is_opening or not post.is_visible:
        raise Conflict(_("Choose a reply as the answer."))
    thread.accepted_post_id = post.id
    db.session.flush()
    integration.answer_accepted(thread, post, actor)
    return thread


def clear_answer(*, thread: Thread, actor: User) -> Thread:
    """Take back the accepted answer."""
    access = access_for(actor, thread.community)
    if not (access.can_moderate or (access.can_post and thread.author_id == actor.id)):
        raise PermissionDenied(_("Only the person who asked or a contact person can change the answer."))
    thread.accepted_post_id = None
    db.session.flush()
    return thread


def set_flags(*, thread: Thread, actor: User, pinned: bool | None = None, locked: bool | None = None) -> Thread:
    """Pin or lock a thread (contact persons)."""
    if not access_for(actor, thread.community).can_moderate:
        raise PermissionDenied(_("Only the community's contact persons can do this."))
    if pinned is not None:
        thread.is_pinned = pinned
    if locked is not None:
        thread.is_locked = locked
    db.session.flush()
    return thread


def list_threads(
    community: Community, *, filter: str = "all", page: int = 1, per_page: int = 20, include_hidden: bool = False
) -> Pagination:
    """Threads of a community, pinned first, then by last activity; with authors loaded."""
    stmt = threads_query(community, filter=filter, include_hidden=include_hidden)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def threads_query(community: Community, *, filter: str = "all", include_hidden: bool = False) -> Select:
    """The SELECT behind list_threads, for callers that page it themselves (the API)."""
    stmt = (
        select(Thread)
        .options(joinedload(Thread.author))
        .where(Thread.community_id == community.id, Thread.deleted_at.is_(None))
        .order_by(Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    )
    if not include_hidden:
        stmt = stmt.where(Thread.hidden_at.is_(None))
    if filter == "unanswered":
        stmt = stmt.where(Thread.kind == ThreadKind.QUESTION, Thread.accepted_post_id.is_(None))
    elif filter == "questions":
        stmt = stmt.where(Thread.kind == ThreadKind.QUESTION)
    elif filter == "discussions":
        stmt = stmt.where(Thread.kind == ThreadKind.DISCUSSION)
    return stmt


def unanswered_in_my_communities(user: User) -> list[tuple[Community, int]]:
    """The communities the user is an active member of, by name, each with its unanswered questions (1 query).

    Unanswered as the community page's filter counts them: visible questions without an accepted answer.
    """
    unanswered = and_(
        Thread.community_id == Community.id,
        Thread.kind == ThreadKind.QUESTION,
        Thread.accepted_post_id.is_(None),
        Thread.deleted_at.is_(None),
        Thread.hidden_at.is_(None),
    )
    rows = db.session.execute(
        select(Community, func.count(Thread.id))
        .join(Membership, Membership.community_id == Community.id)
        .outerjoin(Thread, unanswered)
        .where(Membership.user_id == user.id, Membership.status == MemberStatus.ACTIVE)
        .group_by(Community.id)
        .order_by(func.lower(Community.name), Community.id)
    )
    return [(community, count) for community, count in rows]


PER_PAGE = 20


def page_of(post: Post, *, per_page: int = PER_PAGE) -> int:
    """The page of the thread on which a reply appears."""
    thread = post.thread
    before = db.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(
            Post.thread_id == thread.id,
            Post.is_opening.is_(False),
            Post.deleted_at.is_(None),
            Post.id <= post.id,
            Post.id != (thread.accepted_post_id or -1),
        )
    )
    return max(1, -(-before // per_page))


@dataclass
class ThreadView:
    """What the thread page shows: the opening post, the accepted answer, a page of replies."""

    opening: Post
    accepted: Post | None
    replies: Pagination


def thread_view(thread: Thread, *, page: int = 1, per_page: int = PER_PAGE) -> ThreadView:
    """Load the thread page's posts in a fixed number of queries, whatever their number."""
    loaders = (joinedload(Post.author), selectinload(Post.attachments).joinedload(Attachment.uploader))
    head = list(
        db.session.scalars(
            select(Post)
            .options(*loaders)
            .where(
                Post.thread_id == thread.id,
                or_(Post.is_opening.is_(True), Post.id == (thread.accepted_post_id or -1)),
            )
        ).unique()
    )
    opening = next((p for p in head if p.is_opening), None)
    if opening is None:
        raise NotFound(_("That thread does not exist."))
    accepted = next((p for p in head if not p.is_opening), None)
    stmt = (
        select(Post)
        .options(*loaders)
        .where(Post.thread_id == thread.id, Post.is_opening.is_(False), Post.deleted_at.is_(None))
        .order_by(Post.id)
    )
    if accepted is not None:
        stmt = stmt.where(Post.id != accepted.id)
    replies = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return ThreadView(opening=opening, accepted=accepted, replies=replies)
