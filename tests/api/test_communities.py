"""Communities through the API: members only, thread filters, posts, asking and replying, notifications."""

from __future__ import annotations

import pytest

from academy.community.models import MemberRole, MemberStatus, Post, Thread, ThreadKind
from academy.community.services import moderation
from academy.community.services import threads as thread_services
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread
from tests.factories import create_user
from tests.notifications.factories import notifications_of


def _headers(user, scopes=("read",)) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


def _member(community, **kwargs):
    return add_member(community=community, **kwargs).user


def _thread_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Thread))


def test_lists_only_communities_i_belong_to(client):
    user = create_user()
    finance = create_community(name="Finance", slug="finance")
    sco = create_community(name="Simplified cost options", slug="sco", parent=finance)
    icon = create_community(name="ICON", slug="icon")
    create_community(name="Monitoring systems", slug="monitoring")
    add_member(community=finance, user=user)
    add_member(community=sco, user=user, role=MemberRole.CONTACT)
    add_member(community=icon, user=user, status=MemberStatus.PENDING)
    items = client.get("/api/v1/communities", headers=_headers(user)).json["items"]
    assert [(c["slug"], c["role"]) for c in items] == [("finance", "member"), ("sco", "contact")]
    assert items[1]["parent"] == {"slug": "finance", "name": "Finance"}
    assert items[0]["parent"] is None


def test_thread_list_has_the_pages_filters(client):
    community = create_community(slug="finance")
    user = _member(community)
    answered = create_thread(community=community, author=user, title="Answered question")
    answer = create_reply(thread=answered)
    thread_services.accept_answer(post=answer, actor=user)
    db.session.commit()
    create_thread(community=community, title="Open question")
    create_thread(community=community, title="A discussion", kind=ThreadKind.DISCUSSION)
    headers = _headers(user)

    def titles(filter_: str) -> list[str]:
        items = client.get(f"/api/v1/communities/finance/threads?filter={filter_}", headers=headers).json["items"]
        return sorted(t["title"] for t in items)

    assert titles("all") == ["A discussion", "Answered question", "Open question"]
    assert titles("unanswered") == ["Open question"]
    assert titles("questions") == ["Answered question", "Open question"]
    assert titles("discussions") == ["A discussion"]
    bad = client.get("/api/v1/communities/finance/threads?filter=popular", headers=headers)
    assert bad.status_code == 422
    assert bad.json["errors"][0]["field"] == "filter"


def test_thread_with_its_opening_post_accepted_answer_and_replies(client):
    community = create_community(slug="finance")
    asker = _member(community, user=create_user(name="Asker"))
    thread = create_thread(community=community, author=asker, title="Staff costs", body="How do you **check**?")
    first = create_reply(thread=thread, body="Like this.")
    second = create_reply(thread=thread, body="Or like that.")
    thread_services.accept_answer(post=second, actor=asker)
    db.session.commit()
    headers = _headers(asker)
    body = client.get(f"/api/v1/communities/finance/threads/{thread.id}", headers=headers).json
    assert (body["title"], body["kind"], body["answered"], body["reply_count"]) == ("Staff costs", "question", True, 2)
    assert body["author"] == {"id": asker.id, "name": "Asker"}
    assert body["opening"]["body"] == "How do you **check**?"
    assert "<strong>check</strong>" in body["opening"]["body_html"]
    assert body["accepted_answer"]["id"] == second.id
    posts = client.get(f"/api/v1/communities/finance/threads/{thread.id}/posts", headers=headers).json
    assert [(p["id"], p["accepted"]) for p in posts["items"]] == [(first.id, False), (second.id, True)]


def test_hidden_posts_keep_their_text_from_members_but_not_from_contacts(client):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    reply = create_reply(thread=thread, body="Something rude.")
    moderation.set_hidden(post=reply, actor=contact_of(community), hidden=True)
    db.session.commit()
    url = f"/api/v1/communities/finance/threads/{thread.id}/posts"
    as_member = client.get(url, headers=_headers(_member(community))).json["items"][0]
    assert (as_member["hidden"], as_member["body"], as_member["body_html"]) == (True, None, None)
    as_contact = client.get(url, headers=_headers(contact_of(community))).json["items"][0]
    assert as_contact["body"] == "Something rude."


@pytest.mark.parametrize("standing", [None, MemberStatus.PENDING, MemberStatus.LEFT, MemberStatus.REMOVED])
def test_a_token_of_a_non_member_cannot_read_or_post(client, standing):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    outsider = create_user()
    if standing is not None:
        add_member(community=community, user=outsider, status=standing)
    headers = _headers(outsider, scopes=("read", "write"))
    before = _thread_count()
    for url in (
        "/api/v1/communities/finance/threads",
        f"/api/v1/communities/finance/threads/{thread.id}",
        f"/api/v1/communities/finance/threads/{thread.id}/posts",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
        assert thread.title not in response.get_data(as_text=True)
    asked = client.post(
        "/api/v1/communities/finance/threads", json={"title": "Let me in", "body": "Please."}, headers=headers
    )
    replied = client.post(
        f"/api/v1/communities/finance/threads/{thread.id}/posts", json={"body": "Hello"}, headers=headers
    )
    assert (asked.status_code, replied.status_code) == (404, 404)
    assert _thread_count() == before
    assert thread.reply_count == 0
    # Unknown and members-only communities answer alike.
    assert (
        client.get("/api/v1/communities/nowhere/threads", headers=headers).json["detail"]
        == (client.get("/api/v1/communities/finance/threads", headers=headers).json["detail"])
    )


def test_an_admin_may_read_but_not_post_where_not_a_member(client):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    headers = _headers(create_user(admin=True), scopes=("read", "write"))
    assert client.get(f"/api/v1/communities/finance/threads/{thread.id}", headers=headers).status_code == 200
    response = client.post(
        f"/api/v1/communities/finance/threads/{thread.id}/posts", json={"body": "Hi"}, headers=headers
    )
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_asking_a_question_notifies_watchers_like_the_site(client):
    community = create_community(slug="finance")
    asker = _member(community)
    watcher = _member(community)
    from academy.community.services import watching

    watching.watch_community(user=watcher, community=community, level="watching")
    db.session.commit()
    response = client.post(
        "/api/v1/communities/finance/threads",
        json={"title": "  Who checks   unit costs? ", "body": "Our FLC asks."},
        headers=_headers(asker, scopes=("write",)),
    )
    assert response.status_code == 201
    thread = db.session.get(Thread, response.json["id"])
    assert response.headers["Location"] == f"/api/v1/communities/finance/threads/{thread.id}"
    assert (thread.title, thread.kind, thread.author_id) == ("Who checks unit costs?", "question", asker.id)
    assert [n.event for n in notifications_of(watcher)] == ["thread.created"]


def test_a_reply_tells_the_asker(client):
    community = create_community(slug="finance")
    asker, helper = _member(community), _member(community, user=create_user(name="Helpful Hana"))
    thread = create_thread(community=community, author=asker)
    response = client.post(
        f"/api/v1/communities/finance/threads/{thread.id}/posts",
        json={"body": "Use the *flat rate*."},
        headers=_headers(helper, scopes=("write",)),
    )
    assert response.status_code == 201
    assert response.json["author"]["name"] == "Helpful Hana"
    assert "<em>flat rate</em>" in response.json["body_html"]
    assert "answer.posted" in [n.event for n in notifications_of(asker)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "   ", "body": "Text"}, "title"),
        ({"title": "x" * 201, "body": "Text"}, "title"),
        ({"title": "Fine", "body": ""}, "body"),
        ({"title": "Fine", "body": "x" * 20_001}, "body"),
        ({"title": "Fine", "body": "Text", "kind": "poll"}, "kind"),
        ({"body": "Text"}, "title"),
        ({"title": "Fine", "body": "Text", "pinned": True}, "pinned"),
    ],
)
def test_invalid_questions_are_refused_naming_the_field(client, body, field):
    community = create_community(slug="finance")
    headers = _headers(_member(community), scopes=("write",))
    response = client.post("/api/v1/communities/finance/threads", json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert _thread_count() == 0


def test_read_token_cannot_post(client):
    community = create_community(slug="finance")
    member = _member(community)
    thread = create_thread(community=community, author=member)
    headers = _headers(member, scopes=("read",))
    assert (
        client.post(
            "/api/v1/communities/finance/threads", json={"title": "T", "body": "B"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/communities/finance/threads/{thread.id}/posts", json={"body": "B"}, headers=headers
        ).status_code
        == 403
    )
    assert _thread_count() == 1


def test_session_cookie_alone_cannot_post(client, login):
    community = create_community(slug="finance")
    member = login(_member(community))
    create_thread(community=community, author=member)
    response = client.post("/api/v1/communities/finance/threads", json={"title": "T", "body": "B"})
    assert response.status_code == 401
    assert _thread_count() == 1


def test_a_locked_thread_takes_no_reply(client):
    community = create_community(slug="finance")
    thread = create_thread(community=community)
    thread_services.set_flags(thread=thread, actor=contact_of(community), locked=True)
    db.session.commit()
    headers = _headers(_member(community), scopes=("write",))
    response = client.post(
        f"/api/v1/communities/finance/threads/{thread.id}/posts", json={"body": "Hi"}, headers=headers
    )
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Post).where(Post.is_opening.is_(False))) == 0


def test_thread_pagination_links_keep_the_filter(client):
    community = create_community(slug="finance")
    user = _member(community)
    for i in range(3):
        create_thread(community=community, title=f"Q{i}")
    page = client.get("/api/v1/communities/finance/threads?filter=questions&limit=2", headers=_headers(user)).json
    assert page["total"] == 3
    assert page["links"]["next"] == "/api/v1/communities/finance/threads?filter=questions&limit=2&offset=2"


def test_list_queries_do_not_grow(client, count_queries):
    small, large = create_community(slug="small"), create_community(slug="large")
    small_user, large_user = _member(small), _member(large)
    small_thread = create_thread(community=small)
    create_reply(thread=small_thread)
    large_thread = create_thread(community=large)
    for _i in range(8):
        create_thread(community=large)
        create_reply(thread=large_thread)
    small_headers, large_headers = _headers(small_user), _headers(large_user)
    for headers in (small_headers, large_headers):
        client.get("/api/v1/me", headers=headers)  # the token's first use writes once
    counts = {}
    cases = (("small", small_headers, small_thread.id), ("large", large_headers, large_thread.id))
    for name, headers, thread_id in cases:
        with count_queries() as threads:
            assert client.get(f"/api/v1/communities/{name}/threads", headers=headers).status_code == 200
        with count_queries() as posts:
            response = client.get(f"/api/v1/communities/{name}/threads/{thread_id}/posts", headers=headers)
            assert response.status_code == 200
        with count_queries() as mine:
            assert client.get("/api/v1/communities", headers=headers).status_code == 200
        counts[name] = (threads.count, posts.count, mine.count)
    # Threads: the token, the community, my user, my membership, the count, the threads with their authors.
    # Posts: the same four, the thread, the count, the posts with their authors, their attachments.
    # Mine: the token, my user, the count, the memberships with their communities.
    assert counts["small"] == counts["large"] == (6, 8, 4)
