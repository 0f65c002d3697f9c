#!/usr/bin/env python3
"""CPU and statements of each exam step (start, save a page, submit), one learner after another.

    .venv/bin/python bench/quiz_steps.py --database-url URL [--learners 30] [--redis-url URL] [--show-statements]

The exam rush (bench/quiz_rush.py) measures latency with 200 learners at once, where the steps
interleave; this measures each step alone, twice: through the test client in this process (CPU
and statements), then over HTTP in one gunicorn worker (the CPU of its main thread from
/proc/<pid>/schedstat around each request: what a request costs the server), on the same
quiz (the timed final exam of the course with the most learners) of a database that
`flask academy bench generate` filled: median and 90th percentile CPU per step, and how many
statements it runs. Attempts are really made (each learner gets a new one). The app runs with the
production settings that matter here: caches on, request logs off, and with --redis-url jobs go to
Redis (the certificate check after a graded attempt runs in a worker, as in production) instead of
running inside the request.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_SECRET = "bench-secret-key-not-for-production"  # bench/server.py gives the servers this key


def main() -> int:
    """Start, save every page and submit as --learners learners; print CPU and statements per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--redis-url", default=None, help="queue jobs on this Redis, as production does")
    parser.add_argument("--show-statements", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from academy import create_app
    from academy.auth import services as auth_services
    from academy.auth.models import User
    from academy.bench.targets import answers_for
    from academy.courses.models import Enrolment
    from academy.extensions import db
    from academy.quizzes.models import Attempt, AttemptState, Quiz

    tmp = Path(tempfile.mkdtemp(prefix="academy-quiz-steps-"))
    logging.disable(logging.INFO)  # production logs warnings only
    config = {"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": args.database_url, "INSTANCE_PATH": tmp}
    if args.redis_url:
        config |= {"REDIS_URL": args.redis_url, "JOBS_INLINE": False}
    # The servers' key (bench/server.py): the session cookies made here are valid in the gunicorn worker too.
    app = create_app({**config, "MAIL_DIR": tmp / "mail", "RATELIMIT_ENABLED": False, "SECRET_KEY": BENCH_SECRET})
    with app.app_context():
        course_id = db.session.scalar(
            select(Enrolment.course_id).group_by(Enrolment.course_id).order_by(func.count().desc()).limit(1)
        )
        quiz = db.session.scalar(
            select(Quiz).where(Quiz.course_id == course_id, Quiz.time_limit_minutes.is_not(None)).limit(1)
        )
        quiz_url, quiz_id = f"/courses/{quiz.course.slug}/quiz/{quiz.id}", quiz.id
        questions, per_page = len(quiz.slots), quiz.per_page
        busy = select(Attempt.user_id).where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.IN_PROGRESS)
        users = db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, User.id.not_in(busy))
            .order_by(User.id.desc())  # the other end from bench/quiz_rush.py
            .limit(args.learners)
        ).all()
        tokens = [auth_services.start_session(user).token for user in users]
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"_user_id": token, "_fresh": True}) for token in tokens]
        pages = [
            answers_for(quiz.id, first, min(first + per_page - 1, questions))
            for first in range(1, questions + 1, per_page)
        ]
        engine = db.engine
        first_new = (db.session.scalar(select(func.max(Attempt.id))) or 0) + 1
        user_ids = [u.id for u in users]

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(" ".join(a[2].split())[:100]))
    cpu: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(list)
    last: dict[str, list[str]] = {}

    def timed(step: str, client, url: str, form: dict):  # noqa: ANN001
        statements.clear()
        began = time.process_time()
        response = client.post(url, data=form)
        cpu[step].append(time.process_time() - began)
        counts[step].append(len(statements))
        last[step] = list(statements)
        return response

    for token in tokens:
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = token, True
        html = client.get(quiz_url).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        response = timed("start", client, f"{quiz_url}/start", {"csrf_token": csrf})
        attempt_url = response.headers["Location"]
        assert response.status_code == 302 and "/attempts/" in attempt_url, response.status_code
        for number, fields in enumerate(pages, start=1):
            form = {"csrf_token": csrf, "go": "next", **fields}
            response = timed("save", client, f"{attempt_url}?page={number}", form)
            assert response.status_code == 302, response.status_code
        response = timed("submit", client, f"{attempt_url}/submit", {"csrf_token": csrf})
        assert response.status_code == 302, response.status_code

    forget_attempts(app, quiz_id, user_ids, first_new, args.redis_url)  # the same learners again, over HTTP
    worker = worker_cpu(args, tmp, cookies, quiz_url, pages)
    print(f"{len(tokens)} learners, quiz of {questions} questions on {len(pages)} pages ({quiz_url})")
    print("  CPU per step in a gunicorn worker (-w 1, from /proc/<pid>/schedstat) and through the test client here")
    for step in ("start", "save", "submit"):
        print(
            f"  {step:<7} worker CPU median {_ms(worker[step], 0.5)}  p90 {_ms(worker[step], 0.9)}   "
            f"test client median {_ms(cpu[step], 0.5)}  p90 {_ms(cpu[step], 0.9)}   "
            f"statements {statistics.median(counts[step]):.0f}"
        )
        if args.show_statements:
            for text in last[step]:
                print(f"      {text}")
    forget_attempts(app, quiz_id, user_ids, first_new, args.redis_url)
    return 0


def _ms(values: list[float], quantile: float) -> str:
    ordered = sorted(values[1:] or values)  # the first is a cold process
    return f"{1000 * ordered[min(len(ordered) - 1, int(len(ordered) * quantile))]:5.1f} ms"


def worker_cpu(args: argparse.Namespace, instance: Path, cookies: list[str], quiz_url: str, pages: list) -> dict:
    """Each step's CPU in the one gunicorn worker (its main thread's run time), request by request."""
    from bench.server import Browser, Gunicorn, academy_env

    env = academy_env(args.database_url, instance, args.redis_url)
    cpu: dict[str, list[float]] = defaultdict(list)
    with Gunicorn("wsgi:app", env=env, workers=1) as server:
        master = server.process.pid
        pid = Path(f"/proc/{master}/task/{master}/children").read_text().split()[0]
        stat = Path(f"/proc/{pid}/schedstat")

        def timed(step: str, browser: Browser, url: str, form: dict) -> tuple[int, dict]:
            began = int(stat.read_text().split()[0])
            status, headers, _ = browser.request("POST", url, form)
            cpu[step].append((int(stat.read_text().split()[0]) - began) / 1e9)
            return status, headers

        for cookie in cookies:
            browser = Browser(server.url)
            browser.cookies["session"] = cookie
            csrf = browser.csrf(quiz_url)
            status, headers = timed("start", browser, f"{quiz_url}/start", {"csrf_token": csrf})
            attempt = urllib.parse.urlsplit(headers.get("Location", "")).path
            assert status == 302 and "/attempts/" in attempt, status
            for number, fields in enumerate(pages, start=1):
                status, _ = timed(
                    "save", browser, f"{attempt}?page={number}", {"csrf_token": csrf, "go": "next", **fields}
                )
                assert status == 302, status
            status, _ = timed("submit", browser, f"{attempt}/submit", {"csrf_token": csrf})
            assert status == 302, status
    return cpu


def forget_attempts(app, quiz_id: int, user_ids: list[int], first_new: int, redis_url: str | None) -> None:  # noqa: ANN001
    """Delete what a run made: its attempts, and the jobs they queued (no job worker runs meanwhile).

    The next run then meets learners with as many attempts as generated and an empty queue: left in
    place, the queued certificate checks and their outbox rows piled up and slowed later runs.
    """
    from sqlalchemy import delete, func, select

    from academy import outbox
    from academy.extensions import db
    from academy.quizzes.models import Attempt

    with app.app_context():
        made = (Attempt.quiz_id == quiz_id, Attempt.user_id.in_(user_ids), Attempt.id >= first_new)
        started = db.session.scalar(select(func.min(Attempt.started_at)).where(*made))
        db.session.execute(delete(Attempt).where(*made))
        queued: list[str] = []
        if started is not None:
            rows = outbox.JobOutbox.__table__
            queued = list(db.session.scalars(delete(rows).where(rows.c.created_at >= started).returning(rows.c.id)))
        db.session.commit()
        if queued and redis_url:
            _forget_jobs(redis_url, [outbox.job_id(row_id) for row_id in queued])


def _forget_jobs(redis_url: str, job_ids: list[str]) -> None:
    from redis import Redis
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    connection = Redis.from_url(redis_url)
    for job_id in job_ids:
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(job_id, connection=connection).delete(remove_from_queue=True)


if __name__ == "__main__":
    raise SystemExit(main())
