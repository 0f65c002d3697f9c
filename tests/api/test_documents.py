"""Documents through the API: the acceptance shapes, merge, 409 with nothing lost, members only, scopes."""

from __future__ import annotations

import pytest

from academy.community.documents import services as docs
from academy.community.models import MemberStatus
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.community.factories import add_member, contact_of, create_community
from tests.factories import create_user

BASE = "# Jems tips\n\nLog in with your EU Login.\n\nExport the report as PDF.\n\nAsk the JS for help.\n"


def _headers(user, scopes=("read", "write")) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


@pytest.fixture
def team(app):
    community = create_community(slug="monitoring")
    anna = add_member(community=community, user=create_user(name="Anna Aalto")).user
    jonas = add_member(community=community, user=create_user(name="Jonas Berg")).user
    return community, _headers(anna), _headers(jonas), anna, jonas


def _create(client, headers, body=BASE):
    response = client.post(
        "/api/v1/communities/monitoring/documents", json={"title": "Jems tips", "body": body}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def test_create_get_list_and_revisions(client, team):
    _community, anna, jonas, _a, _j = team
    created = _create(client, anna)
    assert created["revision"] == 1 and created["id"] and created["title"] == "Jems tips"
    path = f"/api/v1/communities/monitoring/documents/{created['id']}"
    got = client.get(path, headers=jonas).json
    assert (got["id"], got["title"], got["body"], got["revision"]) == (created["id"], "Jems tips", BASE, 1)
    listing = client.get("/api/v1/communities/monitoring/documents", headers=jonas).json
    assert [d["id"] for d in listing["items"]] == [created["id"]] and listing["total"] == 1
    saved = client.put(path, json={"body": BASE + "\nNew line.\n", "base_revision": 1}, headers=jonas)
    assert saved.status_code == 200 and saved.json["revision"] == 2 and saved.json["merged"] is False
    revisions = client.get(f"{path}/revisions?limit=1", headers=anna).json
    assert revisions["total"] == 2 and [r["number"] for r in revisions["items"]] == [2]
    assert revisions["items"][0]["author"]["name"] == "Jonas Berg"
    assert revisions["links"]["next"]


def test_edits_of_different_paragraphs_merge(client, team):
    _community, anna, jonas, _a, _j = team
    doc = _create(client, anna)
    path = f"/api/v1/communities/monitoring/documents/{doc['id']}"
    mine = BASE.replace("EU Login.", "EU Login and two-factor code.")
    theirs = BASE.replace("for help.", "for help, or the Jems helpdesk.")
    assert client.put(path, json={"body": theirs, "base_revision": 1}, headers=jonas).json["merged"] is False
    response = client.put(path, json={"body": mine, "base_revision": 1}, headers=anna)
    assert response.status_code == 200
    assert response.json["merged"] is True and response.json["merged_with"] == ["Jonas Berg"]
    assert response.json["revision"] == 3
    body = client.get(path, headers=anna).json["body"]
    assert "two-factor code" in body and "Jems helpdesk" in body


def test_overlapping_edits_answer_409_with_everything_typed(client, team):
    _community, anna, jonas, _a, _j = team
    doc = _create(client, anna)
    path = f"/api/v1/communities/monitoring/documents/{doc['id']}"
    theirs = BASE.replace("Export the report as PDF.", "Export the report as PDF and as Excel.")
    mine = BASE.replace("Export the report as PDF.", "Export the partner report from the Reports tab.")
    client.put(path, json={"body": theirs, "base_revision": 1}, headers=jonas)
    response = client.put(path, json={"body": mine, "base_revision": 1}, headers=anna)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    problem = response.json
    assert problem["submitted"] == mine
    assert problem["current_revision"] == 2 and problem["base_revision"] == 1
    assert problem["conflicts"] == [
        {
            "base": "Export the report as PDF.\n",
            "theirs": "Export the report as PDF and as Excel.\n",
            "mine": "Export the partner report from the Reports tab.\n",
        }
    ]
    assert "as Excel" in problem["merged_text"] and "Reports tab" in problem["merged_text"]
    assert client.get(path, headers=anna).json["revision"] == 2  # nothing saved
    resolved = BASE.replace(
        "Export the report as PDF.", "Export the partner report from the Reports tab, as PDF or Excel."
    )
    again = client.put(path, json={"body": resolved, "base_revision": 2}, headers=anna)
    assert again.status_code == 200 and again.json["revision"] == 3


def test_members_only_and_write_scope(client, team):
    community, anna, _jonas, _a, jonas_user = team
    doc = _create(client, anna)
    path = f"/api/v1/communities/monitoring/documents/{doc['id']}"
    outsider = _headers(create_user())
    assert client.get(path, headers=outsider).status_code == 404
    assert client.get("/api/v1/communities/monitoring/documents", headers=outsider).status_code == 404
    assert client.put(path, json={"body": "x", "base_revision": 1}, headers=outsider).status_code == 404
    reader = _headers(jonas_user, scopes=("read",))
    assert client.get(path, headers=reader).status_code == 200
    assert client.put(path, json={"body": "x", "base_revision": 1}, headers=reader).status_code == 403
    assert (
        client.post("/api/v1/communities/monitoring/documents", json={"title": "t"}, headers=reader).status_code == 403
    )
    membership = next(m for m in community.memberships if m.user_id == jonas_user.id)
    membership.status = MemberStatus.REMOVED
    db.session.commit()
    assert client.get(path, headers=_headers(jonas_user)).status_code == 404


def test_locked_document_refuses_saves(client, team):
    community, anna, jonas, _a, _j = team
    doc = _create(client, anna)
    document = docs.get_document(community, doc["id"])
    docs.set_controls(
        document=document, actor=contact_of(community), locked=True, archived=False, restricted=False, editor_ids=[]
    )
    db.session.commit()
    path = f"/api/v1/communities/monitoring/documents/{doc['id']}"
    response = client.put(path, json={"body": "Overwrite", "base_revision": 1}, headers=jonas)
    assert response.status_code == 403
    assert client.get(path, headers=jonas).json["can_edit"] is False


def test_bad_input_is_a_422(client, team):
    _community, anna, _jonas, _a, _j = team
    doc = _create(client, anna)
    path = f"/api/v1/communities/monitoring/documents/{doc['id']}"
    missing = client.put(path, json={"body": "x"}, headers=anna)
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "base_revision"
    future = client.put(path, json={"body": "x", "base_revision": 9}, headers=anna)
    assert future.status_code == 422 and future.json["errors"][0]["field"] == "base_revision"
    assert client.post("/api/v1/communities/monitoring/documents", json={"body": "x"}, headers=anna).status_code == 422


def test_edits_to_different_sentences_of_one_paragraph_merge(client, team):
    _community, anna, jonas, _a, _j = team
    doc = client.post(
        "/api/v1/communities/monitoring/documents",
        json={"title": "Reporting", "body": "Log in to Jems. Open the report. Export it as PDF.\n"},
        headers=anna,
    ).json
    path = f"/api/v1/communities/monitoring/documents/{doc['id']}"
    theirs = "Log in to Jems with your code. Open the report. Export it as PDF.\n"
    mine = "Log in to Jems. Open the report. Export it as PDF or Excel.\n"
    assert client.put(path, json={"body": theirs, "base_revision": 1}, headers=jonas).status_code == 200
    response = client.put(path, json={"body": mine, "base_revision": 1}, headers=anna)
    assert response.status_code == 200 and response.json["merged"] is True
    assert response.json["body"] == "Log in to Jems with your code. Open the report. Export it as PDF or Excel.\n"
