"""Concurrent submissions of one attempt grade it exactly once (threads, SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from flask import Flask

from academy import create_app
from academy.extensions import db
from academy.quizzes import grading
from academy.quizzes.models import Attempt, AttemptState
from academy.quizzes.services import attempts as services
from tests import services as test_services
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
THREADS = 6
# PostgreSQL runs whenever a server is configured (or CI demands it: then a missing one fails).
WITH_POSTGRES = bool(test_services.postgres_base_url()) or test_services.services_required()
BACKENDS = ["sqlite-file"] + (["postgresql"] if WITH_POSTGRES else [])


def _own_app(url: str, tmp_path) -> Flask:
    return create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp_path, "MAIL_DIR": tmp_path / "m"}
    )


@pytest.fixture(params=BACKENDS)
def race_app(request, app: Flask, tmp_path):
    """An app whose database has real concurrent connections (in-memory SQLite has only one)."""
    if request.param == "postgresql" and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        yield app
        return
    pg_url = None
    if request.param == "postgresql":
        base = test_services.postgres_base_url()
        if base is None:
            pytest.fail("ACADEMY_REQUIRE_SERVICES is set but no PostgreSQL server is configured")
        pg_url = test_services.create_postgres_database(base, "race")
    own = _own_app(pg_url or f"sqlite:///{tmp_path / 'race.sqlite'}", tmp_path)
    with own.app_context():
        db.create_all()
        yield own
        db.session.remove()
        db.engine.dispose()
    if pg_url:
        test_services.drop_postgres_database(pg_url)


def _race(app: Flask, attempt_id: int, action) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        with app.app_context():
            try:
                attempt = services.get_attempt(db.session.get(Attempt, attempt_id).quiz, attempt_id)
                barrier.wait(timeout=10)
                outcome = action(attempt, index)
                db.session.commit()
            except Exception as exc:  # collected and asserted on below
                db.session.rollback()
                outcome = exc
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _prepare() -> int:
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course), create_question(course, type="truefalse")])
    attempt = services.start_attempt(quiz, create_learner(course), now=T0)
    services.save_answers(attempt, {1: 0, 2: True}, now=T0)
    db.session.commit()
    return attempt.id


def test_concurrent_submissions_grade_once(race_app, monkeypatch):
    calls: list[int] = []
    real_grade = grading.grade

    def counting_grade(*args, **kwargs):
        calls.append(1)
        return real_grade(*args, **kwargs)

    monkeypatch.setattr(grading, "grade", counting_grade)
    attempt_id = _prepare()
    results = _race(race_app, attempt_id, lambda attempt, _i: services.submit_attempt(attempt, now=T0))
    assert len(results) == THREADS
    assert [r for r in results if isinstance(r, Exception)] == []
    assert results.count(True) == 1  # one request graded it...
    assert len(calls) == 2  # ...grading each of its two questions once
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.state == AttemptState.GRADED
    assert attempt.score == 2.0


def test_saves_racing_a_submission_never_change_a_graded_attempt(race_app):
    attempt_id = _prepare()

    def save_or_submit(attempt, index):
        if index % 2:
            return services.submit_attempt(attempt, now=T0)
        try:
            services.save_answers(attempt, {1: 1, 2: False}, now=T0)
        except services.Conflict:
            return "refused"
        return "saved"

    results = _race(race_app, attempt_id, save_or_submit)
    assert [r for r in results if isinstance(r, Exception)] == []
    db.session.expire_all()
    attempt = services.get_attempt(db.session.get(Attempt, attempt_id).quiz, attempt_id)
    # Whatever the interleaving, the stored score is the grade of the answers stored.
    expected = sum(grading.grade(r.version.type, r.version.data, r.answer).fraction for r in attempt.responses)
    assert attempt.state == AttemptState.GRADED
    assert attempt.score == expected
