"""Questions kept per process for the exam steps (quizzes/snapshots.py) never show a learner stale content."""

from __future__ import annotations

import random
import re

from academy.extensions import db
from academy.quizzes import snapshots
from academy.quizzes.models import SlotKind
from academy.quizzes.services import attempts, bank
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.spec import spec_from_version
from tests.quizzes import factories

QUESTION_READS = re.compile(r"FROM (questions|question_versions|quiz_slots)\b")


def _reads(counter) -> list[str]:
    return [s for s in counter.statements if QUESTION_READS.search(s)]


def test_a_second_start_reads_no_question_and_a_learners_writes_keep_the_plan(app, count_queries):
    course = factories.create_course()
    questions = [factories.create_question(course) for _ in range(3)]
    quiz = factories.create_quiz(course, questions=questions)
    factories.take_attempt(quiz, factories.create_learner(course), {1: 0})  # attempts, enrolment, user: kept
    with count_queries() as counter:
        attempt = attempts.start_attempt(quiz, factories.create_learner(course))
    assert _reads(counter) == []
    assert [r.question_id for r in attempt.responses] == [q.id for q in questions]


def test_a_new_slot_shows_in_the_next_attempt(app):
    course = factories.create_course()
    first, second = factories.create_question(course), factories.create_question(course)
    quiz = factories.create_quiz(course, questions=[first])
    factories.take_attempt(quiz, factories.create_learner(course))  # the plan is kept now
    quiz_services.add_slot(quiz, SlotKind.QUESTION, question=second)
    db.session.commit()
    attempt = attempts.start_attempt(quiz, factories.create_learner(course))
    assert [r.question_id for r in attempt.responses] == [first.id, second.id]


def test_an_edit_in_place_and_a_new_version_show_in_the_next_attempt(app):
    course = factories.create_course()
    question = factories.create_question(course, points=1)
    quiz = factories.create_quiz(course, questions=[question])
    snapshots.plan(quiz)  # kept, no attempt yet: the next edit changes the version in place
    original = question.current_version.id
    spec = spec_from_version(question.current_version, key=question.key, tags=[])
    spec.points = 3
    in_place = bank.update_question(question, spec, list(question.current_version.outcome_keys))
    db.session.commit()
    assert in_place.id == original
    learner = factories.create_learner(course)
    attempt = factories.take_attempt(quiz, learner, {1: 0})
    assert attempt.max_score == 3 and attempt.score == 3

    spec.points = 5  # the version is used now: a new one, which the next attempt gets
    new = bank.update_question(question, spec, list(in_place.outcome_keys))
    db.session.commit()
    assert new.id != in_place.id
    other = factories.take_attempt(quiz, factories.create_learner(course), {1: 0})
    assert other.max_score == 5 and other.score == 5
    assert attempt.responses[0].question_version_id == in_place.id  # the first attempt keeps its version


def test_an_edit_not_committed_yet_is_read_and_not_kept(app, count_queries):
    course = factories.create_course()
    first, second = factories.create_question(course), factories.create_question(course)
    quiz = factories.create_quiz(course, questions=[first])
    assert [v.question_id for v in snapshots.plan(quiz).questions] == [first.id]
    quiz_services.add_slot(quiz, SlotKind.QUESTION, question=second)  # flushed, not committed
    assert [v.question_id for v in snapshots.plan(quiz).questions] == [first.id, second.id]
    db.session.rollback()
    with count_queries() as counter:
        plan = snapshots.plan(quiz)
    assert [v.question_id for v in plan.questions] == [first.id]  # the rolled-back slot was never kept
    assert _reads(counter) == []  # the plan kept before the edit still holds


def test_grading_uses_the_version_the_attempt_was_given(app):
    course = factories.create_course()
    question = factories.create_question(course)  # right answer: the first choice
    quiz = factories.create_quiz(course, questions=[question])
    learner = factories.create_learner(course)
    attempt = attempts.start_attempt(quiz, learner, rng=random.Random(1))
    attempts.save_answers(attempt, {1: 0})
    db.session.commit()
    spec = spec_from_version(question.current_version, key=question.key, tags=[])
    spec.data = {**spec.data, "choices": list(reversed(spec.data["choices"]))}  # now the last one is right
    bank.update_question(question, spec, list(question.current_version.outcome_keys))
    db.session.commit()
    assert attempts.submit_attempt(attempt)
    db.session.commit()
    assert attempt.passed and attempt.score == 1.0


def test_a_slot_added_outside_the_app_shows_after_the_data_changed_command(app):
    from academy.core.data_version import _state

    course = factories.create_course()
    first, second = factories.create_question(course), factories.create_question(course)
    quiz = factories.create_quiz(course, questions=[first])
    assert [v.question_id for v in snapshots.plan(quiz).questions] == [first.id]
    db.session.execute(  # as psql would
        db.text(
            "INSERT INTO quiz_slots (quiz_id, position, kind, question_id, count) VALUES (:q, 9, 'question', :s, 1)"
        ),
        {"q": quiz.id, "s": second.id},
    )
    _state.wrote, _state.tracked = False, set()  # psql is another process: the app saw nothing
    db.session.commit()
    assert [v.question_id for v in snapshots.plan(quiz).questions] == [first.id]  # kept
    assert app.test_cli_runner().invoke(args=["academy", "data-changed"]).exit_code == 0
    assert [v.question_id for v in snapshots.plan(quiz).questions] == [first.id, second.id]
