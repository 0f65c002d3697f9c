"""Personal access tokens: created on the account, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from academy.api import services
from academy.api.models import ApiToken
from academy.db import utcnow
from tests.api.factories import bearer, create_token
from tests.conftest import csrf_token
from tests.factories import create_user

TOKEN_RE = re.compile(r'value="(acd_[0-9A-Za-z]{42})"')


def _create(client, **overrides):
    data = {"name": "HR system", "scope": "read", "expires": "90", "csrf_token": csrf_token(client, "/account/tokens")}
    data.update(overrides)
    return client.post("/account/tokens", data=data)


def test_token_pages_need_login(client):
    assert client.get("/account/tokens").status_code == 302


def test_profile_links_to_tokens(client, learner):
    assert "/account/tokens" in client.get("/account").get_data(as_text=True)


def test_new_token_is_shown_once_and_stored_only_as_a_hash(client, learner, db):
    response = _create(client)
    assert response.status_code == 201
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match
    raw = match.group(1)
    row = db.session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert row.user_id == learner.id and row.name == "HR system" and row.scopes == "read"
    assert raw not in (row.prefix, row.name, row.scopes)
    assert raw.startswith(row.prefix)
    assert row.expires_at is not None
    # The list shows its beginning, never the whole token again.
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert raw not in listing
    assert row.prefix in listing
    assert "HR system" in listing


def test_created_token_works_with_the_api(client, learner):
    raw = TOKEN_RE.search(_create(client, scope="write").get_data(as_text=True)).group(1)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json["token"]["scopes"] == ["read", "write"]


def test_token_form_needs_a_name(client, learner, db):
    response = _create(client, name="")
    assert response.status_code == 400
    assert db.session.scalars(select(ApiToken)).all() == []


def test_token_form_refuses_an_unknown_scope(client, learner, db):
    assert _create(client, scope="admin").status_code == 400
    assert db.session.scalars(select(ApiToken)).all() == []


def test_token_that_never_expires(client, learner, db):
    assert _create(client, expires="0").status_code == 201
    assert db.session.scalars(select(ApiToken)).one().expires_at is None


def test_active_tokens_are_capped(client, learner, db):
    for i in range(services.MAX_ACTIVE_TOKENS):
        create_token(user=learner, name=f"t{i}")
    response = _create(client)
    assert response.status_code == 409
    assert len(db.session.scalars(select(ApiToken)).all()) == services.MAX_ACTIVE_TOKENS


def test_revoked_token_fails_at_once(client, learner, db):
    token, raw = create_token(user=learner)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")}
    )
    assert response.status_code == 302
    denied = client.get("/api/v1/me", headers=bearer(raw))
    assert denied.status_code == 401
    assert 'error="invalid_token"' in denied.headers["WWW-Authenticate"]
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)


def test_revoking_needs_csrf(client, learner):
    token, raw = create_token(user=learner)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_cannot_revoke_another_users_token(client, learner):
    other_token, raw = create_token(user=create_user())
    response = client.post(
        f"/account/tokens/{other_token.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")}
    )
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_other_users_tokens_are_not_listed(client, learner):
    create_token(user=create_user(), name="Someone else's")
    assert "Someone else" not in client.get("/account/tokens").get_data(as_text=True)


def test_token_names_are_escaped(client, learner):
    create_token(user=learner, name="<script>alert(1)</script>")
    html = client.get("/account/tokens").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_expired_token_fails(client, learner):
    _token, raw = create_token(user=learner, expired=True)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_token_of_a_deactivated_user_fails(client, db):
    user = create_user()
    _token, raw = create_token(user=user)
    user.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_last_used_is_noted_at_most_once_a_minute(app, db):
    user = create_user()
    _token, raw = create_token(user=user)
    start = utcnow()
    assert services.authenticate(raw, now=start).last_used_at == start
    db.session.commit()
    assert services.authenticate(raw, now=start + timedelta(seconds=30)).last_used_at == start
    later = start + timedelta(seconds=61)
    assert services.authenticate(raw, now=later).last_used_at == later


def test_api_request_notes_last_use(client, learner, db):
    token, raw = create_token(user=learner)
    assert token.last_used_at is None
    client.get("/api/v1/me", headers=bearer(raw))
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_token_format_has_prefix_and_check_code():
    raw = services.generate_token()
    assert raw.startswith("acd_") and len(raw) == 46
    assert services.is_well_formed(raw)
    typo = raw[:10] + ("A" if raw[10] != "A" else "B") + raw[11:]
    assert not services.is_well_formed(typo)
    assert not services.is_well_formed("acd_short")
    assert services.generate_token() != raw
