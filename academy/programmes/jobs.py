"""Background work: programme certificate checks, and enrolling participants in a course added to a programme."""

from __future__ import annotations

from academy.courses.models import Course
from academy.courses.services import progress as course_progress
from academy.exceptions import Conflict, NotFound
from academy.extensions import db
from academy.jobs import QUEUE_CERTIFICATES, QUEUE_DEFAULT, enqueue_after_commit
from academy.programmes.services import enrolment, progress


def check_user(user_id: int) -> None:
    """Job: issue, re-issue or revoke the user's programme certificates to match their standing (idempotent)."""
    progress.check_user(user_id)


def queue_check(user_id: int) -> None:
    """Queue `check_user` once the current transaction commits."""
    enqueue_after_commit(check_user, user_id, queue=QUEUE_CERTIFICATES)


def check_programme(programme_id: int) -> None:
    """Job: bring every active participant's certificate in line after the programme's parts changed."""
    progress.check_participants(programme_id)


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
