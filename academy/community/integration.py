"""Tell people about community events through the notifications outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy import select

from academy import request_memo
from academy.auth.models import User
from academy.community.access import access_for
from academy.community.documents import integration as document_notify
from academy.community.models import Community, Membership, Post, Thread
from academy.community.people import contacts, mentioned_members
from academy.community.services.watching import recipients_for_post
from academy.extensions import db
from academy.notifications import access as notification_access
from academy.notifications import events as notification_events
from academy.notifications import services as notifications


def _path(endpoint: str, **values: object) -> str:
    # Built from the URL map: these run in requests and in jobs alike.
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _thread_link(thread: Thread, post: Post | None = None) -> str:
    link = _path("community.thread", slug=thread.community.slug, thread_id=thread.id)
    return f"{link}#post-{post.id}" if post is not None else link


def _record(
    event: str,
    recipients: Iterable[User | int],
    *,
    community: Community,
    subject_type: str,
    subject_id: int,
    link: str,
    actor: User | None,
    key: str | None = None,
    **data: str,
) -> None:
    notifications.record(
        event=event,
        recipients=recipients,
        subject_type=subject_type,
        subject_id=subject_id,
        data={"community": community.name, "actor": actor.name if actor else "", **data},
        link=link,
        scope=notification_access.make_scope("community", community.id),
        actor=actor,
        key=key,
    )


def mentioned(post: Post) -> set[int]:
    """Members named as `@[Name]` in the post hear that they were mentioned; returns their user ids.

    The author is never told about their own mention; the "Mentions of me" preference decides how
    (in the app, by e-mail at once or in a digest).
    """
    thread = post.thread
    people = set(mentioned_members(thread.community, post.body).values()) - {post.author_id}
    if people:
        _record(
            "mention",
            sorted(people),
            community=thread.community,
            subject_type="post",
            subject_id=post.id,
            link=_thread_link(thread, post),
            actor=post.author,
            title=thread.title,
        )
    return people


def thread_created(thread: Thread) -> None:
    """Members mentioned in a new thread hear of it as a mention; members watching the community as a new thread."""
    opening = thread.posts[0]
    told = mentioned(opening)
    _record(
        "thread.created",
        [u for u in recipients_for_post(opening) if u.id not in told],
        community=thread.community,
        subject_type="thread",
        subject_id=thread.id,
        link=_thread_link(thread),
        actor=thread.author,
        title=thread.title,
    )


def replied(post: Post) -> None:
    """Watchers and participants hear about a reply; the asker hears about an answer to a question."""
    thread = post.thread
    told = mentioned(post)  # a mention is the one notice its person gets about this post
    recipients = [u for u in recipients_for_post(post) if u.id not in told]
    if thread.kind == "question" and thread.author_id != post.author_id and thread.author_id not in told:
        _record(
            "answer.posted",
            [thread.author_id],
            community=thread.community,
            subject_type="post",
            subject_id=post.id,
            link=_thread_link(thread, post),
            actor=post.author,
            title=thread.title,
        )
        recipients = [u for u in recipients if u.id != thread.author_id]
    _record(
        "post.replied",
        recipients,
        community=thread.community,
        subject_type="post",
        subject_id=post.id,
        link=_thread_link(thread, post),
        actor=post.author,
        title=thread.title,
    )


def answer_accepted(thread: Thread, post: Post, actor: User) -> None:
    """The author of the accepted answer hears about it."""
    _record(
        "answer.accepted",
        [post.author_id],
        community=thread.community,
        subject_type="post",
        subject_id=post.id,
        link=_thread_link(thread, post),
        actor=actor,
        title=thread.title,
    )


def membership_requested(membership: Membership) -> None:
    """The community's contact persons hear about a request to join."""
    community = membership.community
    _record(
        "membership.requested",
        contacts(community),
        community=community,
        subject_type="membership",
        subject_id=membership.id,
        link=_path("community.requests", slug=community.slug),
        actor=membership.user,
    )


def made_contact(membership: Membership, *, actor: User) -> None:
    """A member made a contact person hears of the new role and where requests wait."""
    if membership.user_id == actor.id:
        return
    community = membership.community
    _record(
        "membership.contact",
        [membership.user_id],
        community=community,
        subject_type="membership",
        subject_id=membership.id,
        link=_path("community.requests", slug=community.slug),
        actor=actor,
    )


def membership_decided(membership: Membership, *, approved: bool, actor: User) -> None:
    """The requester hears the decision (and reads the reason on the community page)."""
    community = membership.community
    _record(
        "membership.approved" if approved else "membership.rejected",
        [membership.user_id],
        community=community,
        subject_type="membership",
        subject_id=membership.id,
        link=_path("community.show", slug=community.slug),
        actor=actor,
    )


def _can_see_community(user: User, community_id: int) -> bool:
    # Every community in one query per request (there are dozens): the unread count checks each scope,
    # and a page's queries must not depend on how many communities a learner's notifications name.
    by_id = request_memo.remember(
        "community.by-id", None, lambda: {c.id: c for c in db.session.scalars(select(Community))}
    )
    community = by_id.get(community_id)
    return community is not None and access_for(user, community).can_view


def _community_label(community_id: int) -> str | None:
    community = db.session.get(Community, community_id)
    return community.name if community else None


def init_app(app: Flask) -> None:
    """Let notifications check at send time that the recipient still belongs to the community; add the document kind."""
    notification_access.register_subject(app, "community", can_see=_can_see_community, label=_community_label)
    notification_events.register(app, document_notify.KIND)
