"""A small world for community tests: a Finance parent, a sub-community with content, and people
in every standing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from academy.auth.models import User
from academy.community.documents import files as document_files
from academy.community.documents.models import Document, DocumentFile
from academy.community.documents.services import create_document
from academy.community.models import Attachment, Community, Flag, Membership, MemberStatus, Post, Thread
from academy.community.services import files
from academy.extensions import db
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread, pdf_bytes
from tests.factories import create_user

SECRETS = ("SECRET-TITLE", "SECRET-BODY", "secret-minutes.pdf", "Secret Member", "SECRET-REPLY")


@dataclass
class World:
    """Everything the access tests need, by role."""

    parent: Community
    community: Community
    contact: User
    member: User
    thread: Thread
    reply: Post
    attachment: Attachment
    pending: Membership
    flag: Flag
    people: dict[str, User]
    document: Document
    document_file: DocumentFile


@pytest.fixture
def world(app) -> World:
    parent = create_community(name="Finance", slug="finance")
    community = create_community(name="Controllers and audit", slug="controllers", parent=parent)
    contact = contact_of(community)
    member = add_member(community=community, user=create_user(name="Secret Member")).user
    thread = create_thread(
        community=community,
        author=member,
        title="SECRET-TITLE about audit trails",
        body="SECRET-BODY: how do you sample?",
        uploads=[files.Upload("secret-minutes.pdf", pdf_bytes())],
    )
    reply = create_reply(thread=thread, author=contact, body="SECRET-REPLY: we sample ten percent.")
    pending = add_member(community=community, status=MemberStatus.PENDING, message="Please let me in")
    flag = Flag(post=reply, community_id=community.id, reporter=member, reason="Off topic")
    db.session.add(flag)
    document = create_document(
        community=community, author=member, title="SECRET-TITLE checklist", body="SECRET-BODY: sample ten files."
    )
    document_file = document_files.add_file(
        document=document, uploader=member, upload=files.Upload("secret-minutes.pdf", pdf_bytes())
    )
    people = {
        "non-member": create_user(name="Nora Nonmember"),
        "pending": pending.user,
        "rejected": add_member(community=community, status=MemberStatus.REJECTED, reason="Not a controller").user,
        "removed": add_member(community=community, status=MemberStatus.REMOVED).user,
        "parent-member": add_member(community=parent).user,
        "left": add_member(community=community, status=MemberStatus.LEFT).user,
        "suspended": add_member(community=community, status=MemberStatus.SUSPENDED).user,
    }
    db.session.commit()
    attachment = thread.posts[0].attachments[0]
    return World(
        parent, community, contact, member, thread, reply, attachment, pending, flag, people, document, document_file
    )
