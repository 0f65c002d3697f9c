"""Learners starting and submitting the same quiz at the same moment: no error, one attempt each.

The small version of bench/quiz_rush.py (200 learners over HTTP): here 20 learners in threads, each
with their own browser (test client), on a SQLite file and on PostgreSQL, plus five double clicks.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

from sqlalchemy import func, select

from academy.auth import services as auth_services
from academy.auth.models import User
from academy.bench.generate import Generator
from academy.bench.sizes import SIZES
from academy.bench.targets import answers_for
from academy.courses.models import Enrolment
from academy.extensions import db
from academy.quizzes.models import Attempt, AttemptState, Quiz
from tests.conftest import RequestClient
from tests.quizzes.test_concurrency import race_app  # noqa: F401 (fixture: SQLite file and PostgreSQL)

LEARNERS = 20
DOUBLE_CLICKS = 5
SHAPE = replace(SIZES["XS"], users=60, enrolments_per_user=3)  # everyone is enrolled in every course


def _browser(app, user_id: int):
    """A test client logged in as the user through a real server-side session."""
    client = app.test_client()
    with app.app_context():
        row = auth_services.start_session(db.session.get(User, user_id))
        db.session.commit()
        token = row.token
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def _token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_learners_starting_and_submitting_one_quiz_at_once(race_app):  # noqa: F811
    app = race_app
    app.test_client_class = RequestClient  # each request its own app context (and `g`), as in production
    with app.app_context():
        Generator(SHAPE, seed=11).run(pdfs=False)
        quiz = db.session.scalar(select(Quiz).where(Quiz.time_limit_minutes.is_not(None)).order_by(Quiz.id))
        slug, quiz_id, questions = quiz.course.slug, quiz.id, len(quiz.slots)
        learners = list(
            db.session.scalars(
                select(Enrolment.user_id).where(Enrolment.course_id == quiz.course_id).order_by(Enrolment.user_id)
            )
        )[:LEARNERS]
        before = dict(
            db.session.execute(
                select(Attempt.user_id, func.count()).where(Attempt.quiz_id == quiz_id).group_by(Attempt.user_id)
            ).all()
        )
        fields = answers_for(quiz_id, 1, questions)
    assert len(learners) == LEARNERS
    quiz_url = f"/courses/{slug}/quiz/{quiz_id}"
    # Each learner's browser; the first five learners press "start" twice, from two tabs.
    runners = [(uid, _browser(app, uid), True) for uid in learners]
    runners += [(uid, runners[i][1], False) for i, uid in enumerate(learners[:DOUBLE_CLICKS])]
    tokens = {id(client): _token(client, quiz_url) for _uid, client, _primary in runners}
    at_start, after_start = threading.Barrier(len(runners)), threading.Barrier(len(runners))
    errors: list[str] = []
    landed: dict[tuple[int, bool], str] = {}
    lock = threading.Lock()

    def learner(uid: int, client, primary: bool) -> None:
        token = tokens[id(client)]
        try:
            at_start.wait(timeout=30)
            try:
                started = client.post(f"{quiz_url}/start", data={"csrf_token": token})
            finally:
                after_start.wait(timeout=60)  # both tabs of a double click press "start" before either goes on
            assert started.status_code == 302, started.status_code
            attempt_url = landed[uid, primary] = started.headers["Location"]
            assert "/attempts/" in attempt_url, attempt_url
            if not primary:
                return
            saved = client.post(f"{attempt_url}?page=1", data={"csrf_token": token, "go": "save", **fields})
            assert saved.status_code == 302, saved.status_code
            submitted = client.post(f"{attempt_url}/submit", data={"csrf_token": token})
            assert submitted.status_code == 302, submitted.status_code
        except Exception as exc:  # collected: every failure is reported, not only the first
            with lock:
                errors.append(f"learner {uid}: {exc!r}")

    threads = [threading.Thread(target=learner, args=runner) for runner in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with app.app_context():
        rows = db.session.execute(
            select(Attempt.user_id, Attempt.number, Attempt.state).where(Attempt.quiz_id == quiz_id)
        ).all()
    new = {uid: [r for r in rows if r.user_id == uid and r.number > before.get(uid, 0)] for uid in learners}
    assert {uid: len(attempts) for uid, attempts in new.items()} == dict.fromkeys(
        learners, 1
    )  # none lost, none doubled
    assert all(a.state == AttemptState.GRADED for attempts in new.values() for a in attempts)
    assert len({(r.user_id, r.number) for r in rows}) == len(rows)
    for uid in learners[:DOUBLE_CLICKS]:  # the second tab continues the attempt the first one started
        assert landed[uid, False] == landed[uid, True]
