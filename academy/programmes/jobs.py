"""Background work: programme certificate checks, and enrolling participants in a course added to a programme."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.auth.models import User
from academy.courses.models import Course
from academy.courses.services import progress as course_progress
from academy.exceptions import Conflict, NotFound
from academy.extensions import db
from academy.jobs import QUEUE_CERTIFICATES, QUEUE_DEFAULT, enqueue_after_commit
from academy.programmes.models import Programme, ProgrammeEnrolment, ProgrammeEnrolmentStatus, ProgrammeStatus
from academy.programmes.services import enrolment
from academy.programmes.services.certification import certify
from academy.programmes.services.enrolment import get_programme


def queue_check(user_id: int) -> None:
    """Queue `check_user` once the current transaction commits."""
    enqueue_after_commit(check_user, user_id, queue=QUEUE_CERTIFICATES)


def queue_programme_check(programme_id: int) -> None:
    """Queue `check_programme` once the current transaction commits."""
    enqueue_after_commit(check_programme, programme_id, queue=QUEUE_CERTIFICATES)


def enrol_participants(programme_id: int, course_id: int) -> None:
    """Job: enrol the participants still working on the programme in a course added to it (idempotent)."""
    course = db.session.get(Course, course_id)
    if course is None:
        return
    for user in enrolment.participants_to_enrol(programme_id, course):
        try:
            course_progress.enrol(user, course)
        except (Conflict, NotFound):
            db.session.rollback()
            return  # the course closed meanwhile: nobody else can be enrolled either
        db.session.commit()  # one at a time: a failure later keeps the earlier enrolments


def queue_enrol_participants(programme_id: int, course_id: int) -> None:
    """Queue `enrol_participants` once the current transaction commits."""
    enqueue_after_commit(enrol_participants, programme_id, course_id, queue=QUEUE_DEFAULT)


def check_user(user_id: int) -> None:
    """Job: issue, re-issue or revoke the user's programme certificates to match their standing (idempotent).

    One commit per programme.
    """
    user = db.session.get(User, user_id)
    if user is None:
        return
    programme_ids = db.session.scalars(
        select(ProgrammeEnrolment.programme_id)
        .join(Programme, Programme.id == ProgrammeEnrolment.programme_id)
        .where(
            ProgrammeEnrolment.user_id == user_id,
            ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE,
            Programme.status != ProgrammeStatus.DRAFT,
        )
    ).all()
    for programme_id in programme_ids:
        check(programme_id, user_id)


def check(programme_id: int, user_id: int) -> None:
    """Job: certify one user in one programme (safe to run twice or at once: the unique index decides)."""
    user = db.session.get(User, user_id)
    programme = db.session.get(Programme, programme_id)
    if user is None or programme is None:
        return
    programme = (
        get_programme(programme.slug, viewer=None) if programme.status == ProgrammeStatus.PUBLISHED else programme
    )
    try:
        certify(programme, user)
        db.session.commit()
    except IntegrityError:
        # A concurrent run claimed this certificate first; its result stands.
        db.session.rollback()


def check_programme(programme_id: int) -> None:
    """Job: bring every active participant's certificate in line after the programme's parts changed.

    One commit per participant.
    """
    user_ids = db.session.scalars(
        select(ProgrammeEnrolment.user_id).where(
            ProgrammeEnrolment.programme_id == programme_id,
            ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE,
        )
    ).all()
    for user_id in user_ids:
        check(programme_id, user_id)
