"""Flags, the review queue and hiding posts."""

from __future__ import annotations

import pytest

from academy.community.models import Flag, FlagStatus, Post, Thread
from academy.community.services import moderation
from academy.exceptions import Conflict
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread
from tests.conftest import csrf_token


@pytest.fixture
def space(app):
    community = create_community()
    member = add_member(community=community).user
    thread = create_thread(community=community, title="A fair question")
    reply = create_reply(thread=thread, body="Buy cheap watches here")
    return community, member, thread, reply


def test_member_flags_a_post_with_a_reason(client, login, db, space):
    community, member, thread, reply = space
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    response = client.post(f"/c/{community.slug}/p/{reply.id}/flag", data={"reason": "Spam", "csrf_token": token})
    assert response.status_code == 302
    flag = db.session.query(Flag).one()
    assert flag.reason == "Spam" and flag.status == FlagStatus.OPEN


def test_flag_needs_a_reason_and_is_once_per_member(db, space):
    _community, member, _thread, reply = space
    with pytest.raises(Exception, match="Say what is wrong"):
        moderation.flag_post(post=reply, reporter=member, reason=" ")
    moderation.flag_post(post=reply, reporter=member, reason="Spam")
    with pytest.raises(Conflict):
        moderation.flag_post(post=reply, reporter=member, reason="Spam again")


def test_contact_reviews_and_hides(client, login, db, space):
    community, member, thread, reply = space
    moderation.flag_post(post=reply, reporter=member, reason="Advertising")
    moderation.flag_post(post=reply, reporter=add_member(community=community).user, reason="Spam")
    db.session.commit()
    login(contact_of(community))
    html = client.get(f"/c/{community.slug}/moderation").get_data(as_text=True)
    assert "Advertising" in html and "Buy cheap watches here" in html
    flag = db.session.query(Flag).first()
    token = csrf_token(client, f"/c/{community.slug}/moderation")
    client.post(f"/c/{community.slug}/flags/{flag.id}/resolve", data={"action": "hide", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Post, reply.id).hidden_at is not None
    assert {f.status for f in db.session.query(Flag)} == {FlagStatus.HIDDEN}
    assert "Nothing to review" in client.get(f"/c/{community.slug}/moderation").get_data(as_text=True)
    login(member)
    html = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert "Buy cheap watches here" not in html and "hidden by a contact person" in html


def test_contact_dismisses_a_flag(client, login, db, space):
    community, member, _thread, reply = space
    flag = moderation.flag_post(post=reply, reporter=member, reason="I disagree")
    db.session.commit()
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/moderation")
    client.post(f"/c/{community.slug}/flags/{flag.id}/resolve", data={"action": "dismiss", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).status == FlagStatus.DISMISSED
    assert db.session.get(Post, reply.id).hidden_at is None


def test_hiding_the_opening_post_hides_the_thread_from_members(client, login, db, space):
    community, member, thread, _reply = space
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    client.post(f"/c/{community.slug}/p/{thread.posts[0].id}/moderate", data={"action": "hide", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).hidden_at is not None
    assert client.get(f"/c/{community.slug}/t/{thread.id}").status_code == 200  # contacts still see it
    login(member)
    assert client.get(f"/c/{community.slug}/t/{thread.id}").status_code == 404
    assert "A fair question" not in client.get(f"/c/{community.slug}").get_data(as_text=True)


def test_members_cannot_moderate(client, login, db, space):
    community, member, thread, reply = space
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    response = client.post(f"/c/{community.slug}/p/{reply.id}/moderate", data={"action": "hide", "csrf_token": token})
    assert response.status_code == 403
    assert db.session.get(Post, reply.id).hidden_at is None


def test_admin_suspends_a_member(client, admin, db, space):
    community, member, _thread, _reply = space
    token = csrf_token(client, f"/c/{community.slug}/members")
    response = client.post(
        f"/c/{community.slug}/members/{member.id}/suspend", data={"reason": "Repeated spam", "csrf_token": token}
    )
    assert response.status_code == 302
    from academy.community.access import access_for

    db.session.expire_all()
    assert access_for(member, community).status == "suspended"
