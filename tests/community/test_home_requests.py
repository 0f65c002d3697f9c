"""Contact persons find waiting membership requests on their start page."""

from __future__ import annotations

from academy.community.models import MemberStatus
from tests.community.factories import add_member, contact_of, create_community


def test_start_page_links_a_contact_to_waiting_requests(client, login):
    mine, other = create_community(name="Mine"), create_community(name="Other")
    add_member(community=mine, status=MemberStatus.PENDING)
    add_member(community=mine, status=MemberStatus.PENDING)
    add_member(community=other, status=MemberStatus.PENDING)
    login(contact_of(mine))
    html = client.get("/").get_data(as_text=True)
    assert f'href="/c/{mine.slug}/requests">2 membership requests waiting' in html
    assert f"/c/{other.slug}/requests" not in html


def test_a_plain_member_sees_no_request_link(client, login):
    community = create_community()
    add_member(community=community, status=MemberStatus.PENDING)
    login(add_member(community=community).user)
    html = client.get("/").get_data(as_text=True)
    assert community.name in html
    assert "requests waiting" not in html and "request waiting" not in html
