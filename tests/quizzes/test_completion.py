"""Outcome mastery (the documented rule) and the quiz requirements certificates rely on."""

from __future__ import annotations

from datetime import UTC, datetime

from academy.courses.models import Enrolment
from academy.quizzes.completion import mastery_for, mastery_table, outcome_report, quiz_requirements_met
from academy.quizzes.services import results
from tests.factories import create_user
from tests.quizzes.factories import (
    create_course,
    create_question,
    create_quiz,
    enrol,
    outcome_key,
    take_attempt,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LO1, LO2, LO3 = outcome_key("LO1"), outcome_key("LO2"), outcome_key("LO3")


def _setup():
    course = create_course()
    q1 = create_question(course, outcomes=("LO1",), points=1)
    q2 = create_question(course, outcomes=("LO1",), points=3)
    q3 = create_question(course, outcomes=("LO1", "LO2"), points=2)
    quiz = create_quiz(course, questions=[q1, q2, q3], pass_mark=50)
    user = create_user()
    enrolment = enrol(user, course)
    return course, quiz, user, enrolment


def test_mastery_takes_the_best_result_per_question_weighted_by_points(db):
    _course, quiz, user, enrolment = _setup()
    take_attempt(quiz, user, {1: 0, 2: 1, 3: 1}, now=T0)  # q1 right only
    take_attempt(quiz, user, {1: 1, 2: 0, 3: 1}, now=T0)  # q2 right only
    # Best: q1 1/1, q2 3/3, q3 0/2 -> LO1 = 4/6, LO2 = 0/2; LO3 has no evidence.
    assert mastery_for(enrolment) == {LO1: 66.7, LO2: 0.0}


def test_mastery_ignores_open_attempts_and_ungraded_essays(db):
    course = create_course()
    essay = create_question(course, type="essay", outcomes=("LO3",))
    plain = create_question(course, outcomes=("LO2",))
    quiz = create_quiz(course, questions=[essay, plain])
    user = create_user()
    enrolment = enrol(user, course)
    take_attempt(quiz, user, {1: "An answer to read.", 2: 0}, now=T0)
    assert mastery_for(enrolment) == {LO2: 100.0}
    open_quiz = create_quiz(course, questions=[create_question(course, outcomes=("LO1",))])
    take_attempt(open_quiz, user, {1: 0}, now=T0, submit=False)
    assert mastery_for(enrolment) == {LO2: 100.0}


def test_mastery_is_per_learner(db):
    _course, quiz, _user, enrolment = _setup()
    other = create_user()
    enrol(other, quiz.course)
    take_attempt(quiz, other, {1: 0, 2: 0, 3: 0}, now=T0)
    assert mastery_for(enrolment) == {}


def test_outcome_report_lists_every_outcome_with_threshold(db):
    _course, quiz, user, enrolment = _setup()
    take_attempt(quiz, user, {1: 0, 2: 0, 3: 0}, now=T0)
    report = outcome_report(enrolment)
    assert [(r.outcome.code, r.percent, r.mastered) for r in report] == [
        ("LO1", 100.0, True),
        ("LO2", 100.0, True),
        ("LO3", None, False),
    ]


def test_quiz_requirements(db):
    course = create_course()
    question = create_question(course)
    required_a = create_quiz(course, questions=[question], pass_mark=100)
    required_b = create_quiz(course, questions=[question], pass_mark=100)
    create_quiz(course, questions=[question], required=False)
    create_quiz(course, questions=[question], published=False)  # hidden quizzes do not count
    user = create_user()
    enrolment = enrol(user, course)
    assert not quiz_requirements_met(enrolment)
    take_attempt(required_a, user, {1: 0}, now=T0)
    take_attempt(required_b, user, {1: 1}, now=T0)
    assert not quiz_requirements_met(enrolment)
    take_attempt(required_b, user, {1: 0}, now=T0)
    assert quiz_requirements_met(enrolment)


def test_a_course_without_required_quizzes_has_no_quiz_requirement(db):
    course = create_course()
    enrolment = enrol(create_user(), course)
    assert quiz_requirements_met(enrolment)


def test_mastery_table_rows_and_constant_queries(db, count_queries):
    def build(learners: int):
        course, quiz, _user, _enrolment = _setup()
        for i in range(learners):
            learner = create_user(name=f"Learner {i:02d}")
            enrol(learner, course)
            take_attempt(quiz, learner, {1: 0, 2: i % 2, 3: 1}, now=T0)
        db.session.expire_all()
        return course

    small, large = build(1), build(6)
    with count_queries() as q_small:
        outcomes, rows_small = mastery_table(small)
    with count_queries() as q_large:
        _outcomes, rows_large = mastery_table(large)
    assert q_small.count == q_large.count
    assert [o.code for o in outcomes] == ["LO1", "LO2", "LO3"]
    assert len(rows_large) == 7  # six learners and the one from _setup without attempts
    learner_0 = next(r for r in rows_large if r.user.name == "Learner 00")
    assert learner_0.mastery == {LO1: 66.7, LO2: 0.0}  # q1 and q2 right (4 of 6 points), q3 wrong
    assert isinstance(rows_small[0].enrolment, Enrolment)


def test_standings_in_one_query(db, count_queries):
    _course, quiz, user, _enrolment = _setup()
    take_attempt(quiz, user, {1: 0}, now=T0)
    _ids = (quiz.id, user.id)  # loaded before counting: the commit expired them
    with count_queries() as q:
        result = results.standings([quiz], user)
    assert q.count == 1
    assert result[quiz.id].used == 1


def test_a_request_computes_mastery_once_and_forgets_it_when_anything_is_written(app, db, count_queries):
    _course, quiz, user, enrolment = _setup()
    take_attempt(quiz, user, {1: 0, 2: 1, 3: 1}, now=T0)  # q1 right only
    with app.test_request_context():
        assert mastery_for(enrolment) == {LO1: 16.7, LO2: 0.0}
        with count_queries() as again:
            assert mastery_for(enrolment) == {LO1: 16.7, LO2: 0.0}
        assert again.count == 0
        take_attempt(quiz, user, {1: 1, 2: 0, 3: 0}, now=T0)  # q2 and q3 right: the write clears the memo
        assert mastery_for(enrolment) == {LO1: 100.0, LO2: 100.0}
    with app.test_request_context(), count_queries() as fresh:
        mastery_for(enrolment)  # a new request starts without the memo
    assert fresh.count == 1
