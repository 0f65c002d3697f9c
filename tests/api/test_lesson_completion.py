"""Completing lessons through the API, with the lesson page's rules: enrolled, unlocked, known lesson."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from academy import jobs
from academy.certificates.models import Certificate
from academy.courses.models import Enrolment, EnrolmentStatus, LessonProgress
from academy.extensions import db
from tests.api.factories import bearer, create_course, create_token
from tests.certificates import factories as certificate_factories
from tests.courses.factories import enrol
from tests.factories import create_user


def _headers(user, scopes=("read", "write")) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


def _done(enrolment) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(LessonProgress.lesson_key).filter_by(enrolment_id=enrolment.id)))


def test_completing_a_lesson_answers_the_new_progress(client):
    user = create_user()
    course = create_course(slug="jems-reporting")
    enrolment = enrol(user, course)
    response = client.post("/api/v1/enrolments/jems-reporting/lessons/m1-l1/complete", headers=_headers(user))
    assert response.status_code == 200
    assert response.json["progress"] == {"done": 1, "required": 4, "percent": 25}
    assert response.json["continue_at"] == "m1-l2"
    assert _done(enrolment) == ["m1-l1"]
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).last_lesson_key == "m1-l1"
    again = client.post("/api/v1/enrolments/jems-reporting/lessons/m1-l1/complete", headers=_headers(user))
    assert again.status_code == 200  # again is harmless
    assert again.json["progress"]["done"] == 1


def test_a_locked_module_answers_409(client):
    user = create_user()
    enrolment = enrol(user, create_course(slug="jems-reporting"))  # module 2 needs module 1
    response = client.post("/api/v1/enrolments/jems-reporting/lessons/m2-l1/complete", headers=_headers(user))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "This module is still locked."
    assert _done(enrolment) == []


def test_after_leaving_a_course_lessons_cannot_be_completed(client):
    user = create_user()
    enrolment = enrol(user, create_course(slug="jems-reporting"), status=EnrolmentStatus.LEFT)
    response = client.post("/api/v1/enrolments/jems-reporting/lessons/m1-l1/complete", headers=_headers(user))
    assert response.status_code == 409
    assert _done(enrolment) == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/enrolments/jems-reporting/lessons/m9-l9/complete",  # no such lesson
        "/api/v1/enrolments/nowhere/lessons/m1-l1/complete",  # no such course
        "/api/v1/enrolments/other/lessons/m1-l1/complete",  # a course I never enrolled in
    ],
)
def test_unknown_lessons_and_courses_answer_404(client, url):
    user = create_user()
    enrol(user, create_course(slug="jems-reporting"))
    create_course(slug="other")
    response = client.post(url, headers=_headers(user))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_another_learners_enrolment_is_out_of_reach(client):
    owner, other = create_user(), create_user()
    enrolment = enrol(owner, create_course(slug="jems-reporting"))
    response = client.post("/api/v1/enrolments/jems-reporting/lessons/m1-l1/complete", headers=_headers(other))
    assert response.status_code == 404
    assert _done(enrolment) == []


def test_a_read_token_cannot_complete_lessons(client):
    user = create_user()
    enrolment = enrol(user, create_course(slug="jems-reporting"))
    response = client.post(
        "/api/v1/enrolments/jems-reporting/lessons/m1-l1/complete", headers=_headers(user, ("read",))
    )
    assert response.status_code == 403
    assert response.json["type"].endswith("#problem-insufficient-scope")
    assert _done(enrolment) == []


def test_the_last_lesson_issues_the_certificate_as_on_the_site(client):
    course = certificate_factories.create_course(lessons=2)
    enrolment = certificate_factories.create_enrolment(course=course, done=["lesson-1"])
    response = client.post(
        f"/api/v1/enrolments/{course.slug}/lessons/lesson-2/complete", headers=_headers(enrolment.user)
    )
    assert response.status_code == 200
    assert response.json["progress"]["percent"] == 100
    jobs.run_ready()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == enrolment.user_id
