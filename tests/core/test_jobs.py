"""Work is queued only after the commit, and runs in-process without Redis."""

from academy import jobs
from academy.auth.models import User
from tests.factories import create_user

RAN: list[tuple] = []


def record_job(user_id: int, note: str = "") -> None:
    """A job that records what it saw in the database."""
    from academy.extensions import db

    user = db.session.get(User, user_id)
    RAN.append((user_id, user.name if user else None, note))


def failing_job(user_id: int) -> None:
    raise RuntimeError("boom")


def test_job_runs_after_commit_and_sees_the_committed_data(app, db):
    RAN.clear()
    user = create_user(name="Before")
    user.name = "Committed"
    jobs.enqueue_after_commit(record_job, user.id, note="x")
    assert RAN == []
    db.session.commit()
    assert RAN == []  # not inside the commit hook
    assert jobs.run_ready() == 1
    assert RAN == [(user.id, "Committed", "x")]


def test_rollback_drops_queued_jobs(app, db):
    RAN.clear()
    user = create_user()
    jobs.enqueue_after_commit(record_job, user.id)
    db.session.rollback()
    db.session.commit()
    assert jobs.run_ready() == 0
    assert RAN == []


def test_a_failing_job_does_not_stop_the_next(app, db, caplog):
    RAN.clear()
    user = create_user()
    jobs.enqueue_after_commit(failing_job, user.id)
    jobs.enqueue_after_commit(record_job, user.id)
    db.session.commit()
    assert jobs.run_ready() == 1
    assert len(RAN) == 1
    assert "failing_job" in caplog.text


def test_unknown_queue_is_refused(app):
    import pytest

    with pytest.raises(ValueError):
        jobs.enqueue_after_commit(record_job, 1, queue="nope")


def test_request_jobs_run_after_the_response(app, client):
    from tests.conftest import csrf_token, read_mail

    create_user(email="mira@example.org")
    client.post(
        "/forgot-password", data={"email": "mira@example.org", "csrf_token": csrf_token(client, "/forgot-password")}
    )
    assert len(read_mail(app)) == 1
