"""Access inherited from a parent community ends when the parent membership ends (issue 17, item 3).

A sub-community "open to members of the parent" admits Finance's members at once. Whether the
Finance membership ends by removal, suspension or leaving, the sub-community must stop letting
them read, post, find its threads, download its files and hear about it (by e-mail and in-app).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy import jobs
from academy.community.models import Membership, MemberStatus, Policy, WatchLevel
from academy.community.services import files, watching
from academy.community.services import membership as membership_services
from academy.notifications import services as notification_services
from tests.community.factories import add_member, contact_of, create_community, create_thread, pdf_bytes
from tests.conftest import csrf_token, read_mail
from tests.factories import create_user


def _end(how: str, finance, member) -> None:
    contact = contact_of(finance)
    if how == "removed":
        membership_services.remove_member(community=finance, user_id=member.id, actor=contact)
    elif how == "suspended":
        membership_services.suspend_member(community=finance, user_id=member.id, actor=contact, reason="Spam")
    else:
        membership_services.leave(community=finance, user=member)


@pytest.fixture
def world(db):
    """Finance, its open sub-community SCO with a thread and a file, and Ines who joined SCO through Finance."""
    finance = create_community(name="Finance", slug="finance")
    sco = create_community(name="Simplified costs", slug="sco", parent=finance, policy=Policy.PARENT_MEMBERS)
    ines = create_user(name="Ines Inherited", email="ines@example.org")
    add_member(community=finance, user=ines)
    membership = membership_services.request_membership(community=sco, user=ines, message="")
    assert membership.status == MemberStatus.ACTIVE and membership.via_parent
    watching.watch_community(user=ines, community=sco, level=WatchLevel.WATCHING)
    thread = create_thread(
        community=sco,
        title="Flat rate for office costs",
        body="Which flat rate do you apply for office costs?",
        uploads=[files.Upload("rates.pdf", pdf_bytes())],
    )
    db.session.commit()
    jobs.run_ready()
    return finance, sco, ines, thread


@pytest.mark.parametrize("how", ["removed", "suspended", "left"])
def test_ending_the_parent_membership_ends_every_inherited_access(client, login, db, world, how):
    finance, sco, ines, thread = world
    attachment_id = thread.posts[0].attachments[0].id
    login(ines)
    assert client.get(f"/c/sco/t/{thread.id}").status_code == 200  # before: a member of SCO
    members_before = sco.member_count

    _end(how, finance, ines)
    db.session.commit()

    membership = db.session.scalar(select(Membership).filter_by(community_id=sco.id, user_id=ines.id))
    assert membership.status == MemberStatus.REMOVED and not membership.via_parent
    assert "Finance" in membership.decision_reason
    db.session.refresh(sco)
    assert sco.member_count == members_before - 1
    # Reading, files, search and the members list: gone.
    assert client.get(f"/c/sco/t/{thread.id}").status_code == 404
    assert client.get(f"/c/sco/files/{attachment_id}/download").status_code == 404
    assert client.get("/c/sco/members").status_code == 404
    found = client.get("/c/search?q=office").get_data(as_text=True)
    assert "Flat rate for office costs" not in found
    # Posting: refused, and nothing is written.
    token = csrf_token(client, "/account")
    posts = len(thread.posts)
    response = client.post(f"/c/sco/t/{thread.id}/reply", data={"csrf_token": token, "body": "Still here?"})
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert len(db.session.get(type(thread), thread.id).posts) == posts
    # The community page says why.
    assert "ended" in client.get("/c/sco").get_data(as_text=True)


def test_new_threads_no_longer_reach_a_removed_parent_member_by_mail_or_in_app(app, client, login, db, world):
    finance, sco, ines, _thread = world
    read_mail(app)  # forget what was sent so far
    _end("removed", finance, ines)
    db.session.commit()
    create_thread(community=sco, title="Staff costs at 20 %", body="Anyone using the 20 % rate?")
    jobs.run_ready()
    assert not any("ines@example.org" in message for message in read_mail(app))
    login(ines)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Staff costs at 20 %" not in page


def test_in_app_notifications_recorded_before_the_end_are_hidden_from_the_list_badge_and_api(
    app, client, login, db, world
):
    finance, sco, ines, _thread = world
    create_thread(community=sco, title="Lump sums for events", body="How do you justify lump sums?")
    jobs.run_ready()
    assert notification_services.unread_count(ines) == 2  # both threads, while still a member
    login(ines)
    assert "Lump sums for events" in client.get("/notifications/").get_data(as_text=True)
    notification_id = notification_services.list_query(ines).limit(1).subquery()

    _end("left", finance, ines)
    db.session.commit()

    assert notification_services.unread_count(ines) == 0
    assert "Lump sums for events" not in client.get("/notifications/").get_data(as_text=True)
    hidden = db.session.scalar(select(notification_id.c.id))
    token = csrf_token(client, "/account")
    assert client.post(f"/notifications/{hidden}/read", data={"csrf_token": token}).status_code == 404


def test_members_admitted_by_a_contact_person_keep_the_sub_community(db, world):
    finance, sco, _ines, _thread = world
    approved = create_user(name="Arno Approved")
    add_member(community=finance, user=approved)
    membership_services.add_member(community=sco, email=approved.email, actor=contact_of(sco))
    db.session.commit()
    _end("left", finance, approved)
    db.session.commit()
    membership = db.session.scalar(select(Membership).filter_by(community_id=sco.id, user_id=approved.id))
    assert membership.status == MemberStatus.ACTIVE


def test_rejoining_the_parent_lets_them_back_in_at_once(db, world):
    finance, sco, ines, _thread = world
    _end("left", finance, ines)
    db.session.commit()
    membership_services.request_membership(community=finance, user=ines, message="Back from leave")
    membership_services.approve_request(
        community=finance,
        membership_id=db.session.scalar(select(Membership.id).filter_by(community_id=finance.id, user_id=ines.id)),
        actor=contact_of(finance),
    )
    again = membership_services.request_membership(community=sco, user=ines, message="")
    db.session.commit()
    assert again.status == MemberStatus.ACTIVE and again.via_parent
