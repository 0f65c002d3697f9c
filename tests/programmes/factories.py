"""Keyword-only factories for programme tests, built through the real services."""

from __future__ import annotations

import itertools
from datetime import timedelta

from academy.auth.models import User
from academy.courses.models import Course
from academy.db import utcnow
from academy.extensions import db
from academy.jobs import run_ready
from academy.programmes import jobs
from academy.programmes.models import Programme, ProgrammeEnrolment, SessionRegistration, TrainingSession
from academy.programmes.services import authoring, enrolment, scheduling, seats, sessions
from tests.factories import create_user

_seq = itertools.count(1)


def create_programme(
    *,
    title: str | None = None,
    owner: User | None = None,
    courses: tuple[Course, ...] | list[Course] = (),
    optional_courses: tuple[Course, ...] | list[Course] = (),
    credits: str = "5",
    validity_months: int | None = None,
    published: bool = True,
    commit: bool = True,
) -> Programme:
    """A programme with the given courses as required (and optional) parts."""
    n = next(_seq)
    programme = authoring.create_programme(
        title=title or f"Programme management track {n}",
        owner=owner or create_user(trainer=True, commit=False),
        summary="Run an Interreg programme from call to closure.",
        credits=credits,
        validity_months=validity_months,
    )
    for course in courses:
        authoring.add_course(programme, course, required=True)
    for course in optional_courses:
        authoring.add_course(programme, course, required=False)
    if published and programme.parts:
        authoring.publish(programme)
    if commit:
        db.session.commit()
    return programme


def create_session(
    *,
    programme: Programme,
    title: str = "Kick-off workshop in Vienna",
    starts_in: timedelta = timedelta(days=14),
    hours: int = 3,
    capacity: int = 2,
    required: bool = True,
    online: bool = False,
    deadline_before: timedelta | None = None,
    commit: bool = True,
) -> TrainingSession:
    """A session starting `starts_in` from now (negative: in the past)."""
    starts = utcnow().replace(microsecond=0) + starts_in
    session = scheduling.add_session(
        programme,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        timezone="Europe/Vienna",
        mode="online" if online else "in_person",
        place="" if online else "Interact Office Vienna, Sterngasse 13, 1010 Wien",
        online_url="https://meet.example.org/kick-off" if online else "",
        capacity=capacity,
        registration_deadline=starts - deadline_before if deadline_before else None,
        required=required,
    )
    if commit:
        db.session.commit()
    return session


def enrol(user: User, programme: Programme, *, commit: bool = True) -> ProgrammeEnrolment:
    """Enrol through the service (which enrols in the courses too and queues the certificate check)."""
    row = enrolment.enrol(user, programme)
    if commit:
        db.session.commit()
        run_ready()  # the check queued by enrolling, as after a request
    return row


def create_registration(
    *, session: TrainingSession, user: User | None = None, enrolled: bool = True, commit: bool = True
) -> SessionRegistration:
    """A learner (enrolled in the programme) registered through the service: a seat or the waiting list."""
    user = user or create_user()
    if enrolled and not enrolment.is_enrolled(user, session.programme):
        enrolment.enrol(user, session.programme)
    registration = seats.register(user, session)
    if commit:
        db.session.commit()
        run_ready()  # the certificate check queued by enrolling, as after a request
    return registration


def attend_past(
    session: TrainingSession, registration: SessionRegistration, mark: str = "present", *, commit: bool = True
) -> None:
    """Move the session into the past (so attendance can be recorded), mark the registration, run the check."""
    if session.starts_at > utcnow():
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow() - timedelta(hours=1)
        session.ends_at = session.starts_at + length
        session.registration_deadline = None
        db.session.flush()
    # As the roster page does: queue the programme certificate check for whoever changed.
    for user_id in sessions.record_attendance(session, actor=None, marks={registration.id: mark}):
        jobs.queue_check(user_id)
    if commit:
        db.session.commit()
        run_ready()


def create_date(
    *,
    session: TrainingSession,
    starts_in: timedelta = timedelta(days=42),
    hours: int = 3,
    capacity: int = 2,
    place: str = "Interact Office Turku, Yliopistonkatu 24, 20100 Turku",
    commit: bool = True,
) -> TrainingSession:
    """Another date of the part `session` belongs to, starting `starts_in` from now."""
    part = seats.part_of(session)
    starts = utcnow().replace(microsecond=0) + starts_in
    date = scheduling.add_date(
        part,
        title=part.session.title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        timezone="Europe/Helsinki",
        place=place,
        capacity=capacity,
    )
    if commit:
        db.session.commit()
    return date
