"""What a page loads twice is loaded once per request, and forgotten as soon as anything is written."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from academy.bench.generate import Generator
from academy.bench.sizes import SIZES
from academy.bench.targets import targets
from academy.certificates import completion
from academy.courses.models import LessonProgress
from academy.courses.services import catalogue, progress
from academy.quizzes.completion import learner_standings, quiz_requirements_met
from tests.certificates.factories import create_course, create_enrolment
from tests.factories import create_user
from tests.quizzes import factories as quiz_factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Statements of one request as generated learner 0 (session look-up included), on SQLite and
# PostgreSQL alike. Before the request memo the course page ran 25 (profile: bench/profile_page.py).
# The course page grew by one when it began to lead to the next quiz to take (quizzes/next_steps.py).
# Every page: the unread count checks the learner may still see the communities their notifications
# come from (communities and memberships, loaded once for the request: 2).
# Published course versions are kept as plain data per process (courses/services/outlines.py): once
# a worker knows the version, its outcomes, modules, lessons and links cost nothing (course 20 -> 15,
# lesson 14 -> 9; a fresh worker reads them in five statements, see tests/courses). The quiz page
# keeps the course it found on the quiz instead of loading it again (12 -> 11), and the page of a
# timed quiz asks once for the learner's time accommodation (quizzes/services/accommodations.py: +1).
# The quiz page then found course, quiz and enrolment in one statement (exam steps, issue #24: -2)
# and counts its questions from the draw plan kept per process (quizzes/snapshots.py: -1); the
# learner's time accommodation comes with them (-1).
EXPECTED = {"course": 15, "lesson": 9, "quiz": 8}


def test_course_lesson_and_quiz_pages_run_each_statement_once(client, login, count_queries):
    Generator(SIZES["XS"], seed=5).run(pdfs=False)
    where = targets(0, seed=5)
    login(where.user)
    for page, expected in EXPECTED.items():
        url = where.url(page)
        assert client.get(url).status_code == 200
        with count_queries() as q:
            assert client.get(url).status_code == 200
        repeated = [s for s, n in Counter(q.statements).items() if n > 1]
        assert repeated == [], page
        assert q.count == expected, page


def _lessons_item(course, user):
    course = catalogue.get_course_page(course.slug)
    enrolment = progress.get_enrolment(user, course)
    return course, enrolment, completion.standing(course, enrolment).items[0]


def test_completing_a_lesson_in_the_same_request_shows_the_new_standing(app, db):
    user = create_user()
    course = create_course(lessons=2)
    create_enrolment(user=user, course=course)
    with app.test_request_context():
        course, enrolment, item = _lessons_item(course, user)
        assert item.detail == "0 of 2 required lessons done."
        outline = progress.build_outline(course.published_version, progress.completed_keys(enrolment))
        first = outline.modules[0].lessons[0].lesson.key
        progress.complete_lesson(enrolment, outline, first)
        item = completion.standing(course, enrolment).items[0]  # the same page, rendered after the write
        assert item.detail == "1 of 2 required lessons done."
        assert not item.met


def test_a_row_added_by_id_in_the_same_request_is_seen(app, db):
    user = create_user()
    course = create_course(lessons=2)
    create_enrolment(user=user, course=course)
    with app.test_request_context():
        course, enrolment, _item = _lessons_item(course, user)
        required = completion.required_lesson_keys(course)
        for key in required:
            # Added by id, not through enrolment.progress: the memo must not answer from what it saw.
            db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=key))
        assert completion.status(enrolment)[0].met
    assert progress.remembered_completed_keys(enrolment) is None  # nothing kept outside a request


def test_passing_a_quiz_in_the_same_request_meets_the_quiz_requirement(app, db):
    course = quiz_factories.create_course()
    question = quiz_factories.create_question(course, outcomes=("LO1",), points=1)
    quiz = quiz_factories.create_quiz(course, questions=[question], pass_mark=50)
    user = create_user()
    enrolment = quiz_factories.enrol(user, course)
    with app.test_request_context():
        assert not quiz_requirements_met(enrolment)
        assert learner_standings(course, user)[quiz.id].attempts == []
        quiz_factories.take_attempt(quiz, user, {1: 0}, now=T0)  # right: a write forgets the memo
        assert learner_standings(course, user)[quiz.id].passed
        assert quiz_requirements_met(enrolment)
