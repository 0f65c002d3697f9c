"""Rate limits on every door a guesser would use, and what happens when their Redis store is away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

import config
from academy import create_app
from academy.extensions import db as _db
from tests.factories import create_user

FORM = {"email": "someone@example.org", "password": "wrong", "name": "Someone", "password_confirm": "wrong"}


def _limited_app(tmp_path, **overrides) -> Iterator[Flask]:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "MAIL_DIR": tmp_path / "mail",
            "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": False,
            **overrides,
        }
    )
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()


@pytest.fixture
def limited_app(tmp_path) -> Iterator[Flask]:
    yield from _limited_app(tmp_path)


@pytest.mark.parametrize("path", ["/login", "/register", "/forgot-password", "/reset-password/not-a-token"])
def test_auth_forms_are_limited_per_address(limited_app, path):
    client = limited_app.test_client()
    statuses = [client.post(path, data=FORM).status_code for _ in range(11)]
    assert 429 not in statuses[:10], statuses
    assert statuses[10] == 429
    # Another address still gets in.
    other = client.post(path, data=FORM, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code != 429


def test_the_forgot_password_answer_does_not_tell_whether_the_address_is_registered(limited_app):
    create_user(email="known@example.org")
    client = limited_app.test_client()
    known = client.post("/forgot-password", data={"email": "known@example.org"})
    unknown = client.post("/forgot-password", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200

    def _strip(html: str, email: str) -> str:
        return html.replace(email, "EMAIL")

    assert _strip(known.get_data(as_text=True), "known@example.org") == _strip(
        unknown.get_data(as_text=True), "unknown@example.org"
    )


def test_limits_are_kept_in_redis_when_redis_is_configured(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert config.DevelopmentConfig().RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/0"
    monkeypatch.delenv("REDIS_URL")
    assert config.DevelopmentConfig().RATELIMIT_STORAGE_URI == "memory://"


def test_logging_in_still_works_when_the_limit_store_is_down(tmp_path):
    # Nothing listens on port 1: every call to the limiter's storage fails at once.
    for app in _limited_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"):
        user = create_user(email="dora@example.org")
        client = app.test_client()
        assert client.get("/login").status_code == 200
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery staple"})
        assert response.status_code == 302
        # The process falls back to limits kept in memory rather than letting guessing run free.
        statuses = [client.post("/login", data=FORM).status_code for _ in range(12)]
        assert 429 in statuses
