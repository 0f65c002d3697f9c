"""Statements and test-client CPU per trainer workspace tab (and the trainer's dashboard), on generated data.

    .venv/bin/python bench/workspace_queries.py [--size XS|S|M] [--modules N --lessons N --users N]
        [--repeat 20] [--show TAB] [--profile TAB] [--published] [--database-url postgresql://.../academy_bench_m]

It builds a fresh SQLite database with `academy.bench.generate.Generator`, opens a draft of the
first generated course (so the Content tab shows its publish checks), logs in the trainer who owns
it, warms each page up once, then prints the statements of one request and the median CPU ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profile_page import label  # noqa: E402

TABS = {
    "content": "/trainer/courses/{slug}",
    "settings": "/trainer/courses/{slug}/settings",
    "bank": "/teach/{slug}/bank",
    "quizzes": "/teach/{slug}/quizzes",
    "grading": "/teach/{slug}/grading",
    "learners": "/teach/{slug}/learners",
    "analytics": "/teach/{slug}/mastery",
    "certificates": "/certificates/course/{slug}",
    "courses": "/trainer/courses",
    "dashboard": "/",
}


def main() -> int:
    """Build, log in, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS")
    parser.add_argument("--repeat", type=int, default=20, help="requests timed for the CPU median")
    parser.add_argument("--show", action="append", default=[], help="print the statements of this tab")
    parser.add_argument("--modules", type=int, help="modules per course instead of the size's")
    parser.add_argument("--lessons", type=int, help="lessons per module instead of the size's")
    parser.add_argument("--users", type=int, help="users instead of the size's")
    parser.add_argument("--attempts", type=int, help="graded attempts instead of the size's")
    parser.add_argument("--profile", action="append", default=[], help="print cProfile's top functions of this tab")
    parser.add_argument(
        "--database-url",
        help="a database `flask academy bench generate` filled, used as it is (read-only: no draft is opened)",
    )
    parser.add_argument("--dump", help="write each page's HTML here (CSRF tokens masked), to compare two checkouts")
    parser.add_argument("--published", action="store_true", help="do not open a draft first")
    args = parser.parse_args()

    import logging
    from dataclasses import replace

    from sqlalchemy import event, select

    from academy import create_app
    from academy.auth import services as auth_services
    from academy.auth.models import User
    from academy.bench.generate import Generator
    from academy.bench.sizes import SIZES
    from academy.courses.models import Course
    from academy.courses.services import versioning
    from academy.extensions import db

    size = SIZES[args.size]
    size = replace(size, modules=args.modules or size.modules, lessons=args.lessons or size.lessons)
    size = replace(size, users=args.users or size.users, attempts=args.attempts or size.attempts)
    tmp = Path(tempfile.mkdtemp(prefix="academy-workspace-"))
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{tmp / 'workspace.db'}",
            "INSTANCE_PATH": tmp,
            "MAIL_DIR": tmp / "mail",
            "RATELIMIT_ENABLED": False,
        }
    )
    logging.getLogger("academy.requests").setLevel(logging.WARNING)
    with app.app_context():
        if not args.database_url:
            db.create_all()
            Generator(size, seed=5).run(pdfs=False)
        course = db.session.scalar(select(Course).order_by(Course.id).limit(1))
        trainer = db.session.scalar(select(User).where(User.email.like("trainer0@%")))
        if not args.published and not args.database_url:  # never change a shared bench database
            versioning.ensure_draft(course)
        slug = course.slug
        token = auth_services.start_session(trainer).token
        db.session.commit()
        engine = db.engine
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = token, True

    where = (
        args.database_url.rsplit("/", 1)[-1] if args.database_url else f"{args.size} ({size.modules}x{size.lessons})"
    )
    print(f"{where}, trainer0 on {slug}{'' if args.published or args.database_url else ' (draft open)'}")
    for tab, pattern in TABS.items():
        url = pattern.format(slug=slug)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if args.dump:
            import re

            html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", response.get_data(as_text=True))
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            (Path(args.dump) / f"{tab}.html").write_text(html)
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany, statements=statements) -> None:  # noqa: ANN001
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        cpu = []
        for _ in range(args.repeat):
            began = time.process_time()
            client.get(url)
            cpu.append(time.process_time() - began)
        cpu.sort()
        print(f"{tab:>13}: {len(statements):>4} statements, {1000 * cpu[len(cpu) // 2]:6.1f} ms CPU  {url}")
        if tab in args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            for _ in range(3):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        if tab in args.show:
            for text, n in Counter(label(s) for s in statements).most_common():
                print(f"      {n:>4} x {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
