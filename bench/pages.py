#!/usr/bin/env python3
"""Page throughput against a bare-Flask ceiling, and EXPLAIN findings, on a generated data set.

    .venv/bin/python bench/pages.py [--size S] [--seconds 10] [--connections 16] [--workers 4]
                                    [--database-url URL] [--pages catalogue,quiz_save,...] [--no-explain]

Without --database-url it uses (and creates, migrates and fills with `flask academy bench generate`
when missing) the PostgreSQL database academy_bench_<size> on BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432). Academy and bench/hello.py are served by gunicorn with the
same settings (README, "Running at scale": `gunicorn -w 4 ... wsgi:app`, ACADEMY_ENV=production),
on loopback, and driven by wrk one page at a time, each for --seconds. Every number is also given
as a ratio to the hello ceiling measured in the same run, because a shared machine is noisy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.server import Browser, Gunicorn, academy_env  # noqa: E402

PAGES = (
    "catalogue", "course", "lesson", "quiz", "quiz_save", "quiz_submit", "thread",
    "verify_html", "verify_json", "api_courses",
)  # fmt: skip
BENCH_SECRET = "bench-secret-key-not-for-production"
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def prepare_database(args: argparse.Namespace) -> str:
    """The benchmark database URL; created, migrated and generated if it does not exist yet."""
    if args.database_url:
        return args.database_url
    from sqlalchemy import create_engine, text

    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
    name = f"academy_bench_{args.size.lower()}"
    admin = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://") + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{server}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "ACADEMY_INSTANCE_PATH": str(args.instance), "LOG_LEVEL": "WARNING"}
    subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    if not exists:
        print(f"generating size {args.size} into {name} ...", flush=True)
        subprocess.run([*FLASK, "academy", "bench", "generate", "--size", args.size], cwd=ROOT, env=env, check=True)  # noqa: S603
    return url


def in_process_app(url: str, instance: Path):  # noqa: ANN201
    """The app on the benchmark database, for look-ups, attempts and EXPLAIN (CSRF off: no forms here)."""
    from academy import create_app

    return create_app(
        {
            "ENV_NAME": "development",
            "SECRET_KEY": BENCH_SECRET,  # the servers' key: cookies made here are valid there
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "INSTANCE_PATH": instance,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def rotations(app, base_url: str, args: argparse.Namespace) -> dict[str, list[load.Item]]:  # noqa: ANN001
    """For each page, the requests wrk cycles through: each learner's own pages, with their cookie.

    Learner 0 logs in through the real form; the others get their login session row and cookie made
    here, as the login view makes them (argon2 at 46 MiB for hundreds of learners would dominate the
    set-up on a small machine without telling us anything about the pages).
    """
    from academy.auth import services as auth_services
    from academy.bench.content import certificate_code
    from academy.bench.generate import PASSWORD
    from academy.bench.targets import answers_for, targets
    from academy.extensions import db
    from academy.quizzes.services import attempts as attempt_services

    items: dict[str, list[load.Item]] = {page: [] for page in PAGES}
    started = time.perf_counter()
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        for index in range(max(args.learners, args.attempts)):
            where = targets(index)
            browser = Browser(base_url)
            if index == 0:
                browser.login(where.user.email, PASSWORD)
            else:
                token = auth_services.start_session(where.user).token
                db.session.commit()
                browser.cookies["session"] = serializer.dumps({"_user_id": token, "_fresh": True})
            if index < args.learners:
                for page in ("catalogue", "course", "lesson", "quiz", "thread"):
                    items[page].append(("GET", where.url(page), browser.cookie_header, ""))
            if index < args.attempts:
                # An attempt in progress for the save and submit pools, started by the quiz's own service.
                attempt = attempt_services.start_attempt(_quiz(where.quiz_id), where.user)
                db.session.commit()
                token = browser.csrf(where.quiz_url())  # also puts the CSRF secret in the cookie
                path = f"{where.quiz_url()}/attempts/{attempt.id}"
                fields = {"csrf_token": token, "go": "save", **answers_for(where.quiz_id, 1, 5)}
                cookie = browser.cookie_header
                items["quiz_save"].append(("POST", f"{path}?page=1", cookie, _form(fields)))
                items["quiz_submit"].append(("POST", f"{path}/submit", cookie, _form({"csrf_token": token})))
            db.session.remove()
    for i in range(1000):
        code = certificate_code(2027, i)
        items["verify_html"].append(("GET", f"/verify/{code}", "", ""))
        items["verify_json"].append(("GET", f"/verify/{code}.json", "", ""))
    items["api_courses"].append(("GET", "/api/v1/courses", "", ""))
    ready = max(args.learners, args.attempts)
    print(f"{ready} learners' sessions and attempts ready in {time.perf_counter() - started:.1f} s")
    return items


def _quiz(quiz_id: int):
    from academy.extensions import db
    from academy.quizzes.models import Quiz

    return db.session.get(Quiz, quiz_id)


def _form(fields: dict[str, str]) -> str:
    import urllib.parse

    return urllib.parse.urlencode(fields)


def explain_pages(app, pages: list[str]) -> None:  # noqa: ANN001
    """Request each page in-process as learner 0, EXPLAIN what it ran, print sequential scans on large tables."""
    from academy.auth import services as auth_services
    from academy.bench.targets import answers_for, targets
    from academy.extensions import db
    from academy.quizzes.services import attempts as attempt_services
    from bench import explain

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            print("EXPLAIN findings need PostgreSQL; skipped.")
            return
        sizes = explain.table_rows(engine)
        where = targets(0)
        token = auth_services.start_session(where.user).token
        attempt = attempt_services.start_attempt(_quiz(where.quiz_id), where.user)
        db.session.commit()
        attempt_path = f"{where.quiz_url()}/attempts/{attempt.id}"
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = token, True

    def request(page: str):
        if page == "quiz_save":
            return client.post(f"{attempt_path}?page=1", data={"go": "save", **answers_for(where.quiz_id, 1, 5)})
        if page == "quiz_submit":
            return client.post(f"{attempt_path}/submit")
        return client.get(where.url(page))

    print(f"\nEXPLAIN findings (tables above {explain.LARGE_ROWS:,} rows must be reached by an index),")
    print("and the app's own CPU time per request in this process (median of 20; POSTs once):")
    for page in pages:
        with app.app_context():
            cpu = []
            if page not in ("quiz_save", "quiz_submit"):
                for _ in range(21):  # the first one warms up, outside the numbers
                    began = time.process_time()
                    request(page)
                    cpu.append(time.process_time() - began)
                cpu = cpu[1:]
            began = time.process_time()
            statements = explain.capture(engine, lambda page=page: request(page))
            cpu = cpu or [time.process_time() - began]
            findings = explain.explain(engine, statements, sizes)
        verdict = "ok" if findings.ok else "SEQ SCAN"
        cpu_ms = sorted(cpu)[len(cpu) // 2] * 1000
        print(f"  {page:<12} {findings.statements:>3} statements  {cpu_ms:6.1f} ms CPU  {verdict}")
        for table, rows, statement in findings.seq_scans:
            print(f"      seq scan on {table} (~{rows:,} rows): {statement}")


def main() -> int:
    """Measure the hello ceiling and every page; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--database-url", default=None, help="use this database as it is")
    parser.add_argument("--seconds", type=int, default=10, help="per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (README: 4)")
    parser.add_argument("--learners", type=int, default=32, help="learners whose pages are read")
    parser.add_argument("--attempts", type=int, default=200, help="attempts in progress for save and submit")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--explain-only", action="store_true", help="skip the load, print the EXPLAIN findings")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    args.instance = Path(tempfile.mkdtemp(prefix="academy-pages-"))
    url = prepare_database(args)
    app = in_process_app(url, args.instance)
    if args.explain_only:
        explain_pages(app, pages)
        return 0
    env = academy_env(url, args.instance)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; database {url.rsplit('/', 1)[-1]}")
    print(f"gunicorn -w {args.workers}; wrk -t 2 -c {args.connections} -d {args.seconds}s per page")
    with (
        Gunicorn("wsgi:app", env=env, workers=args.workers) as academy,
        Gunicorn("hello:app", env=env, workers=args.workers, cwd=ROOT / "bench") as hello,
    ):
        items = rotations(app, academy.url, args)
        hello_item = [("GET", "/", "", "")]
        ceiling_before = load.run(hello.url, hello_item, connections=args.connections, seconds=args.seconds)
        results = {}
        for page in pages:
            results[page] = load.run(academy.url, items[page], connections=args.connections, seconds=args.seconds)
        ceiling_after = load.run(hello.url, hello_item, connections=args.connections, seconds=args.seconds)
    ceiling = (ceiling_before.rps + ceiling_after.rps) / 2
    print(f"\nhello ceiling: {ceiling_before.rps:,.0f} req/s before, {ceiling_after.rps:,.0f} after; "
          f"p95 {ceiling_before.p95_ms:.1f} ms")  # fmt: skip
    print(f"{'page':<12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs hello':>9}")
    for page, r in results.items():
        note = ""
        if page == "quiz_submit" and r.requests > len(items[page]):
            # Saves may repeat (each is a real save); a second submit of an attempt is a cheaper no-op.
            note = f"  ({r.requests - len(items[page])} requests past the {len(items[page])} open attempts)"
        print(f"{page:<12} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>7} "
              f"{r.rps / ceiling:>8.1%}{note}")  # fmt: skip
    if not args.no_explain:
        explain_pages(app, pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
