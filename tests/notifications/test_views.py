"""The notifications page, marking read, and the bell in the header."""

from __future__ import annotations

import re

from academy.extensions import db
from academy.notifications.models import Notification
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.notifications.factories import notifications_of, record_event


def _bell(html: str) -> str | None:
    match = re.search(r'<a class="bell" href="/notifications/" aria-label="([^"]+)">', html)
    return match.group(1) if match else None


def test_the_page_needs_a_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_list_shows_my_notifications_newest_first_with_links(client, learner):
    other = create_user()
    record_event(
        recipients=[learner], event="certificate.issued", data={"course": "HIT basics"}, link="/certificates/1"
    )
    record_event(recipients=[learner], event="post.replied", data={"actor": "Petra", "title": "SCO rates"}, link="/t/9")
    record_event(recipients=[other], event="mention", data={"actor": "Olaf", "title": "Not for Lena"})
    html = client.get("/notifications/").get_data(as_text=True)
    assert html.index("Petra replied to “SCO rates”.") < html.index("Your certificate for HIT basics is ready.")
    assert '<a href="/t/9">' in html
    assert '<a href="/certificates/1">' in html
    assert "Not for Lena" not in html


def test_what_users_wrote_is_escaped_and_unsafe_links_are_not_followed(client, learner):
    record_event(recipients=[learner], data={"actor": "<img src=x onerror=alert(1)>", "title": "t"},
                 link="javascript:alert(1)")  # fmt: skip
    html = client.get("/notifications/").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html


def test_the_bell_shows_the_unread_count(client, learner):
    html = client.get("/").get_data(as_text=True)
    assert _bell(html) == "Notifications"
    record_event(recipients=[learner])
    record_event(recipients=[learner])
    html = client.get("/").get_data(as_text=True)
    assert _bell(html) == "Notifications: 2 unread"
    assert '<span class="bell__count">2</span>' in html


def test_no_bell_for_visitors(client):
    assert _bell(client.get("/").get_data(as_text=True)) is None


def test_mark_one_read(client, learner):
    record_event(recipients=[learner])
    record_event(recipients=[learner])
    first = notifications_of(learner)[0]
    token = csrf_token(client, "/notifications/")
    response = client.post(f"/notifications/{first.id}/read", data={"csrf_token": token, "next": "/notifications/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    db.session.expire_all()
    assert [n.is_read for n in notifications_of(learner)] == [True, False]
    assert _bell(client.get("/").get_data(as_text=True)) == "Notifications: 1 unread"


def test_mark_read_does_not_redirect_off_site(client, learner):
    record_event(recipients=[learner])
    token = csrf_token(client, "/notifications/")
    note = notifications_of(learner)[0]
    response = client.post(f"/notifications/{note.id}/read", data={"csrf_token": token, "next": "https://evil.example"})
    assert response.headers["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(client, learner):
    other = create_user()
    record_event(recipients=[other])
    theirs = notifications_of(other)[0]
    token = csrf_token(client, "/notifications/")
    assert client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_marking_read_needs_the_csrf_token(client, learner):
    record_event(recipients=[learner])
    note = notifications_of(learner)[0]
    assert client.post(f"/notifications/{note.id}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400


def test_mark_all_read_touches_only_mine(client, learner):
    other = create_user()
    for _ in range(3):
        record_event(recipients=[learner, other])
    token = csrf_token(client, "/notifications/")
    response = client.post("/notifications/read-all", data={"csrf_token": token}, follow_redirects=True)
    assert "3 notifications marked as read." in response.get_data(as_text=True)
    db.session.expire_all()
    assert all(n.is_read for n in notifications_of(learner))
    assert not any(n.is_read for n in notifications_of(other))


def test_unread_filter(client, learner):
    record_event(recipients=[learner], data={"actor": "A", "title": "old news"})
    record_event(recipients=[learner], data={"actor": "B", "title": "fresh news"})
    first = notifications_of(learner)[0]
    first.read_at = first.created_at
    db.session.commit()
    html = client.get("/notifications/?show=unread").get_data(as_text=True)
    assert "fresh news" in html
    assert "old news" not in html


def test_page_and_bell_queries_do_not_grow_with_notifications(client, learner, count_queries):
    record_event(recipients=[learner])
    with count_queries() as few:
        client.get("/notifications/")
    for _ in range(15):
        record_event(recipients=[learner])
    with count_queries() as many:
        client.get("/notifications/")
    assert few.count == many.count


def test_the_list_is_paginated(client, learner):
    for n in range(25):
        record_event(recipients=[learner], data={"actor": "A", "title": f"item {n:02d}"})
    first = client.get("/notifications/").get_data(as_text=True)
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert "item 24" in first
    assert "item 00" not in first
    assert "item 00" in second
