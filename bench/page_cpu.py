"""CPU per request of a page in the benchmark process (test client), statements it runs, and worker CPU from /proc.

Two figures for one page, and why they differ (docs/performance.md, "Two CPU figures"):

- test client: `time.process_time()` around one request of the production app in this process, no
  HTTP, no socket, nothing else competing for the caches; the median of 20 after a warm-up.
- workers: the user + system CPU the gunicorn workers accumulated in /proc/<pid>/stat while wrk drove
  the page, divided by the requests served. It includes what the test client leaves out (HTTP
  parsing and the sync worker's accept/close of one connection per request, logging, the response
  write) and what a loaded machine adds (cold caches after every switch between two workers, 16
  connections and the neighbours). The hello app measured the same way gives the server's own share.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench import explain

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: children of the master process."""
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def wait_idle(pids: list[int], *, timeout: float = 120.0) -> None:
    """Wait until the workers stop using CPU: wrk has gone, but gunicorn still serves what it queued."""
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = cpu_seconds(pids)
        if now - last < 0.02:  # two clock ticks in 0.3 s: idle
            return
        last = now


def production_app(url: str, instance: Path, secret: str):  # noqa: ANN201
    """The app as gunicorn runs it (ACADEMY_ENV=production, same key), for the test-client figures."""
    from academy import create_app

    os.environ.setdefault("SECRET_KEY", secret)  # ProductionConfig insists on one
    os.environ["LOG_LEVEL"] = "WARNING"  # as the servers run: no line per request
    return create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "INSTANCE_PATH": instance,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "SESSION_COOKIE_NAME": "session",
            "REMEMBER_COOKIE_NAME": "remember_token",
            "RATELIMIT_ENABLED": False,
        }
    )


def client_figures(app, items: list[tuple[str, str, str, str]], *, cold: bool = False, show_explain: bool = False):  # noqa: ANN001, ANN201
    """(median CPU ms, statements) of the rotation's GETs through the test client; EXPLAIN printed if asked.

    Up to 32 requests of the rotation (each learner's own page, as wrk sends them), each once after a
    warm-up request of its own, so the figure is not one learner's always-warm request. `cold`: the
    first request of each of 32 addresses from the end of the rotation, which nothing asked for yet.
    """
    items = [item for item in items if item[0] == "GET"]
    probe = items[-33] if cold and len(items) > 33 else items[0]  # for the statements: unasked if cold
    items = items[-32:] if cold else items[:32]
    if not items:
        return None, None
    client = app.test_client(use_cookies=False)

    failed: list[str] = []

    def request(item: tuple[str, str, str, str]) -> None:
        _method, path, cookie, _body = item
        response = client.get(path, headers={"Cookie": cookie} if cookie else {})
        if response.status_code >= 400:
            failed.append(f"{path} {response.status_code}")

    with app.app_context():
        from academy.extensions import db

        engine = db.engine
    # No app context around the requests: each makes its own, as under gunicorn (a shared one would
    # keep the first request's user on `g` for all the others).
    cpu = []
    for item in items * max(1, 20 // len(items)):
        if not cold:
            request(item)  # warm-up of this learner's page, outside the numbers
        began = time.process_time()
        request(item)
        cpu.append(time.process_time() - began)
    # Prepared verification answers are read through a pool of their own (academy/certificates/answers.py).
    answers_engine = app.extensions.get("academy_answers_engine")
    statements = explain.capture(engine, lambda: request(probe), *([answers_engine] if answers_engine else []))
    if show_explain and engine.dialect.name == "postgresql":
        with app.app_context():
            findings = explain.explain(engine, statements, explain.table_rows(engine))
        for table, rows, statement in findings.seq_scans:
            print(f"      {items[0][1]}: seq scan on {table} (~{rows:,} rows): {statement}")
    if failed:  # a figure for an error page would mislead: say so instead
        print(f"  test client: {len(failed)} answers of {len(cpu)} failed, e.g. {failed[0]}; no client figure")
        return None, None
    return sorted(cpu)[len(cpu) // 2] * 1000, len(statements)
