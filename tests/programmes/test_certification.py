"""Enrolment, per-part progress, outcome mastery, and the programme certificate's life."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

from sqlalchemy import select

from academy.certificates import services as certificate_services
from academy.certificates import signing, storage
from academy.certificates.models import Certificate, CertificateStatus, State
from academy.certificates.verification import lookup
from academy.courses.models import Enrolment, EnrolmentStatus
from academy.credentials import services as credential_services
from academy.extensions import db
from academy.jobs import run_ready
from academy.programmes import jobs as programme_jobs
from academy.programmes.models import ProgrammeEnrolment
from academy.programmes.services import certification, enrolment, mastery, progress, sessions
from academy.programmes.services.progress import PartState
from tests.certificates.factories import complete_lessons
from tests.credentials.factories import document_of
from tests.factories import create_user
from tests.programmes.factories import attend_past, create_programme, create_registration, create_session, enrol


def _certify_course(user, course) -> None:
    """Complete the course's lessons and issue its certificate, as the completion job does."""
    row = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))
    complete_lessons(row, commit=False)
    certificate_services.issue_for_enrolment(row)
    db.session.commit()
    run_ready()


def _pdf_text(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is required"
    return subprocess.run([tool, "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _programme_certificates(user, programme) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.user_id == user.id,
                Certificate.achievement_kind == "programme",
                Certificate.achievement_id == programme.id,
            )
            .order_by(Certificate.id)
        )
    )


def test_enrolling_in_a_programme_enrols_in_its_courses(track):
    programme, first, second, _session = track
    user = create_user()
    enrol(user, programme)

    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)).all()
    assert {(r.course_id, r.status) for r in rows} == {
        (first.id, EnrolmentStatus.ACTIVE),
        (second.id, EnrolmentStatus.ACTIVE),
    }
    assert enrolment.is_enrolled(user, programme)


def test_part_states_and_the_progress_bar_follow_the_learner(track):
    programme, first, _second, session = track
    user = create_user()
    enrol(user, programme)
    registration = create_registration(session=session, user=user)

    before = progress.standing(programme, user)
    assert [p.state for p in before.parts] == [PartState.IN_PROGRESS, PartState.IN_PROGRESS, PartState.REGISTERED]
    assert before.percent == 0

    _certify_course(user, first)
    attend_past(session, registration, "excused")
    after = progress.standing(programme, user)
    assert [p.state for p in after.parts] == [PartState.DONE, PartState.IN_PROGRESS, PartState.EXCUSED]
    assert after.percent == 33
    assert [p.part.course_id for p in after.left if p.part.course_id] == [track[2].id]
    assert not after.complete


def test_the_programme_certificate_is_issued_once_when_every_required_part_is_done(track, events=None):
    programme, first, second, session = track
    user = create_user(name="Petra Programme")
    enrol(user, programme)
    registration = create_registration(session=session, user=user)
    _certify_course(user, first)
    _certify_course(user, second)
    assert _programme_certificates(user, programme) == []  # the session is not attended yet

    attend_past(session, registration)
    from academy.programmes import jobs

    jobs.queue_check(user.id)
    jobs.queue_check(user.id)
    db.session.commit()
    run_ready()
    programme_jobs.check(programme.id, user.id)  # and once more, directly

    (certificate,) = _programme_certificates(user, programme)
    assert certificate.state() == State.VALID
    assert certificate.course_id is None
    assert certificate.course_title == "Programme management track"
    assert [p["kind"] for p in certificate.parts] == ["course", "course", "session"]
    assert certificate.parts[2]["title"] == "Kick-off workshop in Vienna"
    assert db.session.scalar(select(ProgrammeEnrolment.completed_at).where(ProgrammeEnrolment.user_id == user.id))
    # The same sealed PDF machinery: the seal checks out and the PDF names the parts.
    data = storage.read(certificate.pdf_path)
    assert signing.check_seal(data).ok
    text = " ".join(_pdf_text(data).split())
    assert "has successfully completed the training programme" in text
    assert "PROGRAMME COMPONENTS COMPLETED" in text
    assert "Interreg programme management basics — Online course" in text
    assert "Kick-off workshop in Vienna — Session attended on" in text
    code = certificate_services.stored_code(certificate)
    record = lookup(code)
    assert record.state == State.VALID
    assert (record.achievement_kind, record.achievement_label) == ("programme", "Training programme")
    assert [p["title"] for p in record.parts][:1] == ["Interreg programme management basics"]
    # The same verifiable credential as a course certificate, describing the programme.
    document = document_of(certificate)
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "LearningProgram"
    assert achievement["criteria"]["id"].endswith(f"/programmes/{programme.slug}")
    assert "Kick-off workshop in Vienna" in achievement["criteria"]["narrative"]
    assert credential_services.verify(document).verdict == "valid"


def test_an_attendance_correction_reissues_and_supersedes(track):
    programme, first, second, session = track
    optional = create_session(programme=programme, title="Live online clinic", online=True, required=False)
    user = create_user()
    enrol(user, programme)
    registration = create_registration(session=session, user=user)
    clinic = create_registration(session=optional, user=user)
    _certify_course(user, first)
    _certify_course(user, second)
    attend_past(session, registration)
    attend_past(optional, clinic, "absent")
    run_ready()
    (original,) = _programme_certificates(user, programme)
    assert len(original.parts) == 3

    # The trainer corrects the clinic: she was there after all.
    attend_past(optional, clinic, "present")
    from academy.programmes import jobs

    jobs.queue_check(user.id)
    db.session.commit()
    run_ready()

    old, new = _programme_certificates(user, programme)
    assert old.id == original.id
    assert old.status == CertificateStatus.SUPERSEDED
    assert old.superseded_by_id == new.id
    assert new.state() == State.VALID
    assert [p["title"] for p in new.parts][-1] == "Live online clinic"
    assert lookup(certificate_services.stored_code(old)).replacement_url.endswith(certificate_services.stored_code(new))


def test_a_required_session_corrected_to_absent_revokes_the_certificate(track):
    programme, first, second, session = track
    user = create_user()
    enrol(user, programme)
    registration = create_registration(session=session, user=user)
    _certify_course(user, first)
    _certify_course(user, second)
    attend_past(session, registration)
    run_ready()

    sessions.record_attendance(session, actor=None, marks={registration.id: "absent"})
    programme_jobs.check(programme.id, user.id)

    (certificate,) = _programme_certificates(user, programme)
    assert certificate.state() == State.REVOKED
    assert certificate.revocation_note == certification.REVOKE_NOTE

    # Corrected back: she was there. A new certificate replaces the automatically revoked one.
    sessions.record_attendance(session, actor=None, marks={registration.id: "present"})
    programme_jobs.check(programme.id, user.id)
    programme_jobs.check(programme.id, user.id)
    old, new = _programme_certificates(user, programme)
    assert (old.state(), new.state()) == (State.SUPERSEDED, State.VALID)
    assert old.superseded_by_id == new.id


def test_a_trainer_revocation_is_never_undone_by_the_job(track):
    programme, first, second, session = track
    user = create_user()
    enrol(user, programme)
    _certify_course(user, first)
    _certify_course(user, second)
    attend_past(session, create_registration(session=session, user=user))
    (certificate,) = _programme_certificates(user, programme)
    certificate_services.revoke(certificate, actor=None, reason="misconduct")
    db.session.commit()

    programme_jobs.check(programme.id, user.id)

    assert [c.state() for c in _programme_certificates(user, programme)] == [State.REVOKED]


def test_the_certificate_job_after_course_completion_comes_from_the_course_certificate(track):
    """Attending first, then earning the last course certificate, also completes the programme."""
    programme, first, second, session = track
    user = create_user()
    enrol(user, programme)
    attend_past(session, create_registration(session=session, user=user))
    _certify_course(user, first)
    assert _programme_certificates(user, programme) == []

    _certify_course(user, second)  # the course certificate's signal queues the programme check

    assert len(_programme_certificates(user, programme)) == 1


def test_programme_mastery_comes_from_course_evidence(app):
    from tests.quizzes.factories import create_course as create_quiz_course
    from tests.quizzes.factories import create_question, create_quiz, take_attempt

    course = create_quiz_course(outcomes=("LO1", "LO2"))
    q1 = create_question(course, outcomes=("LO1",))
    q2 = create_question(course, outcomes=("LO2",))
    quiz = create_quiz(course, questions=[q1, q2], pass_mark=50)
    programme = create_programme(courses=[course])
    from academy.programmes.services import authoring

    authoring.set_outcomes(
        programme,
        [
            ("P1", "Explain the rules", [{"course_id": course.id, "key": "lo1-key"}]),
            (
                "P2",
                "Apply both",
                [{"course_id": course.id, "key": "lo1-key"}, {"course_id": course.id, "key": "lo2-key"}],
            ),
        ],
    )
    db.session.commit()
    user = create_user()
    enrol(user, programme)
    assert [o.percent for o in mastery.outcome_mastery(programme, user)] == [None, None]

    take_attempt(quiz, user, {1: 0, 2: 1})  # LO1 right, LO2 wrong

    p1, p2 = mastery.outcome_mastery(programme, user)
    assert (p1.percent, p1.mastered) == (100.0, True)
    assert (p2.percent, p2.mastered) == (50.0, False)


def test_a_course_certificate_only_counts_while_valid(track):
    programme, first, _second, _session = track
    user = create_user()
    enrol(user, programme)
    _certify_course(user, first)
    certificate = certificate_services.current_certificate(user.id, first.published_version_id)
    certificate.expires_at = certificate.issued_at - timedelta(days=1)
    db.session.commit()

    assert progress.standing(programme, user).parts[0].state == PartState.IN_PROGRESS
