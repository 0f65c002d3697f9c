"""Joining, the contact persons' decisions, leaving, and the pending-requests badge."""

from __future__ import annotations

import re

import pytest

from academy.community.models import MemberRole, Membership, MemberStatus, Policy
from academy.community.services import membership as services
from academy.exceptions import Conflict, PermissionDenied, ServiceError
from tests.community.factories import add_member, contact_of, create_community
from tests.conftest import csrf_token, read_mail
from tests.factories import create_user


def _membership(db, community, user) -> Membership | None:
    db.session.expire_all()
    return db.session.query(Membership).filter_by(community_id=community.id, user_id=user.id).one_or_none()


def test_directory_lists_communities_with_contacts_and_member_counts(client, learner):
    finance = create_community(name="Finance", contact=create_user(name="Carla Contact"))
    create_community(name="Simplified cost options", parent=finance, policy=Policy.PARENT_MEMBERS)
    add_member(community=finance)
    html = client.get("/c/").get_data(as_text=True)
    assert "Finance" in html and "Simplified cost options" in html
    assert "Carla Contact" in html
    assert "Open to members of the parent community" in html
    assert re.search(r"<dt>Members</dt><dd>2</dd>", html)


def test_request_to_join_with_a_message(client, learner, db):
    community = create_community()
    token = csrf_token(client, f"/c/{community.slug}")
    response = client.post(
        f"/c/{community.slug}/join", data={"message": "I work on audits in Interreg Baltic", "csrf_token": token}
    )
    assert response.status_code == 302
    membership = _membership(db, community, learner)
    assert membership.status == MemberStatus.PENDING
    assert membership.request_message == "I work on audits in Interreg Baltic"
    assert "waiting for a contact person" in client.get(f"/c/{community.slug}").get_data(as_text=True)


def test_request_without_a_message_is_refused(client, learner, db):
    community = create_community()
    token = csrf_token(client, f"/c/{community.slug}")
    response = client.post(f"/c/{community.slug}/join", data={"message": " ", "csrf_token": token})
    assert response.status_code == 400
    assert "Tell the contact persons who you are" in response.get_data(as_text=True)
    assert _membership(db, community, learner) is None


def test_parent_members_join_an_open_sub_community_at_once(db):
    parent = create_community(name="Finance")
    child = create_community(name="SCO", parent=parent, policy=Policy.PARENT_MEMBERS)
    insider = add_member(community=parent).user
    outsider = create_user()
    assert services.request_membership(community=child, user=insider, message="").status == MemberStatus.ACTIVE
    with pytest.raises(ServiceError):
        services.request_membership(community=child, user=outsider, message="")
    assert services.request_membership(community=child, user=outsider, message="Hi").status == MemberStatus.PENDING
    assert child.member_count == 2


def test_contact_sees_pending_requests_and_the_badge(client, login, db):
    community = create_community()
    contact = contact_of(community)
    add_member(
        community=community,
        status=MemberStatus.PENDING,
        message="From the JS in Vienna",
        user=create_user(name="Petra Pending"),
    )
    login(contact)
    html = client.get("/c/").get_data(as_text=True)
    assert 'aria-label="1 membership request waiting"' in html
    html = client.get(f"/c/{community.slug}/requests").get_data(as_text=True)
    assert "Petra Pending" in html and "From the JS in Vienna" in html


def test_badge_counts_only_communities_where_i_am_contact(client, login):
    mine, other = create_community(), create_community()
    add_member(community=mine, status=MemberStatus.PENDING)
    add_member(community=other, status=MemberStatus.PENDING)
    add_member(community=other, status=MemberStatus.PENDING)
    login(contact_of(mine))
    assert 'aria-label="1 membership request waiting"' in client.get("/c/").get_data(as_text=True)


def test_approve_makes_a_member(client, login, db):
    community = create_community()
    pending = add_member(community=community, status=MemberStatus.PENDING, message="hello")
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/requests")
    response = client.post(f"/c/{community.slug}/requests/{pending.id}/approve", data={"csrf_token": token})
    assert response.status_code == 302
    membership = _membership(db, community, pending.user)
    assert membership.status == MemberStatus.ACTIVE and membership.joined_at is not None
    assert membership.community.member_count == 2


def test_reject_needs_a_reason_the_requester_then_reads(client, login, db):
    community = create_community()
    pending = add_member(community=community, status=MemberStatus.PENDING, message="hello")
    contact = contact_of(community)
    login(contact)
    token = csrf_token(client, f"/c/{community.slug}/requests")
    url = f"/c/{community.slug}/requests/{pending.id}/reject"
    response = client.post(url, data={"reason": "", "csrf_token": token})
    assert response.status_code == 400 and "Give the requester a reason" in response.get_data(as_text=True)
    assert _membership(db, community, pending.user).status == MemberStatus.PENDING
    response = client.post(url, data={"reason": "This space is for <b>controllers</b> only", "csrf_token": token})
    assert response.status_code == 302
    assert _membership(db, community, pending.user).status == MemberStatus.REJECTED
    login(pending.user)
    html = client.get(f"/c/{community.slug}").get_data(as_text=True)
    assert "Your last request was declined" in html
    assert "This space is for &lt;b&gt;controllers&lt;/b&gt; only" in html
    assert "Ask again to join" in html


def test_a_request_is_decided_once(db):
    community = create_community()
    contact = contact_of(community)
    pending = add_member(community=community, status=MemberStatus.PENDING)
    services.approve_request(community=community, membership_id=pending.id, actor=contact)
    with pytest.raises(Conflict):
        services.reject_request(community=community, membership_id=pending.id, actor=contact, reason="no")


def test_members_cannot_decide_requests(db):
    community = create_community()
    member = add_member(community=community).user
    pending = add_member(community=community, status=MemberStatus.PENDING)
    with pytest.raises(PermissionDenied):
        services.approve_request(community=community, membership_id=pending.id, actor=member)


def test_removing_a_member_asks_first_and_keeps_the_reason(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/members")
    asked = client.post(
        f"/c/{community.slug}/members/{member.id}/remove",
        data={"reason": "Left the programme", "do": "remove", "csrf_token": token},
    )
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Remove this member from the community?" in html
    assert 'name="reason" value="Left the programme"' in html and 'name="confirmed" value="yes"' in html
    assert _membership(db, community, member).status == MemberStatus.ACTIVE
    login(member)
    refused = client.post(
        f"/c/{community.slug}/members/{member.id}/remove",
        data={"csrf_token": csrf_token(client, f"/c/{community.slug}")},
    )
    assert refused.status_code == 403  # a member who is no contact is refused, not asked


def test_contact_removes_a_member_who_loses_access(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/members")
    client.post(
        f"/c/{community.slug}/members/{member.id}/remove",
        data={"reason": "Left the programme", "csrf_token": token, "confirmed": "yes"},
    )
    assert _membership(db, community, member).status == MemberStatus.REMOVED
    login(member)
    assert client.get(f"/c/{community.slug}/members").status_code == 404
    assert "Left the programme" in client.get(f"/c/{community.slug}").get_data(as_text=True)


def test_make_contact(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/members")
    client.post(f"/c/{community.slug}/members/{member.id}/make-contact", data={"csrf_token": token})
    assert _membership(db, community, member).role == MemberRole.CONTACT
    login(member)
    assert client.get(f"/c/{community.slug}/requests").status_code == 200


def test_member_leaves(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    login(member)
    token = csrf_token(client, f"/c/{community.slug}")
    assert client.post(f"/c/{community.slug}/leave", data={"csrf_token": token}).status_code == 302
    assert _membership(db, community, member).status == MemberStatus.LEFT
    assert client.get(f"/c/{community.slug}/members").status_code == 404
    assert db.session.get(type(community), community.id).member_count == 1


def test_the_last_contact_cannot_leave(db):
    community = create_community()
    with pytest.raises(Conflict):
        services.leave(community=community, user=contact_of(community))


def test_suspended_member_cannot_simply_ask_again(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    services.suspend_member(community=community, user_id=member.id, actor=contact_of(community), reason="Spam")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.request_membership(community=community, user=member, message="sorry")
    services.reinstate_member(community=community, user_id=member.id, actor=contact_of(community))
    assert _membership(db, community, member).status == MemberStatus.ACTIVE


def test_suspend_needs_a_reason(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    login(contact_of(community))
    token = csrf_token(client, f"/c/{community.slug}/members")
    response = client.post(f"/c/{community.slug}/members/{member.id}/suspend", data={"reason": "", "csrf_token": token})
    assert response.status_code == 400
    assert _membership(db, community, member).status == MemberStatus.ACTIVE


def _invite(client, community, email: str, *, as_contact: bool = False):
    token = csrf_token(client, f"/c/{community.slug}/members")
    data = {"email": email, "csrf_token": token, **({"as_contact": "y"} if as_contact else {})}
    return client.post(f"/c/{community.slug}/members/add", data=data, follow_redirects=True)


def test_contact_invites_an_existing_account_as_contact_and_it_joins_on_accepting(app, client, login, db):
    community = create_community()
    newcomer = create_user(email="new.contact@example.org")
    login(contact_of(community))
    response = _invite(client, community, "New.Contact@example.org", as_contact=True)
    assert response.status_code == 200
    assert _membership(db, community, newcomer) is None  # nothing until the person accepts
    [mail] = [m for m in read_mail(app) if "To: new.contact@example.org" in m]
    path = re.search(r"http://\S+(/c/\S+/invitation/\S+)", mail).group(1)

    login(newcomer)
    assert client.get(path).status_code == 200
    assert _membership(db, community, newcomer) is None  # opening the link changes nothing
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    membership = _membership(db, community, newcomer)
    assert membership.status == MemberStatus.ACTIVE and membership.role == MemberRole.CONTACT


def test_inviting_says_the_same_whether_or_not_the_address_has_an_account(app, client, login, db):
    community = create_community()
    create_user(email="known@example.org")
    login(contact_of(community))
    known = _invite(client, community, "known@example.org").get_data(as_text=True)
    unknown = _invite(client, community, "nobody@example.org").get_data(as_text=True)
    assert "No account uses" not in unknown
    # CSRF tokens carry the second they were signed in: two pages a second apart differ only there.
    tokens = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]+')
    assert tokens.search(known)
    same = [tokens.sub(r"\1", page) for page in (known, unknown)]
    assert same[0].replace("known@example.org", "X") == same[1].replace("nobody@example.org", "X")
    assert not any("To: nobody@example.org" in m for m in read_mail(app))


def test_an_invitation_works_only_for_the_invited_account(app, client, login, db):
    community = create_community()
    create_user(email="invited@example.org")
    login(contact_of(community))
    _invite(client, community, "invited@example.org")
    [mail] = [m for m in read_mail(app) if "To: invited@example.org" in m]
    path = re.search(r"http://\S+(/c/\S+/invitation/\S+)", mail).group(1)
    intruder = create_user()
    login(intruder)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"csrf_token": csrf_token(client, "/account")}).status_code == 404
    assert _membership(db, community, intruder) is None


def test_member_list_is_for_members(client, login):
    community = create_community()
    add_member(community=community, user=create_user(name="Mira Member", organisation="MA Interreg Alpine Space"))
    login(add_member(community=community).user)
    html = client.get(f"/c/{community.slug}/members").get_data(as_text=True)
    assert "Mira Member" in html and "MA Interreg Alpine Space" in html
    assert "Remove or suspend" not in html


def test_directory_links_contacts_to_waiting_requests(client, login):
    mine, other = create_community(name="Mine"), create_community(name="Other")
    add_member(community=mine, status=MemberStatus.PENDING)
    add_member(community=mine, status=MemberStatus.PENDING)
    add_member(community=other, status=MemberStatus.PENDING)
    login(contact_of(mine))
    html = client.get("/c/").get_data(as_text=True)
    assert f'href="/c/{mine.slug}/requests">2 requests waiting' in html
    assert f"/c/{other.slug}/requests" not in html
