"""Keyword-only factories for community tests."""

from __future__ import annotations

import itertools
import struct
import zlib

from academy.auth.models import User
from academy.community.models import Community, MemberRole, Membership, MemberStatus, Policy, Post, Thread, ThreadKind
from academy.community.services import files, threads
from academy.db import utcnow
from academy.extensions import db
from tests.factories import create_user

_seq = itertools.count(1)


def create_community(
    *,
    name: str | None = None,
    slug: str | None = None,
    parent: Community | None = None,
    policy: str = Policy.APPROVAL,
    contact: User | None = None,
    description: str = "A place for peers to exchange.",
    commit: bool = True,
) -> Community:
    """A community, with `contact` (or a new user) as its contact person."""
    n = next(_seq)
    community = Community(
        name=name or f"Community {n}",
        slug=slug or f"community-{n}",
        summary="Peers exchanging on a topic.",
        description=description,
        parent=parent,
        policy=policy,
    )
    db.session.add(community)
    db.session.flush()
    add_member(
        community=community, user=contact or create_user(name=f"Contact {n}"), role=MemberRole.CONTACT, commit=False
    )
    if commit:
        db.session.commit()
    return community


def add_member(
    *,
    community: Community,
    user: User | None = None,
    status: str = MemberStatus.ACTIVE,
    role: str = MemberRole.MEMBER,
    message: str = "",
    reason: str = "",
    commit: bool = True,
) -> Membership:
    """Put a user (a new one unless given) in the community with the given standing."""
    user = user or create_user()
    membership = Membership(
        community=community,
        user=user,
        status=status,
        role=role,
        request_message=message,
        decision_reason=reason,
        joined_at=utcnow() if status == MemberStatus.ACTIVE else None,
    )
    db.session.add(membership)
    if status == MemberStatus.ACTIVE:
        community.member_count = (community.member_count or 0) + 1
    db.session.flush()
    if commit:
        db.session.commit()
    return membership


def contact_of(community: Community) -> User:
    """The first contact person of a community."""
    return next(m.user for m in community.memberships if m.role == MemberRole.CONTACT)


def create_thread(
    *,
    community: Community,
    author: User | None = None,
    kind: str = ThreadKind.QUESTION,
    title: str | None = None,
    body: str = "How do other programmes handle this?",
    uploads: list[files.Upload] | None = None,
    commit: bool = True,
) -> Thread:
    """A thread through the service (so search and attachments are as in real use)."""
    author = author or add_member(community=community, commit=False).user
    thread = threads.create_thread(
        community=community,
        author=author,
        kind=kind,
        title=title or f"Thread {next(_seq)}",
        body=body,
        uploads=uploads,
    )
    if commit:
        db.session.commit()
    return thread


def create_reply(
    *,
    thread: Thread,
    author: User | None = None,
    body: str = "We solved it like this.",
    uploads: list[files.Upload] | None = None,
    commit: bool = True,
) -> Post:
    """A reply through the service."""
    author = author or add_member(community=thread.community, commit=False).user
    post = threads.reply(thread=thread, author=author, body=body, uploads=uploads)
    if commit:
        db.session.commit()
    return post


def pdf_bytes(text: str = "minutes") -> bytes:
    """A tiny PDF-looking file."""
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\xff\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
