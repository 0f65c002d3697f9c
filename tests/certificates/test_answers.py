"""Verification answers prepared ahead: the same bytes as a rendered answer, one read, never out of date."""

from __future__ import annotations

import time
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, func, select, update

from academy import jobs
from academy.certificates import answers
from academy.certificates import services as certificate_services
from academy.certificates.models import Certificate, VerificationAnswer
from academy.credentials import keys as credential_keys
from academy.db import utcnow
from tests.certificates.factories import create_certificate
from tests.certificates.test_verify import _unknown_code
from tests.core.test_public_cache import anonymous_get, statements


@pytest.fixture
def prepared(app):
    """The app with the page cache and prepared answers on, as in production."""
    app.config["PUBLIC_CACHE_SECONDS"] = 60
    app.config["VERIFY_ANSWERS"] = True
    return app


def _issue(**kwargs) -> tuple[Certificate, str]:
    certificate = create_certificate(**kwargs)
    jobs.run_ready()
    return certificate, certificate_services.stored_code(certificate)


def _first_look(app, db, path: str):
    """An anonymous request no page cache has seen, and the statements it ran."""
    from academy.core import public_cache

    public_cache.layer(app).store.entries.clear()  # a verifier's first look: nothing kept in this process
    seen: list[str] = []
    note = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    own = answers._engine(app)  # on PostgreSQL a small pool of its own
    if own.pool is not db.engine.pool:
        event.listen(own, "before_cursor_execute", note)
    try:
        with statements(db) as app_statements:
            response = anonymous_get(app, path)
    finally:
        if own.pool is not db.engine.pool:
            event.remove(own, "before_cursor_execute", note)
    return response, app_statements + seen


def _rendered(app, path: str):
    """The same request answered by the app itself, every cache off."""
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    try:
        return anonymous_get(app, path)
    finally:
        app.config["PUBLIC_CACHE_SECONDS"] = 60


def test_a_first_look_is_one_read_and_the_same_bytes_as_a_rendered_answer(prepared, db):
    _certificate, code = _issue(name="Ilse Vermeulen")
    for path in (f"/verify/{code}", f"/verify/{code}.json"):
        response, seen = _first_look(prepared, db, path)
        assert response.status_code == 200
        assert len(seen) == 1 and "verification_answers" in seen[0], seen
        rendered = _rendered(prepared, path)
        assert response.data == rendered.data
        assert code in response.text and "Ilse Vermeulen" in response.text
        for header in ("Content-Type", "Cache-Control", "X-Robots-Tag", "Referrer-Policy", "Content-Security-Policy"):
            assert response.headers.get(header) == rendered.headers.get(header), header
        assert response.headers["Cache-Control"] == "no-store"
        again = anonymous_get(prepared, path, **{"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


def test_the_database_keeps_no_code_in_an_answer(prepared, db):
    certificate, code = _issue()
    query = select(VerificationAnswer.body).where(VerificationAnswer.certificate_id == certificate.id)
    bodies = db.session.scalars(query)
    texts = [zlib.decompress(body).decode() for body in bodies]
    assert len(texts) == 2 * len(prepared.config["LANGUAGES"])
    assert all(code not in text and answers.SENTINEL in text for text in texts)


def _served_prepared(app, db, path: str) -> str:
    response, seen = _first_look(app, db, path)
    assert len(seen) == 1, f"{path} was rendered, not read: {seen}"
    return response.text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: certificate_services.revoke(c, actor=None, reason="misconduct", note="Copied answers"), "revoked"),
        (lambda c: certificate_services.suspend(c, actor=None), "suspended"),
        (lambda c: certificate_services.set_details_hidden(c, actor=c.user, hidden=True), "valid"),
    ],
    ids=["revoke", "suspend", "hide details"],
)
def test_every_change_shows_on_the_next_request_before_and_after_the_job(prepared, db, change, expected):
    certificate, code = _issue(name="Tomasz Nowak")
    assert "Tomasz Nowak" in _served_prepared(prepared, db, f"/verify/{code}.json")
    change(certificate)
    db.session.commit()  # the job that prepares the new answers has not run yet
    response, seen = _first_look(prepared, db, f"/verify/{code}.json")
    assert response.json["state"] == expected
    assert len(seen) > 1  # the stale answer was passed over and the app rendered the new one
    hidden = response.json.get("details_hidden") is True
    jobs.run_ready()
    answer = _served_prepared(prepared, db, f"/verify/{code}.json")
    assert f'"state":"{expected}"' in answer.replace(": ", ":")
    assert ("Tomasz Nowak" not in answer) == hidden


def test_a_lifted_suspension_and_a_reissue_show_at_once(prepared, db):
    certificate, code = _issue(name="Ana Ferreira")
    certificate_services.suspend(certificate, actor=None)
    db.session.commit()
    jobs.run_ready()
    assert '"suspended"' in _served_prepared(prepared, db, f"/verify/{code}.json")
    certificate_services.lift_suspension(certificate, actor=None)
    db.session.commit()
    assert anonymous_get(prepared, f"/verify/{code}.json").json["state"] == "valid"
    replacement = certificate_services.reissue(certificate, actor=None, holder_name="Ana Ferreira Santos")
    db.session.commit()
    jobs.run_ready()
    new_code = certificate_services.stored_code(replacement)
    page = _served_prepared(prepared, db, f"/verify/{code}")
    assert "Superseded" in page and f"/verify/{new_code}" in page
    assert "Ana Ferreira Santos" in _served_prepared(prepared, db, f"/verify/{new_code}")


def test_a_core_update_passes_the_answer_over(prepared, db):
    certificate, code = _issue()
    db.session.execute(update(Certificate).where(Certificate.id == certificate.id).values(status="revoked"))
    db.session.commit()
    assert anonymous_get(prepared, f"/verify/{code}.json").json["state"] == "revoked"


def test_an_answer_is_not_served_past_the_expiry_it_was_rendered_for(prepared, db, monkeypatch):
    certificate, code = _issue()
    certificate.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    jobs.run_ready()
    assert '"valid"' in _served_prepared(prepared, db, f"/verify/{code}.json")
    later = time.time() + 2 * 86400
    monkeypatch.setattr(answers.time, "time", lambda: later)
    assert answers.lookup(prepared, {}, "certificates.verify_json", {"code": code}, "en") is None
    monkeypatch.setattr(answers.time, "time", lambda: later - 1.5 * 86400)  # half a day before the expiry
    assert answers.lookup(prepared, {}, "certificates.verify_json", {"code": code}, "en") is not None


def test_a_key_rotation_or_a_new_build_passes_every_answer_over(prepared, db):
    _certificate, code = _issue()
    assert _served_prepared(prepared, db, f"/verify/{code}.json")
    credential_keys.create_key("ES256")
    db.session.commit()
    response, seen = _first_look(prepared, db, f"/verify/{code}.json")
    assert response.status_code == 200 and len(seen) > 1
    jobs.run_ready()  # nothing about the certificate changed: only the command renews them
    result = prepared.test_cli_runner().invoke(args=["academy", "certificates", "prepare-answers"])
    assert result.exit_code == 0, result.output
    assert "prepared 2 answers of 1 certificates" in result.output
    assert _served_prepared(prepared, db, f"/verify/{code}.json")
    prepared.extensions["academy_answers_build"] = "another build"
    _response, seen = _first_look(prepared, db, f"/verify/{code}.json")
    assert len(seen) > 1


def test_mistyped_codes_and_unknown_codes_are_left_to_the_app(prepared, db):
    _certificate, code = _issue()
    response = anonymous_get(prepared, f"/verify/{code.lower()}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{code}")
    unknown = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert anonymous_get(prepared, f"/verify/{unknown}").status_code == 404
    assert anonymous_get(prepared, f"/verify/{code}", Accept="application/json").json["state"] == "valid"


def test_signed_in_visitors_get_the_app(prepared, db, client, login):
    certificate, code = _issue()
    login(certificate.user)
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    assert certificate.user.name in page.text


def test_preparing_many_answers_is_not_held_back_by_the_verification_rate_limit(tmp_path):
    from academy import create_app
    from academy.extensions import db as _db

    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "RATELIMIT_ENABLED": True,
            "CERTIFICATE_VERIFY_RATE_LIMIT": "2 per minute",
            "PUBLIC_CACHE_SECONDS": 60,
            "VERIFY_ANSWERS": True,
        }
    )
    with app.app_context():
        _db.create_all()
        issued = [create_certificate() for _ in range(3)]
        jobs.run_ready()
        kept = _db.session.scalar(select(func.count()).select_from(VerificationAnswer))
        assert kept == 2 * len(issued)
        statuses = {app.test_client().get(f"/verify/{_unknown_code()}").status_code for _ in range(3)}
        assert 429 in statuses  # guessing still meets the limit
        _db.session.remove()


def test_an_answer_store_that_cannot_be_reached_leaves_the_answer_to_the_app(prepared, db, monkeypatch):
    _certificate, code = _issue(name="Ilse Vermeulen")
    unreachable = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", pool_pre_ping=False)
    monkeypatch.setitem(prepared.extensions, "academy_answers_engine", unreachable)
    response, seen = _first_look(prepared, db, f"/verify/{code}.json")
    assert response.status_code == 200 and "Ilse Vermeulen" in response.text
    assert not any("verification_answers" in statement for statement in seen)  # rendered by the app
