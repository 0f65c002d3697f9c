"""Helpers for tests that start `python3 dev serve` (the real stack) or break its services."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with(marker: str) -> list[int]:
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


def wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def ready(base: str) -> bool:
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


def children(pid: int) -> list[int]:
    """Live child processes of pid (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def allow_connections(url: str, allowed: bool) -> None:
    """Open or close a database to every connection (closing also ends the open ones)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{target.database}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": target.database},
            )
    admin.dispose()


def serve_environment(database: str, redis_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment for a `dev serve` on these services, with a marker its processes inherit."""
    port = free_port()
    (tmp_path / "instance").mkdir(exist_ok=True)
    return {
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


def started_pids(log: Path, name: str) -> list[int]:
    """Pids `dev serve` reported for its process `name` ("worker | started (pid N)"), oldest first."""
    return [int(pid) for pid in re.findall(rf"^{name}\s*\| started \(pid (\d+)\)", log.read_text(), re.MULTILINE)]
