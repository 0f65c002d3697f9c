#!/usr/bin/env python3
"""A synchronised exam start: N learners start the same quiz at the same second, answer and submit.

    .venv/bin/python bench/quiz_rush.py [--learners 200] [--size S] [--database-url URL] [--workers 2] [--redis-url URL]

Academy runs under gunicorn as in the production docs, on the benchmark database of bench/pages.py.
Every learner has their own login session and cookie; one thread per learner waits at a barrier,
then POSTs "start", saves every page of answers and submits, over HTTP. Prints the latency of each
step and checks in the database that every learner has exactly one new, graded attempt.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import prepare_database, setup_app  # noqa: E402
from bench.quiz_steps import forget_attempts  # noqa: E402
from bench.server import Browser, Gunicorn, academy_env  # noqa: E402


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    cuts = statistics.quantiles(values, n=100) if len(values) > 1 else [values[0]] * 99
    return f"p50 {cuts[49] * 1000:7.0f} ms  p95 {cuts[94] * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms"


def _worker_cpu(master: int) -> float:
    """User + system CPU seconds of the gunicorn master's children (the workers), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def main() -> int:
    """Run the rush and print its numbers; exit 1 on any error, lost or duplicated attempt."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--size", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis-url", default=None, help="queue jobs and share caches on this Redis, as production does"
    )
    args = parser.parse_args()
    args.instance = Path(tempfile.mkdtemp(prefix="academy-rush-"))
    url = prepare_database(args)
    app = setup_app(url, args.instance)

    from sqlalchemy import func, select

    from academy.auth import services as auth_services
    from academy.auth.models import User
    from academy.bench.targets import answers_for
    from academy.courses.models import Enrolment
    from academy.extensions import db
    from academy.quizzes.models import Attempt, AttemptState, Quiz

    with app.app_context():
        # The final exam of the course with the most learners: a timed quiz, as exams are.
        course_id = db.session.scalar(
            select(Enrolment.course_id).group_by(Enrolment.course_id).order_by(func.count().desc()).limit(1)
        )
        quiz = db.session.scalar(
            select(Quiz).where(Quiz.course_id == course_id, Quiz.time_limit_minutes.is_not(None)).limit(1)
        )
        quiz_url = f"/courses/{quiz.course.slug}/quiz/{quiz.id}"
        questions, per_page, quiz_id = len(quiz.slots), quiz.per_page, quiz.id
        busy = select(Attempt.user_id).where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.IN_PROGRESS)
        users = list(
            db.session.scalars(
                select(User)
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.course_id == course_id, User.id.not_in(busy))  # nobody mid-attempt already
                .order_by(User.id)
                .limit(args.learners)
            )
        )
        if len(users) < args.learners:
            print(f"only {len(users)} learners are enrolled in that course; use a larger --size")
            return 1
        before = {
            u.id: db.session.scalar(select(func.count()).where(Attempt.quiz_id == quiz_id, Attempt.user_id == u.id))
            for u in users
        }
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = {}
        for user in users:
            token = auth_services.start_session(user).token
            cookies[user.id] = serializer.dumps({"_user_id": token, "_fresh": True})
        db.session.commit()
        pages = [
            answers_for(quiz_id, first, min(first + per_page - 1, questions))
            for first in range(1, questions + 1, per_page)
        ]
        user_ids = [u.id for u in users]
        first_new = (db.session.scalar(select(func.max(Attempt.id))) or 0) + 1
        db.session.remove()

    env = academy_env(url, args.instance, args.redis_url)
    timings: dict[str, list[float]] = {"start": [], "save": [], "submit": [], "whole": []}
    errors: list[str] = []
    lock = threading.Lock()
    with Gunicorn("wsgi:app", env=env, workers=args.workers) as server:
        browsers = {}
        for uid in user_ids:
            browser = Browser(server.url)
            browser.cookies["session"] = cookies[uid]
            browsers[uid] = (browser, browser.csrf(quiz_url))
        barrier = threading.Barrier(len(user_ids) + 1)

        def learner(uid: int) -> None:
            browser, token = browsers[uid]
            barrier.wait()
            began = time.perf_counter()
            try:
                t = time.perf_counter()
                status, headers, _ = browser.request("POST", f"{quiz_url}/start", {"csrf_token": token})
                start_s = time.perf_counter() - t
                location = urllib.parse.urlsplit(headers.get("Location", "")).path
                if status != 302 or "/attempts/" not in location:
                    raise RuntimeError(f"start answered {status} to {location!r}")
                saves = []
                for number, fields in enumerate(pages, start=1):
                    t = time.perf_counter()
                    form = {"csrf_token": token, "go": "next", **fields}
                    status, _, _ = browser.request("POST", f"{location}?page={number}", form)
                    saves.append(time.perf_counter() - t)
                    if status != 302:
                        raise RuntimeError(f"save of page {number} answered {status}")
                t = time.perf_counter()
                status, _, _ = browser.request("POST", f"{location}/submit", {"csrf_token": token})
                submit_s = time.perf_counter() - t
                if status != 302:
                    raise RuntimeError(f"submit answered {status}")
                with lock:
                    timings["start"].append(start_s)
                    timings["save"].extend(saves)
                    timings["submit"].append(submit_s)
                    timings["whole"].append(time.perf_counter() - began)
            except Exception as exc:  # counted and printed: the rush must have none
                with lock:
                    errors.append(f"learner {uid}: {exc}")

        threads = [threading.Thread(target=learner, args=(uid,)) for uid in user_ids]
        for t in threads:
            t.start()
        cpu_before = _worker_cpu(server.process.pid)
        barrier.wait()
        began = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        worker_cpu = _worker_cpu(server.process.pid) - cpu_before

    with app.app_context():
        rows = db.session.execute(
            select(Attempt.user_id, Attempt.number, Attempt.state).where(
                Attempt.quiz_id == quiz_id, Attempt.user_id.in_(user_ids)
            )
        ).all()
    new = {uid: [r for r in rows if r.user_id == uid] for uid in user_ids}
    extra = {uid: len(new[uid]) - before[uid] for uid in user_ids}
    lost = sum(1 for n in extra.values() if n < 1)
    doubled = sum(1 for n in extra.values() if n > 1)
    duplicates = len(rows) - len({(r.user_id, r.number) for r in rows})
    ungraded = sum(1 for uid in user_ids for r in new[uid] if r.state != AttemptState.GRADED)
    print(f"{len(user_ids)} learners, quiz of {questions} questions on {len(pages)} pages, gunicorn -w {args.workers}")
    print(f"all done in {elapsed:.1f} s ({len(user_ids) / elapsed:.1f} learners/s)")
    for step in ("start", "save", "submit", "whole"):
        print(f"  {step:<7} {_ms(timings[step])}")
    requests = len(timings["start"]) + len(timings["save"]) + len(timings["submit"])
    if requests:
        per_request = 1000 * worker_cpu / requests
        print(f"worker CPU: {worker_cpu:.1f} s for {requests} requests, {per_request:.1f} ms a request "
              f"(start, saves and submit together; bench/quiz_steps.py gives each step's); "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"errors: {len(errors)}; attempts lost: {lost}; doubled: {doubled}; duplicate numbers: {duplicates}; "
          f"not graded: {ungraded}")  # fmt: skip
    for line in errors[:10]:
        print("  " + line)
    forget_attempts(
        app, quiz_id, user_ids, first_new, args.redis_url
    )  # checked above: the next run starts as this one did
    return 0 if not (errors or lost or doubled or duplicates or ungraded) else 1


if __name__ == "__main__":
    raise SystemExit(main())
