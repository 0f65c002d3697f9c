"""Every page of the performance issue runs as many queries on a small generated shape as on a larger one."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import event, text

from academy.bench.generate import Generator
from academy.bench.sizes import SIZES
from academy.bench.targets import GET_PAGES, answers_for, targets
from academy.extensions import db
from academy.quizzes import snapshots
from tests.conftest import csrf_token
from tests.quizzes.factories import create_learner

SMALL = SIZES["XS"]
# Longer courses, bigger quizzes, longer threads, more attempts per learner, more courses in the lists.
LARGE = replace(
    SMALL, users=60, courses=5, modules=6, lessons=4, questions=100, attempts=1_500, responses=9, posts=160,
    posts_per_thread=30, certificates=20, enrolments_per_user=3,
)  # fmt: skip


def _reset() -> None:
    db.session.remove()
    snapshots.clear()  # ids start again: question versions kept by id would be another database's
    if db.engine.dialect.name == "sqlite":
        db.drop_all()
        db.create_all()
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _measure(client, login, count_queries, size) -> dict[str, int]:
    """Queries per page for generated learner 0, after one warm-up request each."""
    Generator(size, seed=5).run(pdfs=False)
    where = targets(0, seed=5)
    login(where.user)
    counts = {}
    for page in GET_PAGES:
        url = where.url(page)
        assert client.get(url).status_code == 200, url
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts[page] = q.count
    token = csrf_token(client, where.quiz_url())
    started = client.post(f"{where.quiz_url()}/start", data={"csrf_token": token})
    attempt_url = started.headers["Location"]
    assert re.search(r"/attempts/\d+$", attempt_url)
    fields = {"csrf_token": token, "go": "next", **answers_for(where.quiz_id, 1, 5)}
    with count_queries() as q:
        assert client.post(f"{attempt_url}?page=1", data=fields).status_code == 302
    counts["quiz_save"] = q.count
    with count_queries() as q:
        assert client.post(f"{attempt_url}/submit", data={"csrf_token": token}).status_code == 302
    counts["quiz_submit"] = q.count
    assert client.get(f"{attempt_url}/result").status_code == 200
    return counts


def test_every_page_runs_the_same_queries_on_a_small_and_a_large_shape(app, client, login, count_queries):
    small = _measure(client, login, count_queries, SMALL)
    _reset()
    large = _measure(client, login, count_queries, LARGE)
    assert small == large


def test_starting_a_quiz_of_fixed_questions_reads_only_its_questions(app, count_queries):
    from academy.auth.models import User
    from academy.quizzes.models import Question, Quiz
    from academy.quizzes.services import attempts

    Generator(SMALL, seed=5).run(pdfs=False)
    where = targets(0, seed=5)
    db.session.commit()
    user_id = where.user.id
    db.session.expunge_all()
    quiz, user = db.session.get(Quiz, where.quiz_id), db.session.get(User, user_id)
    loaded: set[int] = set()

    def on_load(question, _context) -> None:
        loaded.add(question.id)

    event.listen(Question, "load", on_load)
    try:
        with count_queries() as first:
            attempt = attempts.start_attempt(quiz, user)
    finally:
        event.remove(Question, "load", on_load)
    assert loaded == set()  # no ORM objects for the questions: plain data (quizzes/snapshots.py)
    drawn = {r.question_id for r in attempt.responses}
    assert len(drawn) == SMALL.responses
    assert {v.question_id for v in snapshots.plan(quiz).questions} == drawn  # not the rest of the bank
    db.session.commit()  # a new attempt changes no question: the plan stays

    other = create_learner(quiz.course)  # commits: the public data changed, the quiz did not
    with count_queries() as second:
        assert attempts.start_attempt(quiz, other).number == 1
    reads = [s for s in second.statements if re.search(r"FROM (questions|question_versions|quiz_slots)\b", s)]
    assert reads == [], "the second start of the same quiz read questions again"
    assert any(re.search(r"FROM (questions|question_versions|quiz_slots)\b", s) for s in first.statements)
