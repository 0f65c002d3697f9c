"""Threads with activity since a member last read them are marked "new", for eyes and screen readers."""

from __future__ import annotations

from datetime import timedelta

from academy.community.marks import ThreadRead
from academy.community.services import reading
from academy.db import utcnow
from tests.community.factories import add_member, create_community, create_reply, create_thread
from tests.factories import create_user

NEW = "(new since your last visit)"


def _row(html: str, title: str) -> str:
    start = html.index(f">{title}")
    return html[start : html.index("</h3>", start)]


def test_thread_is_new_until_read_and_new_again_after_a_reply(client, login, db):
    community = create_community()
    member = add_member(community=community)
    member.joined_at = utcnow() - timedelta(days=1)
    db.session.commit()
    thread = create_thread(community=community, title="Audit sampling")
    login(member.user)
    page = client.get(f"/c/{community.slug}").get_data(as_text=True)
    assert NEW in _row(page, "Audit sampling") and 'class="tag tag--new" aria-hidden="true">New' in page

    assert client.get(f"/c/{community.slug}/t/{thread.id}").status_code == 200
    assert NEW not in _row(client.get(f"/c/{community.slug}").get_data(as_text=True), "Audit sampling")

    create_reply(thread=thread, body="We use a risk-based sample.")
    assert NEW in _row(client.get(f"/c/{community.slug}").get_data(as_text=True), "Audit sampling")


def test_threads_older_than_my_membership_are_not_new(client, login, db):
    community = create_community()
    create_thread(community=community, title="Old news")
    member = add_member(community=community)
    member.joined_at = utcnow() + timedelta(seconds=5)
    db.session.commit()
    login(member.user)
    assert NEW not in client.get(f"/c/{community.slug}").get_data(as_text=True)


def test_reading_again_moves_the_mark_forward(db):
    community = create_community()
    member = add_member(community=community)
    thread = create_thread(community=community)
    earlier = utcnow() - timedelta(hours=1)
    reading.mark_read(user=member.user, thread=thread, when=earlier)
    reading.mark_read(user=member.user, thread=thread)
    db.session.commit()
    row = db.session.query(ThreadRead).one()
    assert row.read_at > earlier
    assert reading.new_thread_ids(user=member.user, community=community, threads=[thread]) == set()


def test_an_admin_looking_in_has_no_marks_and_leaves_none(client, login, db):
    community = create_community()
    create_thread(community=community, title="For members")
    admin = create_user(admin=True)
    login(admin)
    html = client.get(f"/c/{community.slug}").get_data(as_text=True)
    assert "For members" in html and NEW not in html
    assert db.session.query(ThreadRead).count() == 0
