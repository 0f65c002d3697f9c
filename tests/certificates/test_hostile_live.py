"""The hostile-PDF corpus against a live gunicorn server, while another client keeps reading a page.

Every file must be answered within 30 s without a 5xx, the other page must keep answering, and
the workers' resident memory must stay bounded (the parsing happens in limited child processes).
"""

from __future__ import annotations

import contextlib
import http.client
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from bench.server import ROOT, Gunicorn, academy_env
from tests.certificates import hostile

# Generous against a loaded machine: the sandbox kills a check after 7 s; without it a hostile file never returns.
ANSWER_SECONDS = 30
WORKER_RSS_LIMIT_MB = 400


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def _workers(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


class _Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    def upload(self, data: bytes) -> tuple[int, str, float]:
        _status, page = self.request("GET", "/verify/upload")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="certificate.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        started = time.monotonic()
        status, html = self.request("POST", "/verify/upload", body, headers)
        return status, html, time.monotonic() - started


@pytest.fixture
def live_server(tmp_path):
    """gunicorn (2 workers) on a migrated SQLite database, as production runs it."""
    instance = tmp_path / "instance"
    instance.mkdir()
    url = f"sqlite:///{tmp_path / 'live.db'}"
    env = academy_env(url, instance)
    env.pop("ACADEMY_REQUIRE_SERVICES", None)
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    with Gunicorn("wsgi:app", env=env, workers=2, threads=2) as server:
        yield server


def test_hostile_pdfs_do_not_take_the_live_server_down(live_server):
    master = live_server.process.pid
    reader = _Client(live_server.port)
    assert reader.request("GET", "/verify")[0] == 200
    for _ in range(6):  # every worker loads the app and starts its checker before the clock runs
        assert reader.request("GET", "/verify/upload")[0] == 200
    baseline = {pid: _rss_mb(pid) for pid in _workers(master)}
    stop = threading.Event()
    reads: list[tuple[int, float]] = []

    def keep_reading() -> None:
        while not stop.is_set():
            started = time.monotonic()
            status, _ = reader.request("GET", "/verify")
            reads.append((status, time.monotonic() - started))
            time.sleep(0.2)

    thread = threading.Thread(target=keep_reading, daemon=True)
    thread.start()
    uploader = _Client(live_server.port)
    answers = {}
    peak: dict[int, float] = {}
    try:
        for name, make in sorted(hostile.CORPUS.items()):
            status, html, seconds = uploader.upload(make())
            answers[name] = (status, seconds, "could not be checked" in html)
            for pid in _workers(master):
                with contextlib.suppress(OSError):
                    peak[pid] = max(peak.get(pid, 0.0), _rss_mb(pid))
    finally:
        stop.set()
        thread.join(timeout=30)
    for name, (status, seconds, _said) in answers.items():
        assert status < 500, f"{name} answered {status}"
        assert seconds < ANSWER_SECONDS, f"{name} took {seconds:.1f} s"
    assert answers["self-referencing-prev"][0] == 422 and answers["self-referencing-prev"][2]
    assert answers["object-stream-bomb"][0] == 422
    assert reads and all(status == 200 for status, _ in reads), reads
    assert max(seconds for _, seconds in reads) < ANSWER_SECONDS
    # The same workers are still there (none was killed and replaced), with bounded memory.
    assert set(_workers(master)) == set(baseline), "a worker died during the corpus"
    assert max(peak.values()) < WORKER_RSS_LIMIT_MB, peak
    print(f"\nworker RSS baseline {baseline} peak {peak}; reads {len(reads)} max {max(s for _, s in reads):.2f}s")
    for name, (status, seconds, _said) in answers.items():
        print(f"{name}: {status} in {seconds:.2f} s")
