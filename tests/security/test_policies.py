"""One rule per object kind (issue 17, item 2): taking the trainer role away takes every trainer power.

The access matrix checks every route for the "former trainer who owns a course" persona; these
tests check the same rule where no route is involved: services and jobs.
"""

from __future__ import annotations

import pytest

from academy import jobs
from academy.auth import services as auth_services
from academy.certificates import jobs as certificate_jobs
from academy.certificates import policy as certificate_policy
from academy.certificates import services as certificate_services
from academy.certificates.models import ExportStatus
from academy.courses.policy import can_manage_course
from academy.exceptions import PermissionDenied
from academy.programmes.policy import can_manage_programme, can_view_programme
from academy.quizzes.services import attempts
from tests.factories import create_user
from tests.programmes.factories import create_programme
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt


def _demote(user, admin) -> None:
    auth_services.set_role(user, "trainer", False, actor=admin)


def test_the_one_rule_per_kind_follows_the_role_not_only_ownership(db):
    admin = create_user(admin=True)
    trainer = create_user(trainer=True)
    course = create_course(owners=(trainer,))
    programme = create_programme(owner=trainer)
    assert can_manage_course(trainer, course) and can_manage_programme(trainer, programme)
    assert can_view_programme(trainer, programme)  # a draft, seen by its manager

    _demote(trainer, admin)
    db.session.commit()

    assert not can_manage_course(trainer, course)
    assert not can_manage_programme(trainer, programme)
    assert not can_view_programme(trainer, programme)
    assert not certificate_policy.can_manage_course_certificates(trainer, course)
    assert can_manage_course(admin, course) and can_manage_programme(admin, programme)
    assert not can_manage_course(None, course)


def test_a_former_trainer_cannot_grade_an_essay_through_the_service(db):
    admin = create_user(admin=True)
    trainer = create_user(trainer=True)
    course = create_course(owners=(trainer,))
    essay = create_question(course, type="essay", points=4, outcomes=("LO1",))
    quiz = create_quiz(course, questions=[essay])
    attempt = take_attempt(quiz, create_learner(course), {1: "Our audit trail keeps every invoice."})
    _demote(trainer, admin)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        attempts.grade_manually(attempt.responses[0], points=3, grader=trainer)


def test_an_export_job_rechecks_the_requester_when_it_runs(db):
    """A ZIP asked for while a trainer, built after the role was taken away: refused, nothing written."""
    admin = create_user(admin=True)
    trainer = create_user(trainer=True)
    course = create_course(owners=(trainer,))
    export = certificate_services.request_export(course, actor=trainer)
    db.session.commit()
    _demote(trainer, admin)
    db.session.commit()
    certificate_jobs.build_export(export.id)
    jobs.run_ready()
    db.session.refresh(export)
    assert export.status == ExportStatus.FAILED
    assert export.file_path in (None, "")
    assert "no longer manages" in export.error
