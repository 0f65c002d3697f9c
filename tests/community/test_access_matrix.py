"""Nobody outside a community sees its threads, posts, files or members, on any community route.

The routes come from the URL map, so a new route is covered (or the test fails until it is
classified) without anyone remembering to add it here.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.community.conftest import SECRETS
from tests.conftest import csrf_token

OUTSIDERS = ("non-member", "pending", "rejected", "removed", "parent-member", "left", "suspended")

# Routes an outsider may use: they show only what the directory shows, never member content.
PUBLIC = {"community.index", "community.show", "community.join", "community.leave", "community.search_all"}

POST_DATA = {
    "message": "Let me in",
    "reason": "Because",
    "body": "Hello",
    "title": "Hello",
    "kind": "question",
    "level": "watching",
    "action": "pin",
    "email": "someone@example.org",
}


def community_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every community route."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("community."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((rule.endpoint, rule.rule, method))
    return out


def build_url(app: Flask, endpoint: str, world, slug: str | None = None) -> str:
    values = {
        "slug": slug or world.community.slug,
        "thread_id": world.thread.id,
        "post_id": world.reply.id,
        "attachment_id": world.attachment.id,
        "number": 1,
        "membership_id": world.pending.id,
        "user_id": world.member.id,
        "flag_id": world.flag.id,
        "token": "not-an-invitation",
        "document_id": world.document.id,
        "document_file_id": world.document_file.id,
        "fmt": "pdf",
    }
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"teach the access test the URL parameter(s) {unknown} of {endpoint}"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: values[k] for k in rule.arguments}, q="SECRET")


def _routes():
    from academy import create_app

    return community_routes(create_app({"ENV_NAME": "testing"}))


ROUTES = _routes()


def test_the_matrix_covers_the_routes_that_matter():
    endpoints = {e for e, _, _ in ROUTES}
    assert {"community.thread", "community.download", "community.members", "community.files"} <= endpoints
    assert len(endpoints - PUBLIC) >= 25


# join and leave change the outsider's standing, so they run last.
ORDERED = sorted(ROUTES, key=lambda r: r[0] in ("community.join", "community.leave"))


@pytest.mark.parametrize("state", OUTSIDERS)
def test_outsiders_get_no_member_content_on_any_route(app, client, login, world, state, db):
    from academy.community.models import Flag, Post, Thread

    login(world.people[state])
    token = csrf_token(client, "/c/")
    problems = []
    for endpoint, rule, method in ORDERED:
        url = build_url(app, endpoint, world)
        data = {**POST_DATA, "csrf_token": token}
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        body = response.get_data(as_text=True)
        expected = (200, 302, 400) if endpoint in PUBLIC else (404,)
        if response.status_code not in expected:
            problems.append(f"{method} {rule}: {response.status_code}")
        problems.extend(f"{method} {rule}: shows {secret}" for secret in SECRETS if secret in body)
    assert not problems, problems
    # Nothing an outsider sent changed the community's content.
    db.session.expire_all()
    assert db.session.query(Post).count() == 2
    assert db.session.query(Flag).count() == 1
    thread = db.session.get(Thread, world.thread.id)
    assert thread.is_visible and not thread.is_pinned and not thread.is_locked and thread.accepted_post_id is None


def test_anonymous_visitors_are_sent_to_log_in(app, client, world):
    for endpoint, rule, method in ROUTES:
        if method == "GET":
            response = client.get(build_url(app, endpoint, world))
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule


def test_outsider_sees_the_about_page_without_content(client, login, world):
    login(world.people["non-member"])
    html = client.get(f"/c/{world.community.slug}").get_data(as_text=True)
    assert "Controllers and audit" in html and "Ask to join" in html
    assert "SECRET-TITLE" not in html


def test_parent_membership_does_not_open_the_child(client, login, world):
    login(world.people["parent-member"])
    assert client.get(f"/c/{world.parent.slug}").status_code == 200
    assert client.get(f"/c/{world.community.slug}/t/{world.thread.id}").status_code == 404


def test_members_see_everything(client, login, world):
    login(world.member)
    for path in (
        f"/c/{world.community.slug}",
        f"/c/{world.community.slug}/t/{world.thread.id}",
        f"/c/{world.community.slug}/files",
        f"/c/{world.community.slug}/members",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "SECRET-TITLE" in client.get(f"/c/{world.community.slug}").get_data(as_text=True)
    assert client.get(f"/c/{world.community.slug}/files/{world.attachment.id}/download").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/c/{slug}/requests", "/c/{slug}/moderation", "/c/{slug}/p/{post}/history"],
)
def test_members_who_are_not_contacts_get_403_on_contact_pages(client, login, world, path):
    login(world.member)
    url = path.format(slug=world.community.slug, post=world.reply.id)
    assert client.get(url).status_code == 403


def test_admin_may_read_and_moderate_any_community(client, admin, world):
    assert "SECRET-TITLE" in client.get(f"/c/{world.community.slug}").get_data(as_text=True)
    assert client.get(f"/c/{world.community.slug}/requests").status_code == 200
