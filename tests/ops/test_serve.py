"""`python3 dev serve`: the production stack on this machine, against PostgreSQL and Redis.

Starts it for real, registers through the web workers, sees the confirmation e-mail written by the
RQ worker, stops it with SIGTERM and finds no process of it left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services as test_services
from tests.ops.stack import mails_to, processes_with, ready, register, serve_environment, start, wait_for

ROOT = Path(__file__).resolve().parents[2]
REDIS_DEFAULT = "redis://127.0.0.1:6379/6"


def _our_redis_database() -> str | None:
    """The test Redis server, database 6 (ours alone: this test flushes it)."""
    from redis.connection import parse_url

    url = test_services.redis_url(default=REDIS_DEFAULT)
    if url is None:
        return None
    options = parse_url(url)
    return f"redis://{options.get('host', '127.0.0.1')}:{options.get('port', 6379)}/6"


@pytest.fixture
def stack_env(tmp_path) -> Iterator[dict[str, str]]:
    """The environment for a `dev serve` on a fresh PostgreSQL database and our Redis database."""
    base = test_services.postgres_base_url()
    redis_url = _our_redis_database()
    if not base or redis_url is None:
        test_services.skip_or_fail("dev serve needs PostgreSQL (ACADEMY_TEST_DATABASE_URL) and Redis")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    database = test_services.create_postgres_database(base, "serve")
    env = serve_environment(database, redis_url, tmp_path)
    yield env
    for pid in processes_with(env["ACADEMY_SERVE_MARKER"]):
        os.kill(pid, signal.SIGKILL)
    test_services.drop_postgres_database(database)
    redis.Redis.from_url(redis_url).flushdb()


@pytest.mark.once
def test_dev_serve_runs_web_and_worker_then_stops_every_process(stack_env, tmp_path):
    log = tmp_path / "serve.log"
    proc = start(stack_env, log)
    base = f"http://127.0.0.1:{stack_env['PORT']}"
    try:
        wait_for(lambda: ready(base) or proc.poll() is not None, timeout=420, what="/readyz")
        assert proc.poll() is None, log.read_text()
        register(base, "ines@example.eu")
        wait_for(lambda: mails_to(Path(stack_env["MAIL_DIR"]), "ines@example.eu"), timeout=120, what="the e-mail")
        output = log.read_text()
        assert "web    | " in output and "worker | " in output
        assert "GET /register 200" in output  # our request log, prefixed by the process it came from
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
    assert "dev serve: stopped" in log.read_text()
    assert processes_with(stack_env["ACADEMY_SERVE_MARKER"]) == []


def test_dev_serve_refuses_without_postgresql_or_with_redis_away(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["SECRET_KEY"] = "a-secret-for-this-test"
    missing = subprocess.run(
        [sys.executable, str(ROOT / "dev"), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode != 0 and "set DATABASE_URL to a PostgreSQL database" in missing.stderr
    env.update(DATABASE_URL="postgresql://postgres@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:1/0")
    away = subprocess.run(
        [sys.executable, str(ROOT / "dev"), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert away.returncode != 0 and "REDIS_URL points at 127.0.0.1:1, which does not answer" in away.stderr
