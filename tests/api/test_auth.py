"""Who may call what: bearer tokens only, scopes enforced, cookies ignored."""

from __future__ import annotations

import pytest

from tests.api.factories import bearer, create_token
from tests.factories import create_user


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'realm="Academy API"' in response.headers["WWW-Authenticate"]
    assert response.json["type"] == "/api/docs#problem-authentication-required"


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token acd_x", "bearer"],
)
def test_other_schemes_are_refused(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Academy API"'
    assert response.json["type"] == "/api/docs#problem-authentication-required"


@pytest.mark.parametrize(
    "raw",
    ["acd_" + "a" * 42, "nonsense", "acd_" + "é" * 42, "x" * 5000, "acd_\u0000"],
)
def test_unknown_tokens_are_401_invalid_token(client, raw):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer " + raw})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_bad_token_fails_even_on_public_endpoints(client):
    # A client with a revoked token learns so at once, not at its first private call.
    response = client.get("/api/v1/courses", headers=bearer("acd_" + "a" * 42))
    assert response.status_code == 401


def test_scheme_is_case_insensitive(client):
    _token, raw = create_token(user=create_user())
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {raw}"}).status_code == 200


def test_read_token_cannot_write(client, db):
    user = create_user(name="Original Name")
    _token, raw = create_token(user=user, scopes=("read",))
    response = client.patch("/api/v1/me", json={"name": "Changed"}, headers=bearer(raw))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/api/docs#problem-insufficient-scope"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert 'scope="write"' in response.headers["WWW-Authenticate"]
    db.session.refresh(user)
    assert user.name == "Original Name"


def test_write_token_can_write(client, db):
    user = create_user(name="Original Name")
    _token, raw = create_token(user=user, scopes=("write",))
    response = client.patch("/api/v1/me", json={"name": "Changed"}, headers=bearer(raw))
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.name == "Changed"


def test_session_cookie_does_not_authorise_writes(client, learner, db):
    response = client.patch("/api/v1/me", json={"name": "Hijacked"})
    assert response.status_code == 401
    db.session.refresh(learner)
    assert learner.name == "Lena Learner"


def test_session_cookie_does_not_authorise_reads(client, learner):
    assert client.get("/api/v1/me").status_code == 401


def test_api_does_not_write_the_session_cookie(client, learner):
    _token, raw = create_token(user=learner)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert "Set-Cookie" not in response.headers


def test_token_decides_whose_data_is_read(client):
    alice, bob = create_user(name="Alice"), create_user(name="Bob")
    _t, alice_raw = create_token(user=alice)
    _t, bob_raw = create_token(user=bob)
    assert client.get("/api/v1/me", headers=bearer(alice_raw)).json["email"] == alice.email
    assert client.get("/api/v1/me", headers=bearer(bob_raw)).json["email"] == bob.email
    # No parameter lets a token address another account.
    for query in (f"?id={bob.id}", f"?user_id={bob.id}", f"?email={bob.email}"):
        assert client.get("/api/v1/me" + query, headers=bearer(alice_raw)).json["email"] == alice.email


def test_token_cannot_change_another_users_profile(client, db):
    alice, bob = create_user(name="Alice"), create_user(name="Bob")
    _t, alice_raw = create_token(user=alice, scopes=("write",))
    client.patch("/api/v1/me", json={"name": "Alice B."}, headers=bearer(alice_raw))
    db.session.refresh(bob)
    assert bob.name == "Bob"


def test_authenticated_responses_are_not_cached(client):
    _token, raw = create_token(user=create_user())
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.headers["Cache-Control"] == "no-store"
    assert "Authorization" in response.headers.get("Vary", "")


def test_api_writes_need_no_csrf_token(client):
    # Bearer tokens cannot be sent by a foreign page, so CSRF tokens are not needed (nor accepted).
    _token, raw = create_token(user=create_user(), scopes=("write",))
    assert client.patch("/api/v1/me", json={"country": "AT"}, headers=bearer(raw)).status_code == 200
