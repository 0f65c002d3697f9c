"""In-process failures are retried after growing waits, a call at a time, then left to the admin."""

from datetime import timedelta

from sqlalchemy import select

from academy import jobs
from academy.db import utcnow
from academy.jobs import JobFailure
from academy.retries import retry_due_failures
from tests.factories import create_user

CALLS: list[int] = []
BROKEN = {"on": True}


def flaky_job(user_id: int) -> None:
    """Fails while BROKEN is on (a mail server or a disk that is down), then works."""
    CALLS.append(user_id)
    if BROKEN["on"]:
        raise ConnectionError("the server is down")


def _failures(db) -> list[JobFailure]:
    return list(db.session.scalars(select(JobFailure).order_by(JobFailure.id)))


def test_a_failed_call_is_retried_after_each_interval_and_then_left_to_the_admin(app, db):
    app.config["JOB_RETRY_INTERVALS"] = [10, 60]
    CALLS.clear()
    BROKEN["on"] = True
    user = create_user()
    jobs.enqueue_after_commit(flaky_job, user.id)
    db.session.commit()
    jobs.run_ready()
    (first,) = _failures(db)
    start = first.failed_at

    assert retry_due_failures(now=start + timedelta(seconds=5)) == 0  # too early
    assert retry_due_failures(now=start + timedelta(seconds=11)) == 1
    jobs.run_ready()  # fails again: a second row
    assert len(_failures(db)) == 2 and len(CALLS) == 2
    second = _failures(db)[-1]
    assert retry_due_failures(now=second.failed_at + timedelta(seconds=30)) == 0  # the wait grows to 60 s
    assert retry_due_failures(now=second.failed_at + timedelta(seconds=61)) == 1
    jobs.run_ready()
    third = _failures(db)[-1]
    # Two intervals, two retries: the third failure waits for an admin on /admin/jobs.
    assert retry_due_failures(now=third.failed_at + timedelta(days=1)) == 0
    assert third.retried_at is None and len(CALLS) == 3


def test_a_retry_that_works_ends_the_story_without_doubling(app, db):
    app.config["JOB_RETRY_INTERVALS"] = [10]
    CALLS.clear()
    BROKEN["on"] = True
    user = create_user()
    jobs.enqueue_after_commit(flaky_job, user.id)
    db.session.commit()
    jobs.run_ready()
    BROKEN["on"] = False  # the server is back
    later = utcnow() + timedelta(seconds=11)
    assert retry_due_failures(now=later) == 1
    jobs.run_ready()
    assert CALLS == [user.id, user.id]
    assert retry_due_failures(now=later + timedelta(days=1)) == 0  # nothing left to do
    assert len(_failures(db)) == 1 and _failures(db)[0].retried_at is not None


def test_the_retry_task_runs_with_the_other_periodic_tasks(app):
    assert "jobs-retry-failures" in jobs.periodic_tasks()
    assert jobs.periodic_tasks()["jobs-retry-failures"].func_path == "academy.retries.retry_due_failures"


def test_with_redis_rq_retries_its_own_jobs_and_the_task_is_not_registered():
    from academy import create_app

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "JOBS_INLINE": False})
    with app.app_context():
        assert "jobs-retry-failures" not in jobs.periodic_tasks()
