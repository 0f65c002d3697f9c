"""Demo conversations: a few members and questions so a first run shows communities at work.

Written for the demo only (`flask academy seed-demo`), through the same services as the pages, so
search documents, notifications and counters are what real use would make. Safe to run twice: a
conversation whose title already exists in its community is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from academy.auth.models import User
from academy.community.access import membership_of
from academy.community.models import Community, Thread, ThreadKind
from academy.community.services import membership, threads
from academy.exceptions import ServiceError
from academy.extensions import db


@dataclass(frozen=True)
class Reply:
    """An answer in a demo thread, by the person at `author` in the cast."""

    author: int
    body: str
    accepted: bool = False


@dataclass(frozen=True)
class Conversation:
    """A demo thread: where, who asks (an index into the cast), what, and the replies."""

    community: str
    asker: int
    title: str
    body: str
    replies: tuple[Reply, ...] = ()
    kind: str = ThreadKind.QUESTION


# The cast is the demo programme's participants, in the order programmes/seed.py creates them:
# 0 a managing authority officer, 1 a joint secretariat officer, 2 an auditor.
CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation(
        community="finance",
        asker=1,
        title="Office costs at 15 %: what happens when the controller cuts staff costs?",
        body=(
            "Our partners claim office and administrative costs as a flat rate on their direct staff"
            " costs. In the last report the first-level controller found one staff member who was"
            " not on the project and cut those hours.\n\nDo we also reduce the office costs, or do"
            " they stay as claimed?"
        ),
        replies=(
            Reply(
                author=2,
                accepted=True,
                body=(
                    "They follow their base. The flat rate is a percentage of the *eligible* direct"
                    " staff costs, so when the staff costs go down at control, the office costs"
                    " calculated on them go down by the same percentage — nobody needs to check"
                    " receipts for them.\n\nIn Jems this happens by itself once the controller"
                    " enters the corrected staff costs; tell partners beforehand so the lower"
                    " amount is no surprise."
                ),
            ),
            Reply(
                author=0,
                body=(
                    "Same in our programme. We added a sentence to the programme manual saying that"
                    " any correction of staff costs also changes the flat-rate office costs; it"
                    " saved us a lot of questions."
                ),
            ),
        ),
    ),
    Conversation(
        community="monitoring-and-jems",
        asker=0,
        title="Who in the partnership may submit the partner report in Jems?",
        body=(
            "We are setting up user rights for our first call in Jems. Can any user of a partner"
            " organisation submit its partner report, or only the person who created the"
            " application? How do other programmes handle staff changes at partner level?"
        ),
    ),
    Conversation(
        community="finance",
        asker=2,
        kind=ThreadKind.DISCUSSION,
        title="Sampling in first-level control: what do you ask for?",
        body=(
            "For the new period we are reviewing our checklists. Which supporting documents do"
            " your controllers still ask for when a partner uses only simplified cost options?"
            " Share what you dropped and what you kept."
        ),
    ),
)


def _ensure_member(community: Community, user: User, contact: User) -> None:
    """Add a cast member once; one who left or was removed in the browser stays out."""
    if membership_of(user, community) is None:
        membership.add_member(community=community, email=user.email, actor=contact)


def seed(*, cast: Sequence[User], contact: User) -> Iterator[str]:
    """Make the cast members of the demo communities and start the conversations; one line each."""
    communities = {c.slug: c for c in db.session.scalars(select(Community))}
    for conversation in CONVERSATIONS:
        community = communities.get(conversation.community)
        if community is None or len(cast) <= max([conversation.asker, *(r.author for r in conversation.replies)]):
            continue
        try:
            with db.session.begin_nested():
                for user in cast:
                    _ensure_member(community, user, contact)
        except ServiceError as err:
            yield f"{community.slug}: members left alone ({err.message})"
        exists = db.session.scalar(
            select(Thread).where(Thread.community_id == community.id, Thread.title == conversation.title)
        )
        if exists is not None:
            state = "deleted in the browser, left alone" if exists.deleted_at else "already there"
            yield f"{community.slug}: “{conversation.title}” {state}"
            continue
        try:
            with db.session.begin_nested():
                _start(conversation, community, cast)
        except ServiceError as err:
            yield f"{community.slug}: “{conversation.title}” not started ({err.message})"
            continue
        yield f"{community.slug}: “{conversation.title}”"
    db.session.flush()


def _start(conversation: Conversation, community: Community, cast: Sequence[User]) -> None:
    """Open the conversation's thread with its replies and accepted answer."""
    thread = threads.create_thread(
        community=community,
        author=cast[conversation.asker],
        kind=conversation.kind,
        title=conversation.title,
        body=conversation.body,
    )
    for reply in conversation.replies:
        post = threads.reply(thread=thread, author=cast[reply.author], body=reply.body)
        if reply.accepted:
            threads.accept_answer(post=post, actor=cast[conversation.asker])
