"""Jobs committed while Redis is away are delivered once it is back, exactly once; stale scheduler locks are taken over.

A private redis-server is killed before a registration, so the web process cannot queue its
confirmation e-mail; the outbox row committed with the registration is queued by the worker's relay
once Redis answers again, and a second enqueue of the same job sends nothing more.
"""

from __future__ import annotations

import re
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import select

from academy import jobs, outbox
from academy.db import utcnow
from academy.extensions import db
from academy.ops.scheduler import LOCK_TTL, HealingScheduler, holder_value
from academy.ops.worker import healing_worker_class
from tests.ops.redis_server import PrivateRedis

pytestmark = pytest.mark.once  # independent of the test database: one pass of `dev test` is enough


def _app(make_app, redis_server: PrivateRedis) -> Flask:
    app = make_app(REDIS_URL=redis_server.url, JOBS_INLINE=False, RATELIMIT_ENABLED=False, JOB_RETRY_INTERVALS=[])
    with app.app_context():
        upgrade()
    return app


def _register(app: Flask, email: str) -> None:
    """Register through the form, as a person would."""
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "name": "Outbox Tester",
        "email": email,
        "organisation": "Joint Secretariat",
        "country": "",
        "password": "a long passphrase for the outbox",
        "confirm": "a long passphrase for the outbox",
    }
    response = client.post("/register", data=form)
    assert response.status_code == 200 and email in response.get_data(as_text=True)


def _mails(app: Flask, email: str) -> list[Path]:
    return [p for p in Path(app.config["MAIL_DIR"]).glob("*.eml") if f"To: {email}" in p.read_text(errors="replace")]


def _work(app: Flask) -> None:
    """One burst of the healing worker over every queue (what `flask academy worker` runs)."""
    worker = jobs.make_worker(app, worker_class=healing_worker_class(app))
    with app.app_context():
        worker.work(burst=True)


def test_a_registration_made_while_redis_is_down_is_mailed_once_redis_is_back(make_app, redis_server):
    app = _app(make_app, redis_server)
    redis_server.kill()
    _register(app, "offline@example.eu")  # the page answers; the e-mail waits in the outbox
    with app.app_context():
        rows = db.session.scalars(select(outbox.JobOutbox)).all()
        assert [row.func_path for row in rows] == ["academy.auth.jobs.send_registration_link"]
    assert _mails(app, "offline@example.eu") == []
    assert "academy_jobs_outbox_waiting 1.0" in app.test_client().get("/metrics").get_data(as_text=True)

    redis_server.start()  # back, and empty
    later = utcnow() + timedelta(minutes=1)
    with app.app_context():
        assert outbox.relay(now=later) == 1
        assert outbox.relay(now=later) == 0  # the job is on the queue now: not queued twice
    _work(app)
    assert len(_mails(app, "offline@example.eu")) == 1
    with app.app_context():
        assert outbox.pending_count() == 0
        assert outbox.relay(now=later) == 0


def test_a_job_delivered_twice_runs_once(make_app, redis_server):
    app = _app(make_app, redis_server)
    _register(app, "twice@example.eu")
    with app.app_context():
        (row,) = db.session.scalars(select(outbox.JobOutbox)).all()
        job = jobs.QueuedJob(row.queue, row.func_path, tuple(row.args), dict(row.kwargs), outbox_id=row.id)
        assert jobs._enqueue_rq(job)  # Redis hands the same job out again (a relay racing the web process)
        jobs.rq_queue(row.queue).connection.rpush(f"rq:queue:{row.queue}", outbox.job_id(row.id))
    _work(app)
    assert len(_mails(app, "twice@example.eu")) == 1


def test_a_job_whose_worker_died_mid_run_is_run_again_by_the_relay(make_app, redis_server):
    app = _app(make_app, redis_server)
    _register(app, "orphan@example.eu")
    with app.app_context():
        (row,) = db.session.scalars(select(outbox.JobOutbox)).all()
        row.claimed_at = utcnow() - timedelta(hours=1)  # claimed by a work horse that was killed
        db.session.commit()
        Redis.from_url(redis_server.url).flushdb()  # and Redis restarted without its data
        assert outbox.relay(now=utcnow() + timedelta(minutes=1)) == 1
    _work(app)
    assert len(_mails(app, "orphan@example.eu")) == 1


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_scheduler_lock_left_by_a_dead_process_is_taken_over_at_once(redis_server):
    connection = Redis.from_url(redis_server.url)
    key = HealingScheduler.get_locking_key("default")
    # A lock that RQ would keep for an hour: its holder on this host has died.
    connection.set(key, holder_value(_dead_pid()), ex=3600)
    scheduler = HealingScheduler(["default"], connection=connection)
    assert scheduler.acquire_locks() == {"default"}
    assert connection.get(key).decode() == holder_value()
    assert 0 < connection.ttl(key) <= LOCK_TTL


def test_a_scheduler_lock_of_a_live_process_or_another_host_is_left_alone(redis_server):
    import os

    connection = Redis.from_url(redis_server.url)
    key = HealingScheduler.get_locking_key("default")
    for holder in (holder_value(os.getppid()), f"not-{socket.gethostname()}:1"):
        connection.set(key, holder, ex=3600)
        assert HealingScheduler(["default"], connection=connection).acquire_locks() == set()
        assert connection.get(key).decode() == holder


def test_the_scheduler_heartbeat_puts_back_a_lock_that_redis_lost(redis_server):
    connection = Redis.from_url(redis_server.url)
    key = HealingScheduler.get_locking_key("default")
    scheduler = HealingScheduler(["default"], connection=connection)
    assert scheduler.acquire_locks() == {"default"}
    connection.flushdb()  # Redis restarted without its data while the scheduler ran on
    scheduler.heartbeat()
    assert connection.get(key).decode() == holder_value()
    assert 0 < connection.ttl(key) <= LOCK_TTL


def test_the_scheduler_heartbeat_lets_go_of_a_lock_another_worker_holds(redis_server):
    connection = Redis.from_url(redis_server.url)
    key = HealingScheduler.get_locking_key("default")
    scheduler = HealingScheduler(["default"], connection=connection)
    assert scheduler.acquire_locks() == {"default"}
    connection.set(key, f"not-{socket.gethostname()}:1", ex=3600)  # taken over while we were away
    scheduler.heartbeat()
    assert scheduler.acquired_locks == set()
    assert connection.get(key).decode() == f"not-{socket.gethostname()}:1"
    assert connection.ttl(key) > LOCK_TTL
