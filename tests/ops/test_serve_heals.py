"""`python3 dev serve` heals itself: Redis killed and restarted empty, the worker killed outright, its scheduler
killed, the database closed to connections. Every e-mail asked for is sent exactly once, with no step by hand.

The real stack (gunicorn, the RQ worker and its scheduler, PostgreSQL) runs against a private
redis-server that the test kills and starts again on the same port.
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
import requests
from redis import Redis

from tests import services as test_services
from tests.ops.redis_server import PrivateRedis
from tests.ops.stack import (
    allow_connections,
    children,
    mails_to,
    processes_with,
    ready,
    register,
    serve_environment,
    start,
    started_pids,
    wait_for,
)

LOCK = "rq:scheduler-lock:default"


@pytest.fixture
def database() -> str:
    """A PostgreSQL database of this test's own, which it may close to connections."""
    base = test_services.postgres_base_url()
    if not base:
        test_services.skip_or_fail("dev serve needs PostgreSQL (ACADEMY_TEST_DATABASE_URL)")
    url = test_services.create_postgres_database(base, "serveheal")
    yield url
    allow_connections(url, True)
    test_services.drop_postgres_database(url)


def _only_child(pid: int) -> int | None:
    kids = children(pid)
    return kids[0] if len(kids) == 1 else None


@pytest.mark.once
def test_dev_serve_recovers_from_redis_worker_scheduler_and_database_faults(
    redis_server: PrivateRedis, database, tmp_path
):
    env = serve_environment(database, redis_server.url, tmp_path)
    base, mail = f"http://127.0.0.1:{env['PORT']}", Path(env["MAIL_DIR"])
    log = tmp_path / "serve.log"
    proc = start(env, log)
    sent: list[str] = []

    def register_and_expect(email: str) -> None:
        register(base, email)
        sent.append(email)

    def delivered(*emails: str) -> None:
        wait_for(lambda: all(mails_to(mail, e) for e in emails), timeout=180, what=f"e-mail to {emails}")

    def lock_holder() -> str | None:
        try:
            value = Redis.from_url(redis_server.url, socket_connect_timeout=1).get(LOCK)
        except Exception:
            return None
        return value.decode() if value else None

    try:
        wait_for(lambda: ready(base) or proc.poll() is not None, timeout=420, what="/readyz")
        assert proc.poll() is None, log.read_text()
        register_and_expect("before@example.eu")
        delivered("before@example.eu")

        # Redis goes away: /readyz says so, registrations still work and their e-mails wait in the outbox.
        redis_server.kill()
        wait_for(lambda: not ready(base), timeout=60, what="/readyz to notice")
        readiness = requests.get(f"{base}/readyz", timeout=10)
        assert readiness.status_code == 503 and "redis" in readiness.text.lower()
        register_and_expect("during-outage@example.eu")
        redis_server.start()  # back, and empty: no queue, no schedule, no scheduler lock
        delivered("during-outage@example.eu")
        register_and_expect("after-outage@example.eu")
        delivered("after-outage@example.eu")

        # The worker killed outright (its scheduler too): dev serve starts another, which takes the lock over.
        first_worker = wait_for(lambda: started_pids(log, "worker")[-1:], timeout=10, what="the worker")[0]
        holder = wait_for(lambda: lock_holder(), timeout=60, what="a scheduler lock")
        assert holder == f"{socket.gethostname()}:{first_worker}"
        os.killpg(first_worker, signal.SIGKILL)
        # Its locks would now live on for RQ's TTL; make them last an hour: only seeing their holder dead frees them.
        stale = Redis.from_url(redis_server.url)
        for key in stale.keys("rq:scheduler-lock:*"):
            stale.expire(key, 3600)
        second_worker = wait_for(
            lambda: [p for p in started_pids(log, "worker") if p != first_worker], timeout=60, what="a new worker"
        )[-1]
        wait_for(lambda: lock_holder() == f"{socket.gethostname()}:{second_worker}", timeout=60, what="the lock")
        register_and_expect("after-kill@example.eu")
        delivered("after-kill@example.eu")

        # Its scheduler child killed: the worker starts another one.
        # Between jobs the scheduler is the worker's only child (a job's work horse would be a second one).
        scheduler = wait_for(lambda: _only_child(second_worker), timeout=60, what="the scheduler")
        os.kill(scheduler, signal.SIGKILL)
        wait_for(lambda: _only_child(second_worker) not in (None, scheduler), timeout=60, what="a new scheduler")

        # The database closes its doors (open connections ended) and opens them again.
        allow_connections(database, False)
        wait_for(lambda: not ready(base), timeout=60, what="/readyz to notice the database")
        allow_connections(database, True)
        wait_for(lambda: ready(base), timeout=120, what="/readyz again")
        register_and_expect("after-database@example.eu")
        delivered("after-database@example.eu")

        assert proc.poll() is None
        assert {email: len(mails_to(mail, email)) for email in sent} == dict.fromkeys(sent, 1), log.read_text()[-4000:]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        leftover = processes_with(env["ACADEMY_SERVE_MARKER"])
        for pid in leftover:
            os.kill(pid, signal.SIGKILL)
    assert "dev serve: stopped" in log.read_text()
    assert leftover == []
