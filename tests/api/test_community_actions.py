"""One community, accepting answers and watching threads through the API, with the site's rules."""

from __future__ import annotations

import pytest

from academy.community.models import MemberRole, MemberStatus, Post, Thread, ThreadKind, Watch
from academy.community.services import moderation
from academy.community.services import threads as thread_services
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread
from tests.factories import create_user
from tests.notifications.factories import notifications_of


def _headers(user, scopes=("read", "write")) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


def _member(community, **kwargs):
    return add_member(community=community, **kwargs).user


def _accepted(thread_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(Thread, thread_id).accepted_post_id


def _answer_url(thread) -> str:
    return f"/api/v1/communities/finance/threads/{thread.id}/accepted-answer"


# --- GET /communities/{slug} ----------------------------------------------------------------------


def test_one_community_i_belong_to(client):
    user = create_user()
    finance = create_community(name="Finance", slug="finance")
    sco = create_community(name="Simplified cost options", slug="sco", parent=finance)
    add_member(community=sco, user=user, role=MemberRole.CONTACT)
    response = client.get("/api/v1/communities/sco", headers=_headers(user, ("read",)))
    assert response.status_code == 200
    body = response.json
    assert (body["slug"], body["name"], body["role"]) == ("sco", "Simplified cost options", "contact")
    assert body["parent"] == {"slug": "finance", "name": "Finance"}


@pytest.mark.parametrize("standing", [None, MemberStatus.PENDING, MemberStatus.LEFT, MemberStatus.REMOVED, "admin"])
def test_a_community_i_do_not_belong_to_answers_404_like_an_unknown_one(client, standing):
    community = create_community(name="Finance", slug="finance")
    outsider = create_user(admin=standing == "admin")
    if standing not in (None, "admin"):
        add_member(community=community, user=outsider, status=standing)
    headers = _headers(outsider, ("read",))
    response = client.get("/api/v1/communities/finance", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "Finance" not in response.get_data(as_text=True)
    assert response.json["detail"] == client.get("/api/v1/communities/nowhere", headers=headers).json["detail"]


def test_one_community_takes_the_same_queries_with_or_without_a_parent(client, count_queries):
    finance = create_community(slug="finance")
    sco = create_community(slug="sco", parent=finance)
    user = create_user()
    add_member(community=finance, user=user)
    add_member(community=sco, user=user)
    headers = _headers(user, ("read",))
    client.get("/api/v1/me", headers=headers)  # the token's first use writes once
    counts = []
    for slug in ("finance", "sco"):
        with count_queries() as queries:
            assert client.get(f"/api/v1/communities/{slug}", headers=headers).status_code == 200
        counts.append(queries.count)
    # The token, my user, my membership with the community and its parent.
    assert counts == [3, 3]


# --- accepted answer ------------------------------------------------------------------------------


def test_the_asker_accepts_an_answer_and_its_author_hears_about_it(client):
    community = create_community(slug="finance")
    asker = _member(community)
    helper = _member(community, user=create_user(name="Helpful Hana"))
    thread = create_thread(community=community, author=asker)
    answer = create_reply(thread=thread, author=helper)
    response = client.post(_answer_url(thread), json={"post": answer.id}, headers=_headers(asker))
    assert response.status_code == 200
    assert (response.json["answered"], response.json["accepted_answer"]["id"]) == (True, answer.id)
    assert _accepted(thread.id) == answer.id
    assert "answer.accepted" in [n.event for n in notifications_of(helper)]


def test_a_contact_person_accepts_and_clears_an_answer(client):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    answer = create_reply(thread=thread)
    headers = _headers(contact_of(community))
    assert client.post(_answer_url(thread), json={"post": answer.id}, headers=headers).status_code == 200
    cleared = client.delete(_answer_url(thread), headers=headers)
    assert cleared.status_code == 200
    assert (cleared.json["answered"], cleared.json["accepted_answer"]) == (False, None)
    assert _accepted(thread.id) is None
    assert client.delete(_answer_url(thread), headers=headers).status_code == 200  # again is harmless


def test_another_member_may_neither_accept_nor_clear(client):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker)
    answer = create_reply(thread=thread)
    thread_services.accept_answer(post=answer, actor=asker)
    other_answer = create_reply(thread=thread)
    db.session.commit()
    headers = _headers(_member(community))
    accepted = client.post(_answer_url(thread), json={"post": other_answer.id}, headers=headers)
    cleared = client.delete(_answer_url(thread), headers=headers)
    assert (accepted.status_code, cleared.status_code) == (403, 403)
    assert accepted.mimetype == cleared.mimetype == "application/problem+json"
    assert _accepted(thread.id) == answer.id


def test_a_discussion_has_no_accepted_answer(client):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker, kind=ThreadKind.DISCUSSION)
    reply = create_reply(thread=thread)
    response = client.post(_answer_url(thread), json={"post": reply.id}, headers=_headers(asker))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert _accepted(thread.id) is None


def test_a_hidden_reply_cannot_be_accepted(client):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    reply = create_reply(thread=thread)
    contact = contact_of(community)
    moderation.set_hidden(post=reply, actor=contact, hidden=True)
    db.session.commit()
    response = client.post(_answer_url(thread), json={"post": reply.id}, headers=_headers(contact))
    assert response.status_code == 409
    assert _accepted(thread.id) is None


def test_the_opening_post_is_no_answer(client):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker)
    opening = db.session.scalar(db.select(Post.id).filter_by(thread_id=thread.id, is_opening=True))
    response = client.post(_answer_url(thread), json={"post": opening}, headers=_headers(asker))
    assert response.status_code == 409
    assert _accepted(thread.id) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "post"),
        ({"post": "first"}, "post"),
        ({"post": 0}, "post"),
        ({"post": None}, "post"),
        ({"post": 2**31}, "post"),
        ({"post": 1, "thread": 2}, "thread"),
        ("elsewhere", "post"),
        ("unknown", "post"),
    ],
)
def test_invalid_answer_choices_are_refused_naming_the_field(client, body, field):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker)
    create_reply(thread=thread)
    elsewhere = create_reply(thread=create_thread(community=community))
    if body == "elsewhere":
        body = {"post": elsewhere.id}  # a reply, but of another thread
    elif body == "unknown":
        body = {"post": elsewhere.id + 1000}
    response = client.post(_answer_url(thread), json=body, headers=_headers(asker))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert _accepted(thread.id) is None


def test_a_reply_of_another_community_cannot_be_accepted(client):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker)
    foreign = create_reply(thread=create_thread(community=create_community(slug="icon")))
    response = client.post(_answer_url(thread), json={"post": foreign.id}, headers=_headers(asker))
    assert response.status_code == 422
    assert _accepted(thread.id) is None


# --- watching -------------------------------------------------------------------------------------


def _watch_url(thread) -> str:
    return f"/api/v1/communities/finance/threads/{thread.id}/watch"


def _level(user, thread) -> str | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Watch.level).filter_by(user_id=user.id, thread_id=thread.id))


@pytest.mark.parametrize("level", ["watching", "normal", "muted"])
def test_a_member_chooses_a_watch_level_for_a_thread(client, level):
    community = create_community(slug="finance")
    member = _member(community)
    thread = create_thread(community=community)
    response = client.put(_watch_url(thread), json={"level": level}, headers=_headers(member))
    assert response.status_code == 200
    assert response.json == {"thread": thread.id, "level": level, "community_level": "normal"}
    assert _level(member, thread) == level


def test_a_watched_thread_tells_its_watcher_about_replies(client):
    community = create_community(slug="finance")
    watcher = _member(community)
    thread = create_thread(community=community)
    client.put(_watch_url(thread), json={"level": "watching"}, headers=_headers(watcher))
    create_reply(thread=thread)
    assert notifications_of(watcher) != []


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "level"), ({"level": "loud"}, "level"), ({"level": None}, "level"), ({"level": "muted", "x": 1}, "x")],
)
def test_invalid_watch_levels_are_refused_naming_the_field(client, body, field):
    community = create_community(slug="finance")
    member = _member(community)
    thread = create_thread(community=community)
    response = client.put(_watch_url(thread), json=body, headers=_headers(member))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert _level(member, thread) is None


def test_an_admin_who_is_no_member_may_not_watch(client):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    admin = create_user(admin=True)
    response = client.put(_watch_url(thread), json={"level": "watching"}, headers=_headers(admin))
    assert response.status_code == 403
    assert _level(admin, thread) is None


def test_a_member_watches_a_whole_community_and_hears_of_new_threads(client):
    community = create_community(slug="finance")
    watcher, bystander = _member(community), _member(community)
    response = client.put("/api/v1/communities/finance/watch", json={"level": "watching"}, headers=_headers(watcher))
    assert (response.status_code, response.json) == (200, {"community": "finance", "level": "watching"})
    thread = create_thread(community=community)
    assert notifications_of(watcher) != []
    assert notifications_of(bystander) == []  # members at the normal level hear of their own threads only
    # The thread's page shows the community level as the default for its threads.
    assert client.get(_watch_url(thread).rsplit("/watch", 1)[0], headers=_headers(watcher)).status_code == 200
    muted = client.put("/api/v1/communities/finance/watch", json={"level": "muted"}, headers=_headers(watcher))
    assert muted.json["level"] == "muted"


def test_community_watch_refuses_bad_levels_outsiders_and_admins(client):
    community = create_community(slug="finance")
    member = _member(community)
    bad = client.put("/api/v1/communities/finance/watch", json={"level": "loud"}, headers=_headers(member))
    assert (bad.status_code, [e["field"] for e in bad.json["errors"]]) == (422, ["level"])
    outsider = client.put(
        "/api/v1/communities/finance/watch", json={"level": "watching"}, headers=_headers(create_user())
    )
    assert outsider.status_code == 404
    admin = create_user(admin=True)
    refused = client.put("/api/v1/communities/finance/watch", json={"level": "watching"}, headers=_headers(admin))
    assert refused.status_code == 403


# --- who may write --------------------------------------------------------------------------------


@pytest.mark.parametrize("standing", [None, MemberStatus.PENDING, MemberStatus.LEFT, MemberStatus.REMOVED])
def test_non_members_get_404_for_every_new_write(client, standing):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    reply = create_reply(thread=thread)
    outsider = create_user()
    if standing is not None:
        add_member(community=community, user=outsider, status=standing)
    headers = _headers(outsider)
    responses = [
        client.post(_answer_url(thread), json={"post": reply.id}, headers=headers),
        client.delete(_answer_url(thread), headers=headers),
        client.put(_watch_url(thread), json={"level": "watching"}, headers=headers),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _accepted(thread.id) is None
    assert _level(outsider, thread) is None


def test_a_read_token_cannot_accept_clear_or_watch(client):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker)
    reply = create_reply(thread=thread)
    headers = _headers(asker, ("read",))
    responses = [
        client.post(_answer_url(thread), json={"post": reply.id}, headers=headers),
        client.delete(_answer_url(thread), headers=headers),
        client.put(_watch_url(thread), json={"level": "watching"}, headers=headers),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert all(r.json["type"].endswith("#problem-insufficient-scope") for r in responses)
    assert _accepted(thread.id) is None
    assert _level(asker, thread) is None


def test_a_hidden_thread_is_invisible_to_members(client):
    community = create_community(slug="finance")
    asker = _member(community)
    thread = create_thread(community=community, author=asker)
    reply = create_reply(thread=thread)
    opening = db.session.scalar(db.select(Post).filter_by(thread_id=thread.id, is_opening=True))
    moderation.set_hidden(post=opening, actor=contact_of(community), hidden=True)
    db.session.commit()
    response = client.post(_answer_url(thread), json={"post": reply.id}, headers=_headers(asker))
    assert response.status_code == 404
