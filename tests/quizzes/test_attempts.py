"""Attempts through the services: draws, shuffling, deadlines on a controlled clock, grading, essays."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from academy.exceptions import Conflict, PermissionDenied, ServiceError
from academy.quizzes import jobs
from academy.quizzes.models import AttemptState
from academy.quizzes.services import accommodations, marking, results
from academy.quizzes.services import attempts as services
from academy.quizzes.services.attempts import DeadlinePassed
from tests.factories import create_user
from tests.quizzes.factories import (
    create_course,
    create_learner,
    create_question,
    create_quiz,
    outcome_key,
    take_attempt,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_only_enrolled_learners_start(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)])
    with pytest.raises(PermissionDenied):
        services.start_attempt(quiz, create_user(), now=T0)


def test_start_freezes_questions_and_resumes_the_open_attempt(db):
    course = create_course()
    q1, q2 = create_question(course), create_question(course, type="truefalse")
    quiz = create_quiz(course, questions=[q1, q2])
    learner = create_learner(course)
    attempt = services.start_attempt(quiz, learner, now=T0)
    db.session.commit()
    assert [r.question_id for r in attempt.responses] == [q1.id, q2.id]
    assert [r.question_version_id for r in attempt.responses] == [q1.current_version_id, q2.current_version_id]
    assert attempt.max_score == 2.0
    assert services.start_attempt(quiz, learner, now=T0 + timedelta(minutes=5)).id == attempt.id


def test_stratified_random_draw_per_outcome(db):
    course = create_course()
    lo1 = [create_question(course, outcomes=("LO1",)) for _ in range(6)]
    lo2 = [create_question(course, outcomes=("LO2",)) for _ in range(6)]
    both = create_question(course, outcomes=("LO1", "LO2"))
    quiz = create_quiz(course, random_slots=(("outcome", "LO1", 2), ("outcome", "LO2", 3)), max_attempts=None)
    pool1 = {q.id for q in [*lo1, both]}
    pool2 = {q.id for q in [*lo2, both]}
    seen: Counter[int] = Counter()
    for seed in range(40):
        drawn = services.draw(quiz, random.Random(seed))
        ids = [q.id for q in drawn]
        assert len(ids) == 5 and len(set(ids)) == 5  # never the same question twice
        assert set(ids[:2]) <= pool1  # two for LO1
        assert set(ids[2:]) <= pool2  # three for LO2
        seen.update(ids)
    assert len(seen) == 13  # over many attempts every question of both pools comes up


def test_category_slot_draws_from_subcategories_and_fixed_questions_are_not_drawn_again(db):
    course = create_course()
    fixed = create_question(course, category="Finance/SCO")
    others = [create_question(course, category="Finance/SCO") for _ in range(2)]
    create_question(course, category="Audit")
    quiz = create_quiz(course, questions=[fixed], random_slots=(("category", "Finance", 2),))
    for seed in range(10):
        ids = [q.id for q in services.draw(quiz, random.Random(seed))]
        assert ids[0] == fixed.id
        assert sorted(ids[1:]) == sorted(q.id for q in others)


def test_a_quiz_the_bank_cannot_fill_refuses_to_start(db):
    course = create_course()
    create_question(course, outcomes=("LO1",))
    quiz = create_quiz(course, random_slots=(("outcome", "LO1", 2),))
    with pytest.raises(ServiceError, match="too few questions"):
        services.start_attempt(quiz, create_learner(course), now=T0)


def test_shuffling_questions_and_answers_is_stored_per_attempt(db):
    course = create_course()
    questions = [create_question(course) for _ in range(6)]
    quiz = create_quiz(course, questions=questions, shuffle_questions=True, shuffle_answers=True)
    learner = create_learner(course)
    attempt = services.start_attempt(quiz, learner, now=T0, rng=random.Random(3))
    assert [r.question_id for r in attempt.responses] != [q.id for q in questions]
    assert sorted(r.question_id for r in attempt.responses) == sorted(q.id for q in questions)
    orders = {tuple(r.order) for r in attempt.responses}
    assert all(sorted(o) == [0, 1, 2] for o in orders)
    assert len(orders) > 1


def test_answers_map_from_displayed_positions_to_choices(db):
    course = create_course()
    question = create_question(course)  # right answer is choice 0
    quiz = create_quiz(course, questions=[question], shuffle_answers=True)
    attempt = services.start_attempt(quiz, create_learner(course), now=T0, rng=random.Random(5))
    response = attempt.responses[0]
    shown_at = response.order.index(0)  # where the right answer is displayed
    answer = services.answer_from_form(response, lambda name: [str(shown_at)] if name == "q1" else [])
    assert answer == 0
    services.save_answers(attempt, {1: answer}, now=T0)
    services.submit_attempt(attempt, now=T0)
    assert attempt.percent == 100.0


def test_grading_an_attempt_of_every_type(db):
    course = create_course()
    questions = [
        create_question(course, type="single"),
        create_question(course, type="multiple", points=2),
        create_question(course, type="truefalse"),
        create_question(course, type="short"),
        create_question(course, type="numerical"),
        create_question(course, type="matching"),
    ]
    quiz = create_quiz(course, questions=questions, pass_mark=60)
    answers = {1: 0, 2: [0], 3: True, 4: " JEMS ", 5: "15", 6: {"0": 0, "1": 0}}
    attempt = take_attempt(quiz, create_learner(course), answers, now=T0)
    assert [r.score for r in attempt.responses] == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5]
    assert attempt.score == 5.5 and attempt.max_score == 7.0
    assert attempt.percent == pytest.approx(78.57143)
    assert attempt.passed is True
    assert attempt.state == AttemptState.GRADED


def test_negative_multiple_response_never_goes_below_zero(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course, type="multiple")])
    attempt = take_attempt(quiz, create_learner(course), {1: [2]}, now=T0)
    assert attempt.responses[0].score == 0.0


def test_saving_is_refused_after_submission(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)])
    attempt = take_attempt(quiz, create_learner(course), {1: 1}, now=T0)
    with pytest.raises(Conflict):
        services.save_answers(attempt, {1: 0}, now=T0)


# --- time limit on a controlled clock ----------------------------------------------------------


def test_deadline_from_time_limit_capped_by_close_date(db):
    course = create_course()
    question = create_question(course)
    timed = create_quiz(course, questions=[question], time_limit_minutes=20)
    attempt = services.start_attempt(timed, create_learner(course), now=T0)
    assert attempt.deadline == T0 + timedelta(minutes=20)
    closing = create_quiz(course, questions=[question], time_limit_minutes=60, closes_at=T0 + timedelta(minutes=30))
    assert accommodations.planned_deadline(closing, T0) == T0 + timedelta(minutes=30)


def test_answers_after_the_deadline_are_refused(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course), create_question(course)], time_limit_minutes=10)
    attempt = services.start_attempt(quiz, create_learner(course), now=T0)
    services.save_answers(attempt, {1: 0}, now=T0 + timedelta(minutes=10))  # at the deadline: accepted
    db.session.commit()
    with pytest.raises(DeadlinePassed):
        services.save_answers(attempt, {2: 0}, now=T0 + timedelta(minutes=10, seconds=1))
    db.session.rollback()
    assert attempt.responses[1].answer is None


def test_overdue_attempt_is_submitted_with_saved_answers_on_next_access(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course), create_question(course)], time_limit_minutes=10)
    learner = create_learner(course)
    attempt = services.start_attempt(quiz, learner, now=T0)
    services.save_answers(attempt, {1: 0}, now=T0 + timedelta(minutes=2))
    db.session.commit()
    assert not services.close_if_overdue(attempt, now=T0 + timedelta(minutes=9))
    assert services.close_if_overdue(attempt, now=T0 + timedelta(hours=3))
    db.session.commit()
    assert attempt.state == AttemptState.GRADED
    assert attempt.submitted_by == "deadline"
    assert attempt.submitted_at == T0 + timedelta(minutes=10)  # it ended at the deadline
    assert attempt.score == 1.0 and attempt.percent == 50.0


def test_starting_again_closes_the_overdue_attempt_first(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=5)
    learner = create_learner(course)
    first = services.start_attempt(quiz, learner, now=T0)
    db.session.commit()
    second = services.start_attempt(quiz, learner, now=T0 + timedelta(minutes=6))
    assert second.id != first.id and second.number == 2
    assert first.state == AttemptState.GRADED


def test_sweep_closes_overdue_attempts_even_if_the_browser_is_gone(app, db, monkeypatch):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=5)
    overdue = services.start_attempt(quiz, create_learner(course), now=T0)
    services.save_answers(overdue, {1: 0}, now=T0 + timedelta(minutes=1))
    running = services.start_attempt(quiz, create_learner(course), now=T0 + timedelta(minutes=4))
    db.session.commit()
    monkeypatch.setattr("academy.quizzes.clock.now", lambda: T0 + timedelta(minutes=6))
    result = app.test_cli_runner().invoke(args=["academy", "quizzes", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "Closed 1 overdue attempts." in result.output
    db.session.expire_all()
    assert overdue.state == AttemptState.GRADED and overdue.percent == 100.0
    assert running.state == AttemptState.IN_PROGRESS
    assert jobs.close_overdue_sweep() == 0  # idempotent


def test_queued_closing_jobs_run_after_commit(app, db, monkeypatch):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=5)
    attempt = services.start_attempt(quiz, create_learner(course), now=T0)
    db.session.commit()
    monkeypatch.setattr("academy.quizzes.clock.now", lambda: T0 + timedelta(minutes=6))
    with app.app_context():
        assert jobs.queue_overdue() == 1
    db.session.expire_all()
    assert attempt.state == AttemptState.GRADED
    assert jobs.close_overdue_attempt(attempt.id) is False  # a second run changes nothing


# --- availability ------------------------------------------------------------------------------


def test_max_attempts_and_open_close_dates(db):
    course = create_course()
    question = create_question(course)
    learner = create_learner(course)
    quiz = create_quiz(course, questions=[question], max_attempts=2)
    take_attempt(quiz, learner, {1: 1}, now=T0)
    take_attempt(quiz, learner, {1: 1}, now=T0)
    with pytest.raises(Conflict, match="used all your attempts"):
        services.start_attempt(quiz, learner, now=T0)

    later = create_quiz(course, questions=[question], opens_at=T0 + timedelta(days=1))
    with pytest.raises(Conflict, match="not open yet"):
        services.start_attempt(later, learner, now=T0)
    closed = create_quiz(course, questions=[question], closes_at=T0)
    with pytest.raises(Conflict, match="closed"):
        services.start_attempt(closed, learner, now=T0)
    hidden = create_quiz(course, questions=[question], published=False)
    with pytest.raises(Conflict, match="not available"):
        services.start_attempt(hidden, learner, now=T0)


@pytest.mark.parametrize(
    ("method", "grade", "passed"),
    [("highest", 100.0, True), ("last", 50.0, False), ("first", 0.0, False), ("average", 50.0, False)],
)
def test_grading_methods_decide_the_quiz_grade(db, method, grade, passed):
    course = create_course()
    questions = [create_question(course), create_question(course)]
    quiz = create_quiz(course, questions=questions, grading_method=method, pass_mark=60)
    learner = create_learner(course)
    for answers in ({1: 1, 2: 1}, {1: 0, 2: 0}, {1: 0, 2: 1}):  # 0%, 100%, 50%
        take_attempt(quiz, learner, answers, now=T0)
    standing = results.standing(quiz, services.attempts_of(quiz, learner))
    assert standing.grade == grade
    assert standing.passed is passed
    assert standing.best == 100.0


# --- essays ------------------------------------------------------------------------------------


def test_essay_attempt_waits_for_a_trainer_then_is_graded(db):
    trainer = create_user(trainer=True)
    course = create_course(owners=(trainer,))
    essay = create_question(course, type="essay", points=4, outcomes=("LO3",))
    quiz = create_quiz(course, questions=[create_question(course), essay], pass_mark=50)
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: 0, 2: "Branding makes cooperation visible."}, now=T0)
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.score is None and attempt.passed is None
    assert results.standing(quiz, [attempt]).grade is None
    assert [r.id for r in marking.waiting_responses(course)] == [attempt.responses[1].id]

    with pytest.raises(ServiceError, match="between 0 and 4"):
        services.grade_manually(attempt.responses[1], points=5, grader=trainer, now=T0)
    services.grade_manually(attempt.responses[1], points=3, comment="Good point.", grader=trainer, now=T0)
    db.session.commit()
    assert attempt.state == AttemptState.GRADED
    assert attempt.score == 4.0 and attempt.percent == 80.0 and attempt.passed
    assert attempt.responses[1].fraction == 0.75
    assert marking.waiting_responses(course) == []


def test_empty_essay_scores_zero_without_waiting(db):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course, type="essay")])
    attempt = take_attempt(quiz, create_learner(course), {}, now=T0)
    assert attempt.state == AttemptState.GRADED and attempt.score == 0.0


def test_outcome_scores_of_an_attempt(db):
    course = create_course()
    q1 = create_question(course, outcomes=("LO1",), points=2)
    q2 = create_question(course, outcomes=("LO1", "LO2"))
    quiz = create_quiz(course, questions=[q1, q2])
    attempt = take_attempt(quiz, create_learner(course), {1: 0, 2: 1}, now=T0)
    scores = results.outcome_scores(attempt)
    assert (scores[outcome_key("LO1")].score, scores[outcome_key("LO1")].possible) == (2.0, 3.0)
    assert scores[outcome_key("LO1")].percent == 66.7
    assert scores[outcome_key("LO2")].percent == 0.0
    assert outcome_key("LO3") not in scores


def test_review_options_after_the_attempt_and_after_close(db):
    course = create_course()
    quiz = create_quiz(
        course,
        questions=[create_question(course)],
        closes_at=T0,
        review_score_after=True,
        review_answers_after=False,
        review_feedback_after=False,
        review_score_closed=False,
        review_answers_closed=True,
        review_feedback_closed=True,
    )
    assert results.review_options(quiz, T0 - timedelta(seconds=1)) == results.Review(True, False, False)
    assert results.review_options(quiz, T0) == results.Review(False, True, True)
