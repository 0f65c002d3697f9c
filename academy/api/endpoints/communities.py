"""Communities I belong to, their threads and posts; asking, replying, accepting answers, watching.

The rules are the community pages': content is for active members (and admins, who may read but
not post). Anyone else gets 404 for a community's content, so a token cannot even learn which
threads exist; a reader who may not post (an admin who is not a member) gets 403 on writes.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from academy.api.core import api_route, api_user
from academy.api.fields import Text
from academy.api.pagination import Page, paginate
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.community.access import Access, access_for
from academy.community.models import Community, Membership, MemberStatus, Post, Thread, ThreadKind
from academy.community.services import threads as thread_services
from academy.exceptions import NotFound
from academy.extensions import db

describe_tag(
    "Communities",
    "Communities you belong to, their threads and posts. Members only: other communities answer 404.",
)


class CommunityQuery(PageQuery):
    """Paging of my communities."""


class ThreadQuery(PageQuery):
    """Filters of a community's thread list, as on its page."""

    filter = Text(
        load_default="all",
        validate=validate.OneOf(thread_services.THREAD_FILTERS),
        metadata={
            "description": "`all`, `unanswered` (questions without an accepted answer), `questions` or `discussions`."
        },
    )


class PostQuery(PageQuery):
    """Paging of a thread's replies."""


class CommunityRef(ApiSchema):
    """A community by slug and name."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class MyCommunity(ApiSchema):
    """A community I belong to."""

    slug = fields.String(required=True)
    name = fields.String(required=True)
    summary = fields.String(required=True)
    parent = fields.Nested(CommunityRef, required=True, allow_none=True)
    member_count = fields.Integer(required=True)
    role = fields.String(required=True, validate=validate.OneOf(["member", "contact"]))
    joined_at = fields.DateTime(required=True, allow_none=True)


class Person(ApiSchema):
    """Someone, by name."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AttachmentInfo(ApiSchema):
    """A file shared on a post (download it on the site)."""

    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    file_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    version = fields.Integer(required=True)


class PostOut(ApiSchema):
    """A post; `body` and `body_html` are null when a contact person hid it."""

    id = fields.Integer(required=True)
    author = fields.Nested(Person, required=True, allow_none=True)
    opening = fields.Boolean(required=True, metadata={"description": "The thread's first post."})
    accepted = fields.Boolean(required=True, metadata={"description": "The accepted answer of the question."})
    hidden = fields.Boolean(required=True)
    body = fields.String(required=True, allow_none=True, metadata={"description": "Markdown."})
    body_html = fields.String(required=True, allow_none=True, metadata={"description": "Sanitised HTML."})
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(required=True, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentInfo), required=True)


class ThreadSummary(ApiSchema):
    """A thread as listed."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ThreadKind.ALL))
    title = fields.String(required=True)
    author = fields.Nested(Person, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True)
    reply_count = fields.Integer(required=True)
    answered = fields.Boolean(required=True, metadata={"description": "A question with an accepted answer."})
    pinned = fields.Boolean(required=True)
    locked = fields.Boolean(required=True, metadata={"description": "Takes no new replies."})
    hidden = fields.Boolean(required=True, metadata={"description": "Hidden from members (contact persons see it)."})


class ThreadDetail(ThreadSummary):
    """A thread with its opening post and accepted answer; its replies are under `/posts`."""

    community = fields.Nested(CommunityRef, required=True)
    opening = fields.Nested(PostOut, required=True)
    accepted_answer = fields.Nested(PostOut, required=True, allow_none=True)


MyCommunityPage = page_of(MyCommunity, "MyCommunityPage")
ThreadPage = page_of(ThreadSummary, "ThreadPage")
PostPage = page_of(PostOut, "PostPage")


# --- access ---------------------------------------------------------------------------------------


def area(slug: str) -> tuple[Community, Access]:
    """The community and my access to it; 404 unless I may read it (as on the community pages)."""
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFound("There is no community with this address, or you are not a member.")
    access = access_for(api_user(), community)
    if not access.can_view:
        raise NotFound("There is no community with this address, or you are not a member.")
    return community, access


def thread_of(community: Community, access: Access, thread_id: int) -> Thread:
    """A thread of the community the caller may see, or 404."""
    return thread_services.get_thread(community, thread_id, include_hidden=access.can_moderate)


def _my_community(slug: str) -> Membership:
    """My active membership of the community, with it and its parent (one query); 404 otherwise."""
    parent = aliased(Community)
    membership = db.session.scalar(
        select(Membership)
        .join(Community, Community.id == Membership.community_id)
        .outerjoin(parent, parent.id == Community.parent_id)
        .where(
            Community.slug == slug,
            Membership.user_id == api_user().id,
            Membership.status == MemberStatus.ACTIVE,
        )
        .options(contains_eager(Membership.community).contains_eager(Community.parent, alias=parent))
    )
    if membership is None:
        raise NotFound("There is no community with this address, or you are not a member.")
    return membership


# --- output ---------------------------------------------------------------------------------------


def _community(m: Membership) -> dict[str, Any]:
    return {
        "slug": m.community.slug,
        "name": m.community.name,
        "summary": m.community.summary,
        "parent": {"slug": m.community.parent.slug, "name": m.community.parent.name} if m.community.parent else None,
        "member_count": m.community.member_count,
        "role": m.role,
        "joined_at": m.joined_at,
    }


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def post_fields(post: Post, thread: Thread, access: Access) -> dict[str, Any]:
    """A post as PostOut describes it."""
    hidden = post.hidden_at is not None
    shown = not hidden or access.can_moderate
    return {
        "id": post.id,
        "author": _person(post.author),
        "opening": post.is_opening,
        "accepted": thread.accepted_post_id == post.id,
        "hidden": hidden,
        "body": post.body if shown else None,
        "body_html": post.body_html if shown else None,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "attachments": [
            {"id": a.id, "filename": a.filename, "file_type": a.file_type, "size": a.size, "version": a.version}
            for a in post.attachments
        ]
        if shown
        else [],
    }


def _summary(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "kind": thread.kind,
        "title": thread.title,
        "author": _person(thread.author),
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "reply_count": thread.reply_count,
        "answered": thread.kind == ThreadKind.QUESTION and thread.accepted_post_id is not None,
        "pinned": thread.is_pinned,
        "locked": thread.is_locked,
        "hidden": thread.hidden_at is not None,
    }


def thread_detail(community: Community, access: Access, thread: Thread) -> dict[str, Any]:
    """A thread as ThreadDetail describes it."""
    view = thread_services.thread_view(thread, page=1, per_page=1)
    out = _summary(thread)
    out["community"] = {"slug": community.slug, "name": community.name}
    out["opening"] = post_fields(view.opening, thread, access)
    out["accepted_answer"] = post_fields(view.accepted, thread, access) if view.accepted else None
    return out


# --- operations -----------------------------------------------------------------------------------


@api_route("/communities", query=CommunityQuery, response=MyCommunityPage, scope="read", tags=["Communities"])
def list_communities(query: dict[str, Any]) -> Page:
    """Communities I am an active member (or contact person) of, in the directory's order."""
    stmt = (
        select(Membership)
        .join(Community, Community.id == Membership.community_id)
        .where(Membership.user_id == api_user().id, Membership.status == MemberStatus.ACTIVE)
        .options(contains_eager(Membership.community).selectinload(Community.parent))
        .order_by(Community.position, Community.name, Community.id)
    )
    page = paginate(stmt, limit=query["limit"], offset=query["offset"])
    page.items = [_community(m) for m in page.items]
    return page


@api_route("/communities/<slug>", response=MyCommunity, scope="read", tags=["Communities"])
def get_community(slug: str) -> dict[str, Any]:
    """One community I am an active member (or contact person) of.

    404 for a community I do not belong to, exactly as for one that does not exist.
    """
    return _community(_my_community(slug))


@api_route("/communities/<slug>/threads", query=ThreadQuery, response=ThreadPage, scope="read", tags=["Communities"])
def list_community_threads(slug: str, query: dict[str, Any]) -> Page:
    """A community's threads: pinned first, then by latest activity; filtered as on its page."""
    community, access = area(slug)
    stmt = thread_services.threads_query(community, filter=query["filter"], include_hidden=access.can_moderate)
    page = paginate(stmt, limit=query["limit"], offset=query["offset"])
    page.items = [_summary(t) for t in page.items]
    return page


@api_route("/communities/<slug>/threads/<int:thread_id>", response=ThreadDetail, scope="read", tags=["Communities"])
def get_community_thread(slug: str, thread_id: int) -> dict[str, Any]:
    """A thread with its opening post and its accepted answer."""
    community, access = area(slug)
    return thread_detail(community, access, thread_of(community, access, thread_id))


@api_route(
    "/communities/<slug>/threads/<int:thread_id>/posts",
    query=PostQuery,
    response=PostPage,
    scope="read",
    tags=["Communities"],
)
def list_thread_posts(slug: str, thread_id: int, query: dict[str, Any]) -> Page:
    """A thread's replies, oldest first (the accepted answer among them, flagged)."""
    community, access = area(slug)
    thread = thread_of(community, access, thread_id)
    stmt = (
        select(Post)
        .options(joinedload(Post.author), selectinload(Post.attachments))
        .where(Post.thread_id == thread.id, Post.is_opening.is_(False), Post.deleted_at.is_(None))
        .order_by(Post.id)
    )
    page = paginate(stmt, limit=query["limit"], offset=query["offset"])
    page.items = [post_fields(p, thread, access) for p in page.items]
    return page
