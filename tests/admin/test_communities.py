from sqlalchemy import select

from academy.community.models import Community, MemberRole, Membership, MemberStatus, Policy
from tests.community.factories import add_member, contact_of, create_community
from tests.conftest import csrf_token
from tests.factories import create_user


def _form(**overrides) -> dict:
    data = {
        "name": "Audit Finance",
        "slug": "audit-finance",
        "summary": "Auditors",
        "description": "Peers",
        "parent_id": "0",
        "policy": Policy.APPROVAL,
    }
    data.update(overrides)
    return data


def test_admin_reaches_communities_from_the_admin_start_page(client, admin):
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/communities" in html
    html = client.get("/admin/communities").get_data(as_text=True)
    assert "/admin/communities/new" in html


def test_admin_creates_a_sub_community_with_a_joining_rule(client, admin, db):
    parent = create_community(name="Finance", slug="finance")
    token = csrf_token(client, "/admin/communities/new")
    response = client.post(
        "/admin/communities/new",
        data=_form(csrf_token=token, parent_id=str(parent.id), policy=Policy.PARENT_MEMBERS),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Community).where(Community.slug == "audit-finance"))
    assert created.parent_id == parent.id and created.policy == Policy.PARENT_MEMBERS
    assert created.name == "Audit Finance" and created.summary == "Auditors"


def test_duplicate_slug_and_name_are_refused_and_nothing_typed_is_lost(client, admin, db):
    create_community(name="Audit Finance", slug="audit-finance")
    token = csrf_token(client, "/admin/communities/new")
    response = client.post(
        "/admin/communities/new", data=_form(csrf_token=token, name="Brand new", description="Keep me")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already uses the web address" in html and "Keep me" in html and 'value="Brand new"' in html
    response = client.post("/admin/communities/new", data=_form(csrf_token=token, slug="other-slug"))
    assert response.status_code == 400
    assert "already called" in response.get_data(as_text=True)
    assert db.session.scalar(select(Community).where(Community.slug == "other-slug")) is None


def test_bad_slug_and_parent_rule_without_parent_are_explained(client, admin):
    token = csrf_token(client, "/admin/communities/new")
    html = client.post("/admin/communities/new", data=_form(csrf_token=token, slug="Not OK!")).get_data(as_text=True)
    assert "Use lower-case letters" in html
    html = client.post("/admin/communities/new", data=_form(csrf_token=token, policy=Policy.PARENT_MEMBERS)).get_data(
        as_text=True
    )
    assert "choose a parent" in html


def test_admin_renames_and_cannot_nest_a_community_inside_its_own_child(client, admin, db):
    top = create_community(name="Finance", slug="finance")
    child = create_community(name="Audit", slug="audit", parent=top)
    token = csrf_token(client, f"/admin/communities/{top.id}")
    response = client.post(
        f"/admin/communities/{top.id}",
        data=_form(csrf_token=token, name="Money", slug="finance", parent_id=str(child.id)),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "cannot be placed inside itself" in html and 'value="Money"' in html
    db.session.expire_all()
    assert db.session.get(Community, top.id).parent_id is None and db.session.get(Community, top.id).name == "Finance"
    response = client.post(f"/admin/communities/{top.id}", data=_form(csrf_token=token, name="Money", slug="money"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Community, top.id).name == "Money" and db.session.get(Community, top.id).slug == "money"


def test_admin_adds_and_removes_contact_persons_but_keeps_one(client, admin, db):
    community = create_community(name="Finance", slug="finance")
    first = contact_of(community)
    second = create_user(name="Sara Second", email="sara@example.eu")
    token = csrf_token(client, f"/admin/communities/{community.id}")
    response = client.post(
        f"/admin/communities/{community.id}/contacts", data={"email": "sara@example.eu", "csrf_token": token}
    )
    assert response.status_code == 302
    row = db.session.scalar(select(Membership).where(Membership.user_id == second.id))
    assert row.role == MemberRole.CONTACT and row.status == MemberStatus.ACTIVE
    client.post(
        f"/admin/communities/{community.id}/contacts/{first.id}/remove", data={"csrf_token": token, "confirmed": "yes"}
    )
    db.session.expire_all()
    first_row = db.session.scalar(select(Membership).where(Membership.user_id == first.id))
    assert first_row.role == MemberRole.MEMBER and first_row.status == MemberStatus.ACTIVE
    response = client.post(
        f"/admin/communities/{community.id}/contacts/{second.id}/remove",
        data={"csrf_token": token, "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "at least one contact person" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Membership).where(Membership.user_id == second.id)).role == MemberRole.CONTACT


def test_removing_a_contact_and_archiving_ask_first(client, admin, db):
    contact = create_user(name="Carla Contact")
    community = create_community(contact=contact)
    token = csrf_token(client, f"/admin/communities/{community.id}")
    asked = client.post(f"/admin/communities/{community.id}/contacts/{contact.id}/remove", data={"csrf_token": token})
    assert asked.status_code == 200 and "Remove this contact person?" in asked.get_data(as_text=True)
    asked = client.post(f"/admin/communities/{community.id}/archive", data={"archived": "1", "csrf_token": token})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Archive the community?" in html and 'name="archived" value="1"' in html
    db.session.expire_all()
    assert db.session.get(Community, community.id).archived_at is None
    row = db.session.scalar(select(Membership).where(Membership.user_id == contact.id))
    assert row.role == MemberRole.CONTACT


def test_unknown_contact_email_is_shown_beside_the_field(client, admin):
    community = create_community()
    token = csrf_token(client, f"/admin/communities/{community.id}")
    response = client.post(
        f"/admin/communities/{community.id}/contacts", data={"email": "nobody@example.eu", "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "No account uses that e-mail address" in html and "nobody@example.eu" in html


def test_archived_community_leaves_the_directory_and_refuses_requests(client, admin, db, login):
    community = create_community(name="Old Topic", slug="old-topic")
    token = csrf_token(client, f"/admin/communities/{community.id}")
    client.post(
        f"/admin/communities/{community.id}/archive",
        data={"archived": "1", "csrf_token": token, "confirmed": "yes"},
        follow_redirects=True,
    )
    db.session.expire_all()
    assert db.session.get(Community, community.id).archived_at is not None
    learner = login(create_user(name="Lea"))
    assert "Old Topic" not in client.get("/c/").get_data(as_text=True)
    from academy.community.services.membership import request_membership
    from academy.exceptions import Conflict

    try:
        request_membership(community=db.session.get(Community, community.id), user=learner, message="hi")
    except Conflict as err:
        assert "archived" in err.message
    else:
        raise AssertionError("an archived community admitted a request")
    db.session.rollback()


def test_start_page_lists_requests_in_communities_without_contact(client, admin, db):
    community = create_community(name="Orphaned", slug="orphaned")
    db.session.delete(db.session.scalar(select(Membership).where(Membership.community_id == community.id)))
    db.session.commit()
    add_member(community=community, status=MemberStatus.PENDING, message="let me in")
    html = client.get("/").get_data(as_text=True)
    assert "Orphaned: 1 request waits and the community has no contact person" in html
    html = client.get("/admin/").get_data(as_text=True)
    assert f"/admin/communities/{community.id}" in html


def test_learners_and_trainers_cannot_manage_communities(client, learner):
    assert client.get("/admin/communities").status_code == 403
    assert client.get("/admin/communities/new").status_code == 403


def test_start_page_names_an_active_key_without_its_private_half(client, admin, db):
    from academy.credentials import keys

    key = keys.create_key("Ed25519")
    db.session.commit()
    assert "has no private key" not in client.get("/admin/").get_data(as_text=True)
    keys.discard_private(key.kid)
    html = client.get("/").get_data(as_text=True)
    assert f"Active key {key.kid} has no private key on this server" in html


def test_nothing_waiting_means_no_admin_panel(client, admin):
    assert "Waiting for an admin" not in client.get("/").get_data(as_text=True)


def test_archived_community_page_says_so_and_offers_no_join_form(client, admin, db, login):
    community = create_community(name="Old Topic", slug="old-topic")
    token = csrf_token(client, f"/admin/communities/{community.id}")
    client.post(
        f"/admin/communities/{community.id}/archive", data={"archived": "1", "csrf_token": token, "confirmed": "yes"}
    )
    login(create_user(name="Lea"))
    html = client.get("/c/old-topic").get_data(as_text=True)
    assert "This community is archived" in html and "Ask to join" not in html


def test_community_list_shows_contacts_members_and_waiting_requests(client, admin):
    carla = create_user(name="Carla Contact")
    community = create_community(name="Finance", slug="finance", contact=carla)
    add_member(community=community, status=MemberStatus.PENDING, message="hello")
    add_member(community=community, status=MemberStatus.PENDING, message="me too")
    create_community(name="Audit", slug="audit", parent=community)
    html = client.get("/admin/communities").get_data(as_text=True)
    assert "Carla Contact" in html and "— " in html
    row = html[html.index(">Finance<") :].split("</tr>")[0]
    assert "<td>2</td>" in row  # two waiting requests (one member: Carla)
