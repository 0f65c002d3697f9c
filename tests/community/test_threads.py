"""Questions and discussions: posting, editing with history, deleting, accepted answers, pin and lock."""

from __future__ import annotations

import pytest

from academy.community.models import Post, PostRevision, Thread, ThreadKind
from academy.community.services import threads as services
from academy.exceptions import PermissionDenied
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread
from tests.conftest import csrf_token
from tests.factories import create_user


@pytest.fixture
def space(app):
    community = create_community(name="Programme finance")
    member = add_member(community=community, user=create_user(name="Asha Asker")).user
    return community, member


def test_member_asks_a_question(client, login, db, space):
    community, member = space
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/new")
    response = client.post(
        f"/c/{community.slug}/new",
        data={
            "kind": "question",
            "title": "Flat rate for staff costs?",
            "body": "Do you use **20 %**?",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    thread = db.session.query(Thread).one()
    assert thread.kind == ThreadKind.QUESTION and thread.author_id == member.id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Flat rate for staff costs?" in html and "<strong>20 %</strong>" in html


def test_invalid_thread_is_refused_with_400_and_nothing_saved(client, login, db, space):
    community, member = space
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/new")
    response = client.post(
        f"/c/{community.slug}/new", data={"kind": "question", "title": "", "body": "text", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    response = client.post(
        f"/c/{community.slug}/new", data={"kind": "poll", "title": "t", "body": "text", "csrf_token": token}
    )
    assert response.status_code == 400
    assert db.session.query(Thread).count() == 0


def test_reply_bumps_the_thread_and_orders_by_activity(client, login, db, space):
    community, member = space
    old = create_thread(community=community, title="Older thread")
    create_thread(community=community, title="Newer thread")
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{old.id}")
    response = client.post(f"/c/{community.slug}/t/{old.id}/reply", data={"body": "A reply", "csrf_token": token})
    assert response.status_code == 302
    html = client.get(f"/c/{community.slug}").get_data(as_text=True)
    assert html.index("Older thread") < html.index("Newer thread")
    db.session.expire_all()
    assert db.session.get(Thread, old.id).reply_count == 1


def test_empty_reply_is_400(client, login, db, space):
    community, member = space
    thread = create_thread(community=community)
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    response = client.post(f"/c/{community.slug}/t/{thread.id}/reply", data={"body": "  ", "csrf_token": token})
    assert response.status_code == 400
    assert db.session.query(Post).count() == 1


def test_edit_keeps_history_visible_to_contacts_only(client, login, db, space):
    community, member = space
    thread = create_thread(community=community, author=member, title="First title", body="first body")
    post = thread.posts[0]
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/p/{post.id}/edit")
    response = client.post(
        f"/c/{community.slug}/p/{post.id}/edit",
        data={"title": "Better title", "body": "second body", "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.expire_all()
    revision = db.session.query(PostRevision).one()
    assert revision.body == "first body" and revision.title == "First title"
    assert db.session.get(Thread, thread.id).title == "Better title"
    assert client.get(f"/c/{community.slug}/p/{post.id}/history").status_code == 403
    login(contact_of(community))
    html = client.get(f"/c/{community.slug}/p/{post.id}/history").get_data(as_text=True)
    assert "first body" in html and "First title" in html and "second body" in html


def test_only_the_author_edits(client, login, space):
    community, member = space
    thread = create_thread(community=community)
    login(member)
    assert client.get(f"/c/{community.slug}/p/{thread.posts[0].id}/edit").status_code == 403


def test_author_deletes_own_reply_softly(client, login, db, space):
    community, member = space
    thread = create_thread(community=community)
    reply = create_reply(thread=thread, author=member, body="Oops, wrong thread")
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    client.post(f"/c/{community.slug}/p/{reply.id}/delete", data={"csrf_token": token, "confirmed": "yes"})
    db.session.expire_all()
    assert db.session.get(Post, reply.id).deleted_at is not None
    assert "Oops, wrong thread" not in client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert db.session.get(Thread, thread.id).reply_count == 0


def test_deleting_a_post_asks_first_and_changes_nothing_until_confirmed(client, login, db, space):
    community, member = space
    thread = create_thread(community=community)
    reply = create_reply(thread=thread, author=member, body="Maybe keep this")
    login(member)
    page = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert "Delete this post? This cannot be undone." in page  # the JavaScript dialog's question
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    asked = client.post(f"/c/{community.slug}/p/{reply.id}/delete", data={"csrf_token": token})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Delete this post?" in html and 'name="confirmed" value="yes"' in html
    db.session.expire_all()
    assert db.session.get(Post, reply.id).deleted_at is None


def test_someone_who_may_not_delete_gets_no_question(client, login, db, space):
    community, member = space
    thread = create_thread(community=community)
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    assert (
        client.post(f"/c/{community.slug}/p/{thread.posts[0].id}/delete", data={"csrf_token": token}).status_code == 403
    )


def test_others_cannot_delete(db, space):
    community, member = space
    thread = create_thread(community=community)
    with pytest.raises(PermissionDenied):
        services.delete_post(post=thread.posts[0], actor=member)


def test_contact_deletes_a_thread(client, login, db, space):
    community, member = space
    thread = create_thread(community=community, author=member, title="Delete me")
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    client.post(f"/c/{community.slug}/p/{thread.posts[0].id}/delete", data={"csrf_token": token, "confirmed": "yes"})
    assert client.get(f"/c/{community.slug}/t/{thread.id}").status_code == 404
    assert "Delete me" not in client.get(f"/c/{community.slug}").get_data(as_text=True)


def test_asker_accepts_an_answer_shown_first_and_marked(client, login, db, space):
    community, member = space
    thread = create_thread(community=community, author=member, title="Which checklist?")
    create_reply(thread=thread, body="First answer, not quite")
    best = create_reply(thread=thread, body="Use the HIT checklist")
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    assert client.post(f"/c/{community.slug}/p/{best.id}/accept", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).accepted_post_id == best.id
    html = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert html.index("Use the HIT checklist") < html.index("First answer, not quite")
    assert "post--accepted" in html and "Accepted answer" in html
    assert html.count("Use the HIT checklist") == 1


def test_other_members_cannot_accept(client, login, db, space):
    community, member = space
    thread = create_thread(community=community, author=member)
    answer = create_reply(thread=thread)
    login(add_member(community=community).user)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    assert client.post(f"/c/{community.slug}/p/{answer.id}/accept", data={"csrf_token": token}).status_code == 403
    assert db.session.get(Thread, thread.id).accepted_post_id is None


def test_contact_may_accept_and_discussions_have_no_answers(db, space):
    community, member = space
    question = create_thread(community=community, author=member)
    answer = create_reply(thread=question)
    services.accept_answer(post=answer, actor=contact_of(community))
    assert question.accepted_post_id == answer.id
    discussion = create_thread(community=community, author=member, kind=ThreadKind.DISCUSSION)
    reply = create_reply(thread=discussion)
    with pytest.raises(Exception, match="Only questions"):
        services.accept_answer(post=reply, actor=member)


def test_unanswered_filter(client, login, space):
    community, member = space
    answered = create_thread(community=community, title="Answered one")
    services.accept_answer(post=create_reply(thread=answered), actor=contact_of(community))
    create_thread(community=community, title="Still open one")
    create_thread(community=community, title="A discussion", kind=ThreadKind.DISCUSSION)
    login(member)
    html = client.get(f"/c/{community.slug}?filter=unanswered").get_data(as_text=True)
    assert "Still open one" in html and "Answered one" not in html and "A discussion" not in html


def test_pin_and_lock(client, login, db, space):
    community, member = space
    pinned = create_thread(community=community, title="House rules")
    create_thread(community=community, title="Latest chatter")
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/t/{pinned.id}")
    client.post(f"/c/{community.slug}/t/{pinned.id}/moderate", data={"action": "pin", "csrf_token": token})
    client.post(f"/c/{community.slug}/t/{pinned.id}/moderate", data={"action": "lock", "csrf_token": token})
    html = client.get(f"/c/{community.slug}").get_data(as_text=True)
    assert html.index("House rules") < html.index("Latest chatter")
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{pinned.id}")
    html = client.get(f"/c/{community.slug}/t/{pinned.id}").get_data(as_text=True)
    assert "This thread is locked" in html
    response = client.post(f"/c/{community.slug}/t/{pinned.id}/reply", data={"body": "late", "csrf_token": token})
    assert response.status_code == 400
    assert db.session.query(Post).filter_by(thread_id=pinned.id).count() == 1
    response = client.post(
        f"/c/{community.slug}/t/{pinned.id}/moderate", data={"action": "unlock", "csrf_token": token}
    )
    assert response.status_code == 403


def test_thread_list_and_replies_are_paginated(client, login, space):
    community, member = space
    for i in range(23):
        create_thread(community=community, title=f"Topic number {i:02d}", commit=False)
    thread = create_thread(community=community, title="Long one")
    for i in range(22):
        create_reply(thread=thread, body=f"Reply number {i:02d}", commit=False)
    from academy.extensions import db

    db.session.commit()
    login(member)
    page1 = client.get(f"/c/{community.slug}").get_data(as_text=True)
    page2 = client.get(f"/c/{community.slug}?page=2").get_data(as_text=True)
    assert "Long one" in page1 and "Topic number 00" not in page1 and "Topic number 00" in page2
    html = client.get(f"/c/{community.slug}/t/{thread.id}?page=2").get_data(as_text=True)
    assert "Reply number 21" in html and "Reply number 00" not in html


def test_mentions_link_to_members_only(client, login, space):
    community, member = space
    add_member(community=community, user=create_user(name="Marta Kovač"))
    create_user(name="Outside Person")
    thread = create_thread(community=community, author=member, body="Ask @[Marta Kovač] or @[Outside Person].")
    login(member)
    html = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert 'class="mention"' in html and ">@Marta Kovač</a>" in html
    assert "@[Outside Person]" in html
