"""My notifications through the API: list, unread filter, mark read, mark all read; nobody else's."""

from __future__ import annotations

from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.factories import create_user
from tests.notifications.factories import notifications_of, record_event


def _headers(user, scopes=("read",)) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


def test_lists_my_notifications_newest_first_with_their_text(client):
    user = create_user()
    record_event(recipients=[user], data={"actor": "Petra Peer", "title": "Flat rates"}, link="/c/finance/t/1")
    record_event(recipients=[user], event="certificate.issued", data={"course": "Jems reporting"}, link="/certificates")
    body = client.get("/api/v1/notifications", headers=_headers(user)).json
    assert (body["total"], body["unread"]) == (2, 2)
    newest, oldest = body["items"]
    assert newest["event"] == "certificate.issued"
    assert newest["text"] == "Your certificate for Jems reporting is ready."
    assert newest["link"] == "/certificates"
    assert (oldest["read"], oldest["read_at"]) == (False, None)


def test_unsafe_links_are_not_passed_on(client):
    user = create_user()
    record_event(recipients=[user], link="javascript:alert(1)")
    item = client.get("/api/v1/notifications", headers=_headers(user)).json["items"][0]
    assert item["link"] == "/notifications/"


def test_mark_one_read_then_the_unread_filter(client):
    user = create_user()
    for _i in range(3):
        record_event(recipients=[user])
    first = notifications_of(user)[0]
    headers = _headers(user, scopes=("write",))
    response = client.post(f"/api/v1/notifications/{first.id}/read", headers=headers)
    assert response.status_code == 200
    assert response.json["read"] is True
    assert client.post(f"/api/v1/notifications/{first.id}/read", headers=headers).status_code == 200  # again: fine
    unread = client.get("/api/v1/notifications?unread=true", headers=headers).json
    assert unread["total"] == 2 and unread["unread"] == 2
    assert first.id not in [n["id"] for n in unread["items"]]
    assert client.get("/api/v1/notifications?unread=false", headers=headers).json["total"] == 3
    bad = client.get("/api/v1/notifications?unread=1", headers=headers)
    assert bad.status_code == 422
    assert bad.json["errors"][0]["field"] == "unread"


def test_mark_all_read(client):
    user, other = create_user(), create_user()
    record_event(recipients=[user, other])
    record_event(recipients=[user])
    response = client.post("/api/v1/notifications/read-all", headers=_headers(user, scopes=("write",)))
    assert response.json == {"marked": 2, "unread": 0}
    assert all(n.read_at is not None for n in notifications_of(user))
    assert all(n.read_at is None for n in notifications_of(other))


def test_a_token_cannot_read_or_mark_another_users_notifications(client):
    alice, bob = create_user(name="Alice"), create_user(name="Bob")
    record_event(recipients=[bob], data={"actor": "Petra", "title": "Bob's secret thread"})
    bobs = notifications_of(bob)[0]
    headers = _headers(alice, scopes=("read", "write"))
    body = client.get("/api/v1/notifications", headers=headers).json
    assert (body["items"], body["unread"]) == ([], 0)
    response = client.post(f"/api/v1/notifications/{bobs.id}/read", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    client.post("/api/v1/notifications/read-all", headers=headers)
    db.session.refresh(bobs)
    assert bobs.read_at is None


def test_read_token_cannot_mark_read(client):
    user = create_user()
    record_event(recipients=[user])
    notification = notifications_of(user)[0]
    headers = _headers(user, scopes=("read",))
    assert client.post(f"/api/v1/notifications/{notification.id}/read", headers=headers).status_code == 403
    assert client.post("/api/v1/notifications/read-all", headers=headers).status_code == 403
    db.session.refresh(notification)
    assert notification.read_at is None


def test_session_cookie_alone_cannot_mark_read(client, learner):
    record_event(recipients=[learner])
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    assert notifications_of(learner)[0].read_at is None


def test_pagination_links_keep_the_filter(client):
    user = create_user()
    for _i in range(5):
        record_event(recipients=[user])
    page = client.get("/api/v1/notifications?unread=true&limit=2&offset=2", headers=_headers(user)).json
    assert page["links"]["prev"] == "/api/v1/notifications?unread=true&limit=2&offset=0"
    assert page["links"]["next"] == "/api/v1/notifications?unread=true&limit=2&offset=4"


def test_list_queries_do_not_grow(client, count_queries):
    small_user, large_user = create_user(), create_user()
    record_event(recipients=[small_user])
    for _i in range(15):
        record_event(recipients=[large_user])
    small, large = _headers(small_user), _headers(large_user)
    for headers in (small, large):
        client.get("/api/v1/me", headers=headers)  # the token's first use writes once
    with count_queries() as q_small:
        assert client.get("/api/v1/notifications", headers=small).status_code == 200
    with count_queries() as q_large:
        assert client.get("/api/v1/notifications", headers=large).status_code == 200
    # The token, its user, the scopes re-checked for access (issue 17), the count, the page and the unread count.
    assert q_small.count == q_large.count == 6
