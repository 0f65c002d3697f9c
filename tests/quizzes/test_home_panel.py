"""The trainer's start page: essays waiting for a grade in the courses they own."""

from __future__ import annotations

from academy.quizzes.services import attempts as services
from tests.factories import create_user
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt


def _essay_waiting(course, *, learners: int = 1) -> list:
    essay = create_question(course, type="essay", points=4)
    quiz = create_quiz(course, questions=[essay], pass_mark=50)
    return [take_attempt(quiz, create_learner(course), {1: "Flat rates follow their base."}) for _ in range(learners)]


def test_the_owner_sees_essays_waiting_and_the_panel_goes_once_they_are_graded(db, client, login):
    owner = create_user(trainer=True)
    course = create_course(title="Simplified cost options", owners=(owner,))
    attempts = _essay_waiting(course, learners=2)
    quiet = create_course(title="Interreg brand", owners=(owner,))  # nothing waiting: not listed
    create_quiz(quiet, questions=[create_question(quiet)])

    login(owner)
    page = client.get("/").get_data(as_text=True)
    assert "Waiting for you" in page
    assert "2 essays to grade" in page and f"/teach/{course.slug}/grading" in page
    assert f"/teach/{quiet.slug}/grading" not in page

    for attempt in attempts:
        essay = next(r for r in attempt.responses if r.fraction is None)
        services.grade_manually(essay, points=3, grader=owner)
    db.session.commit()
    assert "Waiting for you" not in client.get("/").get_data(as_text=True)


def test_other_trainers_and_learners_never_see_someone_elses_essays(db, client, login):
    owner = create_user(trainer=True)
    course = create_course(owners=(owner,))
    (attempt,) = _essay_waiting(course)
    for person in (create_user(trainer=True), attempt.user):
        login(person)
        assert "Waiting for you" not in client.get("/").get_data(as_text=True)


def test_the_panel_costs_the_same_queries_for_one_course_or_many(db, client, login, count_queries):
    owner = create_user(trainer=True)
    login(owner)
    _essay_waiting(create_course(owners=(owner,)))
    client.get("/")
    with count_queries() as one:
        client.get("/")
    for _ in range(3):
        _essay_waiting(create_course(owners=(owner,)), learners=2)
    with count_queries() as many:
        assert client.get("/").get_data(as_text=True).count("essays to grade") == 3
    assert many.count == one.count, many.statements
