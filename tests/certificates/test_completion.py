"""The completion rule and automatic, idempotent issuance."""

import threading

import pytest
from sqlalchemy import func, select

from academy import jobs
from academy.certificates import completion, services
from academy.certificates import jobs as certificate_jobs
from academy.certificates.completion import RequirementStatus
from academy.certificates.models import Certificate, CertificateStatus, RevocationReason
from academy.courses.models import Enrolment, LessonProgress
from academy.jobs import QUEUE_CERTIFICATES, enqueue_after_commit
from tests.certificates.factories import add_version, complete_lessons, create_course, create_enrolment
from tests.factories import create_user
from tests.services import postgres_base_url


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate))


def test_standing_counts_required_lessons_only(app, db):
    course = create_course(lessons=3, optional_lessons=2)
    enrolment = create_enrolment(course=course, done=["lesson-1", "extra-1"])
    lessons = completion.status(enrolment)[0]
    assert not lessons.met
    assert lessons.detail == "1 of 3 required lessons done."
    assert not completion.is_complete(enrolment)

    complete_lessons(enrolment)
    lessons = completion.status(enrolment)[0]
    assert lessons.met
    assert completion.is_complete(enrolment)


def test_progress_is_matched_by_lesson_key_against_the_published_version(app, db):
    course = create_course(lessons=2)
    enrolment = create_enrolment(course=course, done=["lesson-1", "lesson-2"])
    assert completion.is_complete(enrolment)
    # Version 2 keeps lesson-1, drops lesson-2 and adds a new required lesson.
    v2 = add_version(course, title="Simplified cost options in Interreg", number=2, lesson_keys=["lesson-1", "new"])
    course.published_version = v2
    db.session.commit()
    lessons = completion.status(enrolment)[0]
    assert (lessons.met, lessons.detail) == (False, "1 of 2 required lessons done.")


def test_a_course_without_a_published_version_is_never_complete(app, db):
    course = create_course(published=False)
    enrolment = create_enrolment(course=course)
    assert not completion.is_complete(enrolment)


def test_registered_requirements_join_the_rule(app, db):
    course = create_course(lessons=1)
    enrolment = create_enrolment(course=course, done=["lesson-1"])
    attended: dict[int, bool] = {}

    def attendance(e: Enrolment) -> RequirementStatus:
        return RequirementStatus(met=attended.get(e.id, False), label="Live session attended", detail="0 of 1")

    completion.register_requirement(app, "attendance", attendance, description="Attend the live session.")
    assert [s.label for s in completion.status(enrolment)] == [
        "Every required lesson done",
        "Every required quiz passed",
        "Every learning outcome at or above its mastery threshold",
        "Live session attended",
    ]
    assert not completion.is_complete(enrolment)
    attended[enrolment.id] = True
    assert completion.is_complete(enrolment)


def test_a_requirement_registered_by_another_test_is_gone(app, db):
    # The registry lives on the app, which the test fixtures put back after each test.
    assert [r.name for r in completion.requirements()] == ["lessons", "quizzes", "outcomes"]


def test_completing_the_last_lesson_issues_one_certificate_after_the_commit(app, db, events):
    enrolment = create_enrolment(course=create_course(lessons=2), done=["lesson-1"])
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key="lesson-2"))
    enqueue_after_commit(certificate_jobs.notify_progress, enrolment.id, queue=QUEUE_CERTIFICATES)
    assert _count(db) == 0
    db.session.commit()
    jobs.run_ready()
    certificate = db.session.scalar(select(Certificate))
    assert certificate.user_id == enrolment.user_id
    assert certificate.status == CertificateStatus.VALID
    assert events == [("issued", certificate.id)]
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None


def test_running_the_job_twice_issues_once(app, db, events):
    enrolment = create_enrolment(course=create_course(lessons=1), done=["lesson-1"])
    certificate_jobs.notify_progress(enrolment.id)
    certificate_jobs.notify_progress(enrolment.id)
    assert _count(db) == 1
    assert len(events) == 1


def test_an_incomplete_enrolment_gets_nothing(app, db):
    enrolment = create_enrolment(course=create_course(lessons=2), done=["lesson-1"])
    certificate_jobs.notify_progress(enrolment.id)
    certificate_jobs.notify_progress(999_999)
    assert _count(db) == 0


def test_a_revoked_certificate_is_not_replaced_by_later_progress(app, db):
    enrolment = create_enrolment(course=create_course(lessons=1), done=["lesson-1"])
    certificate_jobs.notify_progress(enrolment.id)
    certificate = db.session.scalar(select(Certificate))
    services.revoke(certificate, actor=None, reason=RevocationReason.MISCONDUCT)
    db.session.commit()
    certificate_jobs.notify_progress(enrolment.id)
    assert _count(db) == 1


def test_a_new_course_version_can_be_certified_again(app, db):
    course = create_course(lessons=1)
    enrolment = create_enrolment(course=course, done=["lesson-1"])
    certificate_jobs.notify_progress(enrolment.id)
    course.published_version = add_version(course, title="Simplified cost options, 2028 edition", number=2, lessons=1)
    db.session.commit()
    certificate_jobs.notify_progress(enrolment.id)
    assert sorted(c.version_number for c in db.session.scalars(select(Certificate))) == [1, 2]


def test_the_database_refuses_a_second_current_certificate(app, db, monkeypatch):
    """Two runs that both pass the "already issued?" check: the second insert fails and is dropped."""
    enrolment = create_enrolment(course=create_course(lessons=1), done=["lesson-1"])
    certificate_jobs.notify_progress(enrolment.id)
    monkeypatch.setattr(services, "current_certificate", lambda user_id, version_id: None)
    certificate_jobs.notify_progress(enrolment.id)  # swallows the IntegrityError and rolls back
    assert _count(db) == 1
    assert db.session.scalar(select(Certificate)).status == CertificateStatus.VALID


@pytest.mark.postgres
def test_concurrent_jobs_issue_once_on_postgresql(tmp_path):
    """Four workers finish the same completion at the same moment: one certificate."""
    from academy import create_app
    from academy.extensions import db as _db
    from tests import services as test_services

    base = postgres_base_url()
    if base is None:
        test_services.skip_or_fail("PostgreSQL not configured (ACADEMY_TEST_DATABASE_URL)")
    url = test_services.create_postgres_database(base, "certificates")
    try:
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp_path})
        with app.app_context():
            _db.create_all()
            enrolment_id = create_enrolment(course=create_course(lessons=1), done=["lesson-1"]).id
            _db.session.remove()
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with app.app_context():
                    barrier.wait()
                    certificate_jobs.notify_progress(enrolment_id)
                    _db.session.remove()
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with app.app_context():
            assert _count(_db) == 1
            _db.engine.dispose()
    finally:
        test_services.drop_postgres_database(url)


def test_the_rule_is_shown_with_the_learners_standing(app, db):
    from flask import render_template_string

    course = create_course(lessons=2, validity_months=24)
    enrolment = create_enrolment(course=course, done=["lesson-1"])
    with app.test_request_context():
        html = render_template_string(
            '{% include "certificates/_requirements.html" %}', course=course, enrolment=enrolment
        )
        anonymous = render_template_string(
            '{% include "certificates/_requirements.html" %}', course=course, enrolment=None
        )
    assert "Every required lesson done" in html
    assert "1 of 2 required lessons done." in html
    assert "Not yet:" in html
    assert "valid for 24 months" in html
    assert "Complete every required lesson of the current version." in anonymous
    assert "Not yet:" not in anonymous


def test_the_rule_shows_an_earned_certificate(app, db):
    from flask import render_template_string

    course = create_course(lessons=1)
    enrolment = create_enrolment(user=create_user(), course=course, done=["lesson-1"])
    certificate_jobs.notify_progress(enrolment.id)
    with app.test_request_context():
        html = render_template_string(
            '{% include "certificates/_requirements.html" %}', course=course, enrolment=enrolment
        )
    assert "Earned" in html
    assert "Done:" in html
