#!/usr/bin/env python3
"""Every page of the performance aims against a bare-Flask hello, interleaved, on a generated data set.

    .venv/bin/python bench/pages.py [--size M] [--database-url URL] [--rounds 3] [--seconds 10]
                                    [--connections 16] [--workers 2] [--pages catalogue,verify_json,...]
                                    [--redis-url URL] [--explain]

The protocol of issue #24: Academy and bench/hello.py are served by gunicorn with the same settings
(`-w 2` sync workers, ACADEMY_ENV=production, loopback) and driven by `wrk -t1 -c16 -d10s`; every
page runs right after its own hello run, and the whole list runs --rounds times. A page's ratio is
the median over the rounds of (page req/s / the hello req/s just before it), shown as "1/N of
hello"; p95 and CPU are medians over the rounds too. Worker CPU per request is read from /proc of the
gunicorn workers; the test-client CPU of the same request in this process is printed beside it.

Without --database-url it uses (and creates, migrates and fills with `flask academy bench generate`
when missing) the PostgreSQL database academy_bench_<size> on BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import fixtures, load, page_cpu  # noqa: E402
from bench.server import Browser, Gunicorn, academy_env  # noqa: E402

SIGNED_IN = ("catalogue", "course", "lesson", "quiz", "thread", "dashboard", "my_learning", "programme", "workspace")
ANONYMOUS = (
    "anon_catalogue", "anon_course", "anon_programme", "verify_html", "verify_json",
    "verify_html_cold", "verify_json_cold", "api_courses", "api_programmes",
)  # fmt: skip
# Rotations visited once in full before the rounds (caches warm: "verified before"); the *_cold
# rows use codes no request has asked for yet, so every answer is rendered.
WARM_PASS = frozenset(ANONYMOUS) - {"verify_html_cold", "verify_json_cold"}
VERIFY_WARM_CODES, VERIFY_COLD_CODES = range(100), range(1000, 20000)
EXTRA = ("quiz_save", "quiz_submit")  # not in the aims (the exam rush is bench/quiz_rush.py); on request
PAGES = SIGNED_IN + ANONYMOUS
FLASKBB_THREAD = 1 / 116  # FlaskBB 2.2.0's topic page, anonymous, in the issue's run
# (fraction of hello, p95 limit in ms or None) per page: issue #24's aims.
AIMS: dict[str, tuple[float, float | None]] = {
    **{page: (1 / 12, 100.0) for page in SIGNED_IN},
    "thread": (10 * FLASKBB_THREAD, 100.0),
    **{page: (1 / 4, None) for page in ANONYMOUS},
    "verify_json": (1 / 2, None),
    "verify_json_cold": (1 / 2, None),
}
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


def setup_app(url: str, instance: Path):  # noqa: ANN201
    """The app on the benchmark database for look-ups and set-up (CSRF off: no forms here)."""
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


def rotations(app, base_url: str, args: argparse.Namespace, pages: list[str]) -> dict[str, list[load.Item]]:  # noqa: ANN001
    """For each page, the requests wrk cycles through: each learner's own pages, with their cookie.

    Learner 0 logs in through the real form; the others (and the course owners, for the trainer
    workspace) get their login session row and cookie made as the login view makes them (argon2 for
    hundreds of accounts would only measure argon2).
    """
    from academy.auth.models import User
    from academy.bench.content import certificate_code
    from academy.bench.generate import PASSWORD
    from academy.bench.targets import answers_for, targets
    from academy.extensions import db
    from academy.quizzes.models import Quiz
    from academy.quizzes.services import attempts as attempt_services

    items: dict[str, list[load.Item]] = {page: [] for page in PAGES + EXTRA}
    started = time.perf_counter()
    attempts = args.attempts if set(EXTRA) & set(pages) else 0
    with app.app_context():
        programme = fixtures.ensure_programme(args.learners)
        trainer_cookies: dict[int, str] = {}
        for index in range(max(args.learners, attempts)):
            where = targets(index)
            browser = Browser(base_url)
            if index == 0:
                browser.login(where.user.email, PASSWORD)
            else:
                browser.cookies["session"] = fixtures.session_cookie(app, where.user)
                # A browser's cookie after its first page (Flask-Login's mark, the CSRF secret): wrk
                # replays one cookie, and one the app must amend would make every request a first one.
                browser.request("GET", "/")
            cookie = browser.cookie_header
            if index < args.learners:
                for page in ("catalogue", "course", "lesson", "quiz", "thread"):
                    items[page].append(("GET", where.url(page), cookie, ""))
                items["dashboard"].append(("GET", "/", cookie, ""))
                items["my_learning"].append(("GET", "/my-learning", cookie, ""))
                items["programme"].append(("GET", f"/programmes/{programme}", cookie, ""))
                owner = fixtures.course_owner_id(where.course_slug)
                if owner not in trainer_cookies:
                    trainer = Browser(base_url)
                    trainer.cookies["session"] = fixtures.session_cookie(app, db.session.get(User, owner))
                    trainer.request("GET", "/")
                    trainer_cookies[owner] = trainer.cookie_header
                items["workspace"].append(("GET", f"/trainer/courses/{where.course_slug}", trainer_cookies[owner], ""))
                items["anon_course"].append(("GET", where.url("course"), "", ""))
            if index < attempts:
                # An attempt in progress for the save and submit pools, started by the quiz's own service.
                attempt = attempt_services.start_attempt(db.session.get(Quiz, where.quiz_id), where.user)
                db.session.commit()
                token = browser.csrf(where.quiz_url())  # also puts the CSRF secret in the cookie
                path = f"{where.quiz_url()}/attempts/{attempt.id}"
                fields = {"csrf_token": token, "go": "save", **answers_for(where.quiz_id, 1, 5)}
                items["quiz_save"].append(("POST", f"{path}?page=1", browser.cookie_header, _form(fields)))
                submit = _form({"csrf_token": token})
                items["quiz_submit"].append(("POST", f"{path}/submit", browser.cookie_header, submit))
            db.session.remove()
    for i in VERIFY_WARM_CODES:
        code = certificate_code(2027, i)
        items["verify_html"].append(("GET", f"/verify/{code}", "", ""))
        items["verify_json"].append(("GET", f"/verify/{code}.json", "", ""))
    for i in VERIFY_COLD_CODES:  # more codes than three rounds can reach: none is asked twice
        code = certificate_code(2027, i)
        if i % 2:
            items["verify_html_cold"].append(("GET", f"/verify/{code}", "", ""))
        else:
            items["verify_json_cold"].append(("GET", f"/verify/{code}.json", "", ""))
    items["anon_catalogue"].append(("GET", "/courses", "", ""))
    items["anon_programme"].append(("GET", f"/programmes/{programme}", "", ""))
    items["api_courses"].append(("GET", "/api/v1/courses", "", ""))
    items["api_programmes"].append(("GET", "/api/v1/programmes", "", ""))
    print(f"sessions, programme and attempts ready in {time.perf_counter() - started:.1f} s", flush=True)
    return items


def _form(fields: dict[str, str]) -> str:
    import urllib.parse

    return urllib.parse.urlencode(fields)


def measure(academy: Gunicorn, hello: Gunicorn, items: dict, pages: list[str], args: argparse.Namespace) -> dict:
    """Rounds of (hello, page) pairs; per page the list of (ratio, page result, hello result, CPU ms/request)."""
    run = {"connections": args.connections, "seconds": args.seconds, "threads": 1}
    academy_workers = page_cpu.worker_pids(academy.process.pid)
    hello_workers = page_cpu.worker_pids(hello.process.pid)
    for page in pages:  # warm-up: imports, connection pools, template and data caches
        if page in WARM_PASS:
            load.visit_all(academy.url, items[page], connections=args.connections)
        load.run(academy.url, items[page], **{**run, "seconds": args.warmup})
        page_cpu.wait_idle(academy_workers)
    results: dict[str, list] = {page: [] for page in pages}
    hello_cpu: list[float] = []
    for number in range(1, args.rounds + 1):
        for page in pages:
            before = page_cpu.cpu_seconds(hello_workers)
            ceiling = load.run(hello.url, [("GET", "/", "", "")], **run)
            hello_cpu.append((page_cpu.cpu_seconds(hello_workers) - before) * 1000 / max(ceiling.requests, 1))
            before = page_cpu.cpu_seconds(academy_workers)
            result = load.run(academy.url, items[page], **run)
            page_cpu.wait_idle(academy_workers)  # requests still queued when wrk stopped are this page's
            cpu_ms = (page_cpu.cpu_seconds(academy_workers) - before) * 1000 / max(result.requests, 1)
            results[page].append((result.rps / ceiling.rps if ceiling.rps else 0.0, result, ceiling, cpu_ms))
        print(f"round {number} of {args.rounds} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    results["_hello_cpu"] = hello_cpu
    return results


def report(results: dict, items: dict, pages: list[str], client: dict) -> int:
    """Print the table; the number of aims not met."""
    hello_cpu = statistics.median(results["_hello_cpu"])
    print(f"\nhello: worker CPU {hello_cpu:.2f} ms per request (gunicorn's own share of every request)")
    head = (
        "page", "who", "req/s", "hello req/s", "vs hello", "aim", "p95 ms", "errors",
        "worker CPU ms", "client CPU ms", "queries", "met",
    )  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    missed = 0
    for page in pages:
        rows = results[page]
        ratio = statistics.median(r[0] for r in rows)
        rps = statistics.median(r[1].rps for r in rows)
        hello_rps = statistics.median(r[2].rps for r in rows)
        p95 = statistics.median(r[1].p95_ms for r in rows)
        errors = sum(r[1].errors for r in rows)
        cpu = statistics.median(r[3] for r in rows)
        aim = AIMS.get(page)
        met = "–"
        if aim:
            ok = ratio >= aim[0] * 0.999 and (aim[1] is None or p95 < aim[1]) and not errors
            met = "met" if ok else "NOT met"
            missed += not ok
        aim_text = "" if not aim else f"≥ 1/{1 / aim[0]:.3g}" + (f", p95 < {aim[1]:.0f}" if aim[1] else "")
        who = "anonymous" if page in ANONYMOUS else "trainer" if page == "workspace" else "learner"
        client_cpu, queries = client.get(page, (None, None))
        cells = (
            page, who, f"{rps:,.1f}", f"{hello_rps:,.0f}", f"1/{1 / ratio:.1f}" if ratio else "0", aim_text,
            f"{p95:.1f}", str(errors), f"{cpu:.1f}", "–" if client_cpu is None else f"{client_cpu:.1f}",
            "–" if queries is None else str(queries), met,
        )  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    return missed


def main() -> int:
    """Measure every page against hello in interleaved rounds; print the table with the aims."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=["XS", "S", "M", "L"])
    parser.add_argument("--database-url", default=None, help="use this database as it is")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per run of a page and of hello")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per page before the first round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (issue #24: 2)")
    parser.add_argument("--learners", type=int, default=32, help="learners whose pages are read")
    parser.add_argument("--attempts", type=int, default=200, help="attempts in progress for quiz_save/quiz_submit")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"any of {','.join(PAGES + EXTRA)}")
    parser.add_argument("--redis-url", default=None, help="serve with REDIS_URL set (shared caches)")
    parser.add_argument("--explain", action="store_true", help="also EXPLAIN each page and print sequential scans")
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = sorted(set(pages) - set(PAGES + EXTRA))
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)}")
    args.instance = Path(tempfile.mkdtemp(prefix="academy-pages-"))
    url = prepare_database(args)
    app = setup_app(url, args.instance)
    env = academy_env(url, args.instance, args.redis_url)
    if {"verify_html_cold", "verify_json_cold"} & set(pages):
        # What every deploy runs (docs/deploy.md): answers of certificates changed meanwhile, or all
        # after a new build. Certificates changed through the app get theirs from a job after the change.
        began = time.perf_counter()
        command = [*FLASK, "academy", "certificates", "prepare-answers"]
        done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
        print(f"{done.stdout.strip()} in {time.perf_counter() - began:.0f} s", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; database {url.rsplit('/', 1)[-1]}")
    print(f"gunicorn -w {args.workers} (sync); wrk -t1 -c{args.connections} -d{args.seconds}s; "
          f"{args.rounds} rounds of hello + page; redis {'on' if args.redis_url else 'off'}", flush=True)  # fmt: skip
    with (
        Gunicorn("wsgi:app", env=env, workers=args.workers) as academy,
        Gunicorn("hello:app", env=env, workers=args.workers, cwd=ROOT / "bench") as hello,
    ):
        items = rotations(app, academy.url, args, pages)
        results = measure(academy, hello, items, pages, args)
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    client_app = page_cpu.production_app(url, args.instance, BENCH_SECRET)
    client = {
        page: page_cpu.client_figures(client_app, items[page], cold=page.endswith("_cold"), show_explain=args.explain)
        for page in pages
    }
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
    missed = report(results, items, pages, client)
    print(f"\n{len(pages) - missed} of {len(pages)} pages meet their aim" if missed else "\nevery page meets its aim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
