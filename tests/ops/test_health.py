"""Liveness and readiness probes: 200 when ready, 503 with a short reason when not."""

from __future__ import annotations

from academy.extensions import db


def test_healthz_answers_even_without_a_database(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_database_with_a_signing_key(migrated_app):
    response = migrated_app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "redis": "ok",
        "signing_key": "ok",
    }


def test_readyz_is_503_when_the_database_is_down(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["reason"].startswith("database: OperationalError")
    assert body["checks"]["signing_key"] == "ok"


def test_readyz_is_503_when_migrations_are_behind(make_app):
    app = make_app()
    with app.app_context():
        db.create_all()  # the tables, but no migration stamp: `flask db upgrade` was never run
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "migrations: database at no revision, code at" in response.get_json()["reason"]


def test_readyz_is_503_when_redis_is_configured_but_away(migrated_app):
    migrated_app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    body = migrated_app.test_client().get("/readyz").get_json()
    assert body["checks"]["redis"].startswith("ConnectionError")
    assert body["status"] == "unavailable"


def test_readyz_is_503_when_the_signing_key_does_not_load(migrated_app, tmp_path):
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    migrated_app.config.update(
        CERTIFICATE_SIGNING_KEY=str(broken),
        CERTIFICATE_SIGNING_CERT=str(broken),
        CERTIFICATE_TRUST_ROOTS=str(broken),
    )
    response = migrated_app.test_client().get("/readyz")
    assert response.status_code == 503 and "signing_key" in response.get_json()["reason"]
