"""Profile one page as a generated learner: every query (with a short label) and cProfile's top functions.

    .venv/bin/python bench/profile_page.py [--page course|lesson|quiz|...] [--size XS] [--top 25] [--repeat 50]
    .venv/bin/python bench/profile_page.py --database-url postgresql://.../academy_bench_l [--page ...]

It builds a fresh SQLite database in a temporary folder with `academy.bench.generate.Generator`
(or uses --database-url as it is),
logs in generated learner 0, warms the page up once, then prints the statements of one request,
the median CPU ms per request over --repeat requests, and the top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("catalogue", "course", "lesson", "quiz", "thread", "verify_html", "verify_json", "api_courses")
# Signed-in pages that need no target of their own.
FIXED = {"dashboard": "/", "my_learning": "/my-learning"}


def label(statement: str) -> str:
    """A short label for a statement: verb, tables and the first WHERE column."""
    flat = " ".join(statement.split())
    verb = flat.split(" ", 1)[0].upper()
    tables = re.findall(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+\"?(\w+)", flat, re.I)
    where = re.search(r"\bWHERE\s+\(?\"?(\w+)\"?\.\"?(\w+)", flat, re.I)
    seen: list[str] = []
    for table in tables:
        if table not in seen:
            seen.append(table)
    text = f"{verb} {'+'.join(seen)}"
    if where:
        text += f" where {where.group(1)}.{where.group(2)}"
    return text


def main() -> int:
    """Build, log in, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="course", choices=PAGES + tuple(FIXED))
    parser.add_argument("--size", default="XS")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=50, help="requests timed for the CPU median")
    parser.add_argument("--no-profile", action="store_true", help="queries and CPU only")
    parser.add_argument(
        "--caches", action="store_true", help="caches on as in production (a repeated page is a stored one)"
    )
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for the versions and stamps (with --caches)")
    parser.add_argument(
        "--database-url",
        help="a database `flask academy bench generate` filled (seed 2027), instead of a fresh SQLite one",
    )
    args = parser.parse_args()

    from sqlalchemy import event

    from academy import create_app
    from academy.auth import services as auth_services
    from academy.bench.generate import Generator
    from academy.bench.sizes import SIZES
    from academy.bench.targets import targets
    from academy.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="academy-profile-"))
    seed = 2027 if args.database_url else 5
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{tmp / 'profile.db'}",
            "INSTANCE_PATH": tmp,
            "MAIL_DIR": tmp / "mail",
            "RATELIMIT_ENABLED": False,
            **({"PUBLIC_CACHE_SECONDS": 600, "PRIVATE_CACHE_SECONDS": 60, "LOGIN_CACHE": True} if args.caches else {}),
            **({"REDIS_URL": args.redis_url} if args.redis_url else {}),
        }
    )
    with app.app_context():
        if not args.database_url:
            db.create_all()
            Generator(SIZES[args.size], seed=seed).run(pdfs=False)
        where = targets(0, seed=seed)
        token = auth_services.start_session(where.user).token
        db.session.commit()
        url = FIXED.get(args.page) or where.url(args.page)
        email = where.user.email
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = token, True

    with app.app_context():
        engine = db.engine
    assert client.get(url).status_code == 200, url  # warm-up (templates, caches)

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    where_from = args.database_url.rsplit("/", 1)[-1] if args.database_url else f"{args.size}, SQLite"
    print(f"{args.page}: {url} as {email} ({where_from})")
    print(f"\n{len(statements)} statements:")
    for number, statement in enumerate(statements, 1):
        print(f"  {number:>2}. {label(statement)}")
    repeated = [(text, n) for text, n in Counter(statements).items() if n > 1]
    for text, n in repeated:
        print(f"  identical statement run {n} times: {label(text)}")

    cpu = []
    for _ in range(args.repeat):
        began = time.process_time()
        client.get(url)
        cpu.append(time.process_time() - began)
    cpu.sort()
    print(f"\nCPU per request: median {1000 * cpu[len(cpu) // 2]:.1f} ms over {args.repeat} requests")

    if not args.no_profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(10):
            client.get(url)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(r"academy/", args.top)
        if args.caches:
            stats.sort_stats("tottime").print_stats(args.top)
        print("\ncProfile of 10 requests, academy's own functions by cumulative time:")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
