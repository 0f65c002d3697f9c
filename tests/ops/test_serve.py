"""`python3 dev serve`: the production stack on this machine, against PostgreSQL and Redis.

Starts it for real, registers through the web workers, sees the confirmation e-mail written by the
RQ worker, stops it with SIGTERM and finds no process of it left.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests import services as test_services

ROOT = Path(__file__).resolve().parents[2]
REDIS_DEFAULT = "redis://127.0.0.1:6379/8"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _our_redis_database() -> str | None:
    """The test Redis server, database 8 (ours alone: this test flushes it)."""
    from redis.connection import parse_url

    url = test_services.redis_url(default=REDIS_DEFAULT)
    if url is None:
        return None
    options = parse_url(url)
    return f"redis://{options.get('host', '127.0.0.1')}:{options.get('port', 6379)}/8"


def _processes_with(marker: str) -> list[int]:
    """Pids of every process whose environment carries the marker (children inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


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
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "ACADEMY_INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_DIR": str(tmp_path / "mail"),
        "ACADEMY_BASE_URL": f"http://127.0.0.1:{port}",
        "ACADEMY_SERVE_MARKER": uuid.uuid4().hex,
        "RATELIMIT_ENABLED": "0",
        "SECRET_KEY": uuid.uuid4().hex,
        "SESSION_COOKIE_SECURE": "0",  # the test talks plain HTTP to 127.0.0.1
    }
    (tmp_path / "instance").mkdir()
    yield env
    for pid in _processes_with(env["ACADEMY_SERVE_MARKER"]):
        os.kill(pid, signal.SIGKILL)
    test_services.drop_postgres_database(database)
    redis.Redis.from_url(redis_url).flushdb()


def _wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def start(env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `python3 dev serve` with its output in a file."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "dev"), "serve"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def register(base: str, email: str) -> None:
    """Register through the web form, as a person would."""
    session = requests.Session()
    page = session.get(f"{base}/register", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "name": "Ines Operator",
        "email": email,
        "organisation": "Joint Secretariat",
        "country": "",
        "password": "a long passphrase for ops",
        "confirm": "a long passphrase for ops",
    }
    response = session.post(f"{base}/register", data=form, timeout=30)
    assert response.status_code == 200 and email in response.text, response.text[:2000]


def mails_to(folder: Path, email: str) -> list[Path]:
    """Mail files written for this address."""
    return [p for p in folder.glob("*.eml") if f"To: {email}" in p.read_text(errors="replace")]


def test_dev_serve_runs_web_and_worker_then_stops_every_process(stack_env, tmp_path):
    log = tmp_path / "serve.log"
    proc = start(stack_env, log)
    base = f"http://127.0.0.1:{stack_env['PORT']}"
    try:
        _wait_for(lambda: _ready(base) or proc.poll() is not None, timeout=420, what="/readyz")
        assert proc.poll() is None, log.read_text()
        register(base, "ines@example.eu")
        _wait_for(lambda: mails_to(Path(stack_env["MAIL_DIR"]), "ines@example.eu"), timeout=120, what="the e-mail")
        output = log.read_text()
        assert "web    | " in output and "worker | " in output
        assert "GET /register 200" in output  # our request log, prefixed by the process it came from
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
    assert "dev serve: stopped" in log.read_text()
    assert _processes_with(stack_env["ACADEMY_SERVE_MARKER"]) == []


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
