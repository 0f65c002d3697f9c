"""Rate limits per token and per address, with the budget in the headers and 429 as problem+json."""

from __future__ import annotations

import pytest

from academy import create_app
from academy.extensions import db as _db
from tests.api.factories import bearer, create_token
from tests.factories import create_user


@pytest.fixture
def limited_app(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "RATELIMIT_ENABLED": True,
            "API_RATELIMIT_PER_TOKEN": "3 per minute",
            "API_RATELIMIT_PER_IP": "5 per minute",
        }
    )
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()


def _client(app, ip: str = "192.0.2.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_responses_tell_the_budget(limited_app):
    _token, raw = create_token(user=create_user())
    response = _client(limited_app).get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] in ("3", "5")
    assert int(response.headers["X-RateLimit-Remaining"]) >= 0
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_a_token_over_its_budget_gets_429_problem(limited_app):
    _token, raw = create_token(user=create_user())
    client = _client(limited_app)
    statuses = [client.get("/api/v1/me", headers=bearer(raw)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/v1/courses", headers=bearer(raw))  # the budget covers every endpoint
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/api/docs#problem-rate-limited"
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["X-RateLimit-Limit"] == "3"


def test_each_token_has_its_own_budget(limited_app):
    user = create_user()
    _t, first = create_token(user=user, name="one")
    _t, second = create_token(user=user, name="two")
    a, b = _client(limited_app, "192.0.2.1"), _client(limited_app, "192.0.2.2")
    for _ in range(3):
        a.get("/api/v1/me", headers=bearer(first))
    assert a.get("/api/v1/me", headers=bearer(first)).status_code == 429
    assert b.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_a_token_keeps_its_budget_across_addresses(limited_app):
    _token, raw = create_token(user=create_user())
    for i in range(3):
        assert _client(limited_app, f"192.0.2.{i + 10}").get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert _client(limited_app, "192.0.2.99").get("/api/v1/me", headers=bearer(raw)).status_code == 429


def test_an_address_has_a_budget_without_a_token(limited_app):
    client = _client(limited_app, "198.51.100.7")
    statuses = [client.get("/api/v1/courses").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert _client(limited_app, "198.51.100.8").get("/api/v1/courses").status_code == 200


def test_guessing_tokens_is_limited_by_address(limited_app):
    client = _client(limited_app, "203.0.113.5")
    statuses = [client.get("/api/v1/me", headers=bearer(f"acd_{i:042d}")).status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


@pytest.mark.redis
def test_budget_is_shared_through_redis_across_processes(tmp_path):
    # Two app instances stand for two worker processes: the second sees the first one's hits.
    import hashlib
    import secrets

    import redis

    from tests import services as test_services

    url = test_services.redis_url()
    if url is None:
        test_services.skip_or_fail("Redis is not reachable")
    ip = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"

    def make_app():
        return create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.sqlite'}",
                "INSTANCE_PATH": tmp_path,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": url,
                "API_RATELIMIT_PER_TOKEN": "3 per minute",
            }
        )

    first = make_app()
    with first.app_context():
        _db.create_all()
        _token, raw = create_token(user=create_user())
        _db.session.remove()
    try:
        with first.app_context():
            for _ in range(3):
                assert _client(first, ip).get("/api/v1/me", headers=bearer(raw)).status_code == 200
        second = make_app()
        with second.app_context():
            assert _client(second, ip).get("/api/v1/me", headers=bearer(raw)).status_code == 429
            _db.session.remove()
    finally:
        client = redis.Redis.from_url(url)
        token_key = hashlib.sha256(raw.encode()).hexdigest()[:32]
        for pattern in (f"*{token_key}*", f"*/{ip}/*"):
            for key in client.scan_iter(pattern):
                client.delete(key)
