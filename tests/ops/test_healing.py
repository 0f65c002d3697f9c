"""The worker heals: Redis killed and brought back (empty), its scheduler child killed; mail still goes out.

A private redis-server on a port of its own is killed and restarted under a running `flask academy
worker`; no step by hand follows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from rq.registry import ScheduledJobRegistry

from academy import jobs
from academy.auth import jobs as auth_jobs
from academy.extensions import db
from tests import services as test_services
from tests.ops.redis_server import wait as _wait
from tests.ops.stack import allow_connections, children

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.once  # independent of the test database: one pass of `dev test` is enough


def _mails(folder: Path, email: str) -> list[Path]:
    return [p for p in folder.glob("*.eml") if f"To: {email}" in p.read_text(errors="replace")]


def test_the_worker_outlives_redis_and_its_scheduler(make_app, redis_server, tmp_path):
    app = make_app(REDIS_URL=redis_server.url, JOBS_INLINE=False)
    with app.app_context():
        upgrade()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_server.url,
        "ACADEMY_INSTANCE_PATH": app.instance_path,
        "MAIL_DIR": str(app.config["MAIL_DIR"]),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "academy", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    mail_dir = Path(app.config["MAIL_DIR"])

    def send(email: str) -> None:
        with app.app_context():
            jobs.enqueue_after_commit(auth_jobs.send_registration_link, email, "token-" + email.split("@")[0])
            db.session.commit()

    def scheduler_pid() -> int | None:
        """The worker's scheduler: its one child process between jobs (the lock names the worker itself)."""
        kids = children(worker.pid)
        return kids[0] if len(kids) == 1 else None

    try:
        send("before@example.eu")
        _wait(lambda: _mails(mail_dir, "before@example.eu"), 120, "the first e-mail")
        first_scheduler = _wait(scheduler_pid, 60, "the scheduler lock")

        redis_server.kill()  # Redis goes away, and comes back empty
        time.sleep(8)
        assert worker.poll() is None, log.read_text()
        redis_server.start()
        send("after@example.eu")
        _wait(lambda: _mails(mail_dir, "after@example.eu"), 120, "the e-mail queued after Redis came back")
        # The periodic sweep is scheduled again in the emptied Redis, so stuck deliveries get repaired.
        with app.app_context():
            registry = ScheduledJobRegistry(queue=jobs.rq_queue(jobs.QUEUE_NOTIFICATIONS))
            _wait(lambda: any("notifications-sweep" in i for i in registry.get_job_ids()), 120, "the sweep")

        second_scheduler = _wait(scheduler_pid, 120, "a scheduler after Redis came back")
        assert second_scheduler != first_scheduler  # the first one died with Redis and was replaced
        os.kill(second_scheduler, signal.SIGKILL)
        third = _wait(lambda: (pid := scheduler_pid()) and pid != second_scheduler and pid, 180, "a new scheduler")
        assert third and worker.poll() is None
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


@pytest.fixture
def private_postgres() -> Iterator[str]:
    """A PostgreSQL database of its own, which the test may close to connections."""
    base = test_services.postgres_base_url()
    if not base:
        test_services.skip_or_fail("PostgreSQL is not configured (ACADEMY_TEST_DATABASE_URL)")
    url = test_services.create_postgres_database(base, "heal")
    yield url
    allow_connections(url, True)
    test_services.drop_postgres_database(url)


def test_mail_queued_while_the_database_refuses_connections_is_delivered_once_it_is_back(
    make_app, redis_server, private_postgres, tmp_path
):
    from tests.factories import create_user
    from tests.notifications.factories import record_event

    app = make_app(
        SQLALCHEMY_DATABASE_URI=private_postgres,
        REDIS_URL=redis_server.url,
        JOBS_INLINE=False,
        JOB_RETRY_INTERVALS=[5, 10, 20, 40],
    )
    emails = [f"peer{n}@example.eu" for n in range(3)]
    with app.app_context():
        upgrade()
        record_event(recipients=[create_user(email=email) for email in emails])  # three deliveries queued
        db.session.remove()
        db.engine.dispose()
    allow_connections(private_postgres, False)  # the database refuses connections before any job runs
    env = {
        **os.environ,
        "DATABASE_URL": private_postgres,
        "REDIS_URL": redis_server.url,
        "ACADEMY_INSTANCE_PATH": app.instance_path,
        "MAIL_DIR": str(app.config["MAIL_DIR"]),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "academy", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    mail_dir = Path(app.config["MAIL_DIR"])
    try:
        _wait(lambda: "OperationalError" in log.read_text(), 120, "a job to meet the closed database")
        assert not any(_mails(mail_dir, email) for email in emails)
        allow_connections(private_postgres, True)
        _wait(lambda: all(_mails(mail_dir, email) for email in emails), 180, "every e-mail")
        time.sleep(3)
        assert [len(_mails(mail_dir, email)) for email in emails] == [1, 1, 1], log.read_text()[-3000:]
        assert worker.poll() is None
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
