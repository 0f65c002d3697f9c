"""What a member does in a community through the API: start a thread, reply, accept an answer, watch.

The community services decide (membership, moderation, notifications); each operation commits
through `api_action`."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from academy.api.core import api_route, api_user
from academy.api.endpoints.communities import PostOut, ThreadDetail, area, post_fields, thread_detail, thread_of
from academy.api.fields import INT32_MAX, Integer, Text
from academy.api.problems import ApiProblem
from academy.api.schemas import ApiSchema
from academy.community.models import Post, ThreadKind, WatchLevel
from academy.community.services import threads as thread_services
from academy.community.services import watching
from academy.core.actions import api_action
from academy.exceptions import NotFound, PermissionDenied
from academy.extensions import db


class ThreadCreate(ApiSchema):
    """A question (or a discussion) to start."""

    kind = Text(
        load_default=ThreadKind.QUESTION,
        validate=validate.OneOf(ThreadKind.ALL),
        metadata={"description": "`question` (default) or `discussion`."},
    )
    title = Text(required=True, validate=validate.Length(min=1, max=thread_services.MAX_TITLE))
    body = Text(
        required=True,
        validate=validate.Length(min=1, max=thread_services.MAX_BODY),
        metadata={"description": "Markdown; `@[Name]` mentions a member."},
    )


class ReplyCreate(ApiSchema):
    """A reply (an answer, on a question)."""

    body = Text(
        required=True,
        validate=validate.Length(min=1, max=thread_services.MAX_BODY),
        metadata={"description": "Markdown; `@[Name]` mentions a member."},
    )


class AnswerChoice(ApiSchema):
    """The reply to accept as the answer."""

    post = Integer(
        required=True,
        validate=validate.Range(min=1, max=INT32_MAX),
        metadata={"description": "The id of a reply in this thread."},
    )


class WatchChoice(ApiSchema):
    """How closely to follow a thread, as on its page."""

    level = Text(
        required=True,
        validate=validate.OneOf(WatchLevel.ALL),
        metadata={
            "description": "`watching` (every new post), `normal` (threads I started or posted in)"
            " or `muted` (nothing)."
        },
    )


class CommunityWatch(ApiSchema):
    """My watch level for a whole community."""

    community = fields.String(required=True, metadata={"description": "The community's slug."})
    level = fields.String(
        required=True,
        validate=validate.OneOf(WatchLevel.ALL),
        metadata={"description": "My level for the community (`normal` unless chosen)."},
    )


class ThreadWatch(ApiSchema):
    """My watch levels for a thread and its community."""

    thread = fields.Integer(required=True)
    level = fields.String(
        required=True, validate=validate.OneOf(WatchLevel.ALL), metadata={"description": "My level for this thread."}
    )
    community_level = fields.String(
        required=True,
        validate=validate.OneOf(WatchLevel.ALL),
        metadata={"description": "My level for the whole community (`normal` unless chosen)."},
    )


@api_route(
    "/communities/<slug>/threads",
    method="POST",
    body=ThreadCreate,
    response=ThreadDetail,
    status=201,
    scope="write",
    tags=["Communities"],
)
def create_community_thread(slug: str, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Ask a question (or start a discussion) in a community I belong to.

    Members watching the community are notified, as when posting on the site.
    """
    community, access = area(slug)
    if not access.can_post:
        raise PermissionDenied("Only members of this community can post here.")
    with api_action():
        thread = thread_services.create_thread(
            community=community, author=api_user(), kind=body["kind"], title=body["title"], body=body["body"]
        )
    thread = thread_of(community, access, thread.id)
    location = url_for("api.get_community_thread", slug=community.slug, thread_id=thread.id)
    return thread_detail(community, access, thread), 201, {"Location": location}


@api_route(
    "/communities/<slug>/threads/<int:thread_id>/posts",
    method="POST",
    body=ReplyCreate,
    response=PostOut,
    status=201,
    scope="write",
    tags=["Communities"],
)
def create_reply(slug: str, thread_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Reply to a thread (answer a question) in a community I belong to.

    403 if the thread is locked. The asker, watchers and participants are notified.
    """
    community, access = area(slug)
    if not access.can_post:
        raise PermissionDenied("Only members of this community can post here.")
    thread = thread_of(community, access, thread_id)
    with api_action():
        post = thread_services.reply(thread=thread, author=api_user(), body=body["body"])
    post = db.session.scalar(
        select(Post).options(joinedload(Post.author), selectinload(Post.attachments)).where(Post.id == post.id)
    )
    return post_fields(post, post.thread, access), 201


@api_route(
    "/communities/<slug>/threads/<int:thread_id>/accepted-answer",
    method="POST",
    body=AnswerChoice,
    response=ThreadDetail,
    scope="write",
    tags=["Communities"],
    errors=[409],
)
def accept_community_answer(slug: str, thread_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Accept a reply as the answer to a question (the asker or a contact person).

    The reply's author is notified, as on the site. 403 for anyone else; 409 if the thread is a
    discussion or the post is its opening post or hidden; 422 naming `post` if the thread has no
    such reply.
    """
    community, access = area(slug)
    thread = thread_of(community, access, thread_id)
    try:
        post = thread_services.get_post(community, body["post"], include_hidden=access.can_moderate)
    except NotFound:
        post = None
    if post is None or post.thread_id != thread.id:
        raise ApiProblem(
            422,
            kind="validation-error",
            errors=[{"location": "body", "field": "post", "message": "This thread has no reply with this id."}],
        )
    with api_action():
        thread_services.accept_answer(post=post, actor=api_user())
    return thread_detail(community, access, thread_of(community, access, thread.id))


@api_route(
    "/communities/<slug>/threads/<int:thread_id>/accepted-answer",
    method="DELETE",
    response=ThreadDetail,
    scope="write",
    tags=["Communities"],
)
def clear_community_answer(slug: str, thread_id: int) -> dict[str, Any]:
    """Take back the accepted answer of a question (the asker or a contact person); 403 for others.

    Answers the thread, now without an accepted answer; clearing twice is harmless.
    """
    community, access = area(slug)
    thread = thread_of(community, access, thread_id)
    with api_action():
        thread_services.clear_answer(thread=thread, actor=api_user())
    return thread_detail(community, access, thread_of(community, access, thread.id))


@api_route(
    "/communities/<slug>/threads/<int:thread_id>/watch",
    method="PUT",
    body=WatchChoice,
    response=ThreadWatch,
    scope="write",
    tags=["Communities"],
)
def watch_community_thread(slug: str, thread_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Choose how closely to follow a thread; overrides my level for its community.

    The same levels as the thread page's *Notifications* menu. 403 for a reader who may not post
    (an admin who is not a member).
    """
    community, access = area(slug)
    thread = thread_of(community, access, thread_id)
    user = api_user()
    with api_action():
        watching.watch_thread(user=user, thread=thread, level=body["level"])
    return {"thread": thread.id, "level": body["level"], "community_level": watching.community_level(user, community)}


@api_route(
    "/communities/<slug>/watch",
    method="PUT",
    body=WatchChoice,
    response=CommunityWatch,
    scope="write",
    tags=["Communities"],
)
def watch_community(slug: str, body: dict[str, Any]) -> dict[str, Any]:
    """Choose how closely to follow a whole community: `watching` tells me of every new thread and post.

    The same levels as the community page's *Notifications* menu; a level chosen for a thread
    overrides it there. 403 for a reader who may not post (an admin who is not a member).
    """
    community, _access = area(slug)
    user = api_user()
    with api_action():
        watching.watch_community(user=user, community=community, level=body["level"])
    return {"community": community.slug, "level": watching.community_level(user, community)}
