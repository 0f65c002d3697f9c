"""`flask academy notifications ...` and the periodic tasks of the embedded mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from academy import jobs
from academy.db import utcnow
from academy.extensions import db
from academy.notifications import preferences
from academy.notifications.models import Delivery, Mode
from tests.factories import create_user
from tests.notifications.conftest import mail_files
from tests.notifications.factories import record_event


def _strand_one() -> None:
    record_event(recipients=[create_user()])
    db.session.info.pop("academy_jobs_ready")  # the process died before running the job
    db.session.execute(db.update(Delivery).values(queued_at=utcnow() - timedelta(hours=1)))
    db.session.commit()


def test_the_sweep_command_delivers_what_was_stranded(app):
    _strand_one()
    result = app.test_cli_runner().invoke(args=["academy", "notifications", "sweep"])
    assert result.exit_code == 0, result.output
    assert "requeued 1 deliveries" in result.output
    assert len(mail_files(app)) == 1


def test_the_sweep_threshold_can_be_given(app):
    record_event(recipients=[create_user()])
    db.session.info.pop("academy_jobs_ready")
    runner = app.test_cli_runner()
    assert "requeued 0 deliveries" in runner.invoke(args=["academy", "notifications", "sweep"]).output
    result = runner.invoke(args=["academy", "notifications", "sweep", "--older-than", "0"])
    assert "requeued 1 deliveries" in result.output


def test_the_digest_command_sends_due_digests(app):
    ana = create_user()
    preferences.set_preference(ana, "mention", Mode.DAILY)
    db.session.commit()
    record_event(recipients=[ana])
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    db.session.execute(db.update(Delivery).values(created_at=two_days_ago))
    db.session.commit()
    runner = app.test_cli_runner()
    assert "Queued 1 digest(s)." in runner.invoke(args=["academy", "notifications", "digests"]).output
    assert "Queued 0 digest(s)." in runner.invoke(args=["academy", "notifications", "digests"]).output
    assert len(mail_files(app)) == 1


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["academy", "worker"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_embedded_mode_runs_periodic_tasks_after_requests(app, client):
    app.config["JOBS_PERIODIC_INLINE"] = True
    _strand_one()
    client.get("/")  # the first request runs the sweep
    assert len(mail_files(app)) == 1
    _strand_one()
    client.get("/")  # the next one, moments later, does not: the interval has not passed
    assert len(mail_files(app)) == 1
    ran = set(jobs.run_due_periodic(force=True))
    assert ran == {"notifications-sweep", "notifications-digests", "jobs-retry-failures"}
    assert len(mail_files(app)) == 2
    assert {d.status for d in db.session.scalars(select(Delivery))} == {"sent"}
