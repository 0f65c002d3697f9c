"""GET and PATCH /api/v1/me."""

from __future__ import annotations

from tests.api.factories import bearer, create_token
from tests.factories import create_user


def test_me_shows_the_profile_and_the_token(client):
    user = create_user(name="Jana Novák", organisation="Interreg CE JS", country="AT", trainer=True)
    _token, raw = create_token(user=user, name="Reporting script")
    body = client.get("/api/v1/me", headers=bearer(raw)).json
    assert body["id"] == user.id
    assert body["name"] == "Jana Novák"
    assert body["organisation"] == "Interreg CE JS"
    assert body["country"] == "AT"
    assert body["roles"] == ["learner", "trainer"]
    assert body["token"] == {
        "name": "Reporting script",
        "scopes": ["read"],
        "created_at": body["token"]["created_at"],
        "expires_at": None,
    }
    assert "password_hash" not in body


def test_patch_changes_only_what_is_sent(client, db):
    user = create_user(name="Old", organisation="Org", country="AT")
    _token, raw = create_token(user=user, scopes=("write",))
    response = client.patch("/api/v1/me", json={"organisation": "  MA Interreg Italia–Austria  "}, headers=bearer(raw))
    assert response.status_code == 200
    assert response.json["organisation"] == "MA Interreg Italia–Austria"
    db.session.refresh(user)
    assert (user.name, user.organisation, user.country) == ("Old", "MA Interreg Italia–Austria", "AT")


def test_patch_accepts_unicode_names(client, db):
    user = create_user()
    _token, raw = create_token(user=user, scopes=("write",))
    response = client.patch("/api/v1/me", json={"name": "Θεοδώρα 🇬🇷 Ñúñez"}, headers=bearer(raw))
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.name == "Θεοδώρα 🇬🇷 Ñúñez"


def test_patch_rejects_an_empty_name_naming_the_field(client, db):
    user = create_user(name="Keep")
    _token, raw = create_token(user=user, scopes=("write",))
    response = client.patch("/api/v1/me", json={"name": "   "}, headers=bearer(raw))
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["name"]
    db.session.refresh(user)
    assert user.name == "Keep"


def test_patch_rejects_an_unknown_country(client):
    _token, raw = create_token(user=create_user(), scopes=("write",))
    response = client.patch("/api/v1/me", json={"country": "US"}, headers=bearer(raw))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "country"
    assert response.json["errors"][0]["location"] == "body"


def test_patch_refuses_fields_that_cannot_be_changed(client, db):
    user = create_user()
    _token, raw = create_token(user=user, scopes=("write",))
    response = client.patch("/api/v1/me", json={"email": "new@example.org", "is_admin": True}, headers=bearer(raw))
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json["errors"]) == ["email", "is_admin"]
    db.session.refresh(user)
    assert not user.is_admin
