"""Smaller leaks: tokens outliving a password, account e-mails without a limit, a remember-me cookie left behind."""

from __future__ import annotations

from academy.api.models import ApiToken
from academy.auth import services as auth_services
from tests.api.factories import bearer, create_token
from tests.conftest import csrf_token, read_mail
from tests.factories import DEFAULT_PASSWORD, create_user

NEW_PASSWORD = "a completely new passphrase 2027"


def test_changing_the_password_revokes_api_tokens_and_says_so(client, login, db):
    user = create_user()
    _token, raw = create_token(user=user)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    login(user)
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "API token was revoked because the password changed" in response.get_data(as_text=True)
    assert db.session.query(ApiToken).filter(ApiToken.revoked_at.is_(None)).count() == 0
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_password_reset_revokes_api_tokens(client, db):
    user = create_user()
    _token, raw = create_token(user=user)
    create_token(user=user, name="Second")
    notices = auth_services.reset_password(user, NEW_PASSWORD)
    db.session.commit()
    assert notices and "2 API tokens were revoked" in notices[0]
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_password_change_without_tokens_says_nothing_about_them(db):
    user = create_user()
    assert auth_services.change_password(user, current_password=DEFAULT_PASSWORD, new_password=NEW_PASSWORD) == []


def _register(client, email: str):
    data = {
        "name": "Mira Kovač",
        "email": email,
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token(client, "/register"),
    }
    return client.post("/register", data=data)


def test_registration_mails_are_throttled_per_recipient(app, client, db):
    app.config["REGISTRATION_MAIL_LIMIT"] = "3 per hour"
    pages = [_register(client, "victim@example.org") for _ in range(6)]
    assert all(page.status_code == 200 for page in pages)
    assert len({page.get_data(as_text=True) for page in pages}) == 1  # the same answer every time
    assert len([m for m in read_mail(app) if "To: victim@example.org" in m]) == 3
    _register(client, "someone.else@example.org")
    assert any("To: someone.else@example.org" in m for m in read_mail(app))


def test_account_exists_mails_are_throttled_too(app, client, db):
    app.config["REGISTRATION_MAIL_LIMIT"] = "2 per hour"
    create_user(email="owner@example.org")
    for _ in range(5):
        _register(client, "owner@example.org")
    assert len([m for m in read_mail(app) if "To: owner@example.org" in m]) == 2


def _cookie(client, name: str):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_logout_clears_the_remember_me_cookie(client, db):
    create_user(email="anna@example.org")
    data = {
        "email": "anna@example.org",
        "password": DEFAULT_PASSWORD,
        "remember": "y",
        "csrf_token": csrf_token(client, "/login"),
    }
    client.post("/login", data=data)
    assert _cookie(client, "remember_token")
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    assert any(h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie"))
    assert _cookie(client, "remember_token") is None
