"""No overbooking when many people register (or cancel) for the last seats at once.

Threads each run in their own app context with their own connection: on PostgreSQL (with
ACADEMY_TEST_DATABASE_URL) against the test database, on SQLite against a file in WAL mode.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy import create_app
from academy.auth.models import User
from academy.certificates import services as certificate_services
from academy.courses.models import Enrolment
from academy.extensions import db
from academy.programmes import jobs as programme_jobs
from academy.programmes.models import RegistrationStatus, SessionRegistration, TrainingSession
from academy.programmes.services import enrolment, seats, sessions
from tests.certificates.factories import create_course
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_session

PEOPLE = 12
CAPACITY = 3


@pytest.fixture
def shared_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose connections really run side by side: the test database, or a SQLite file."""
    if not database_url.startswith("sqlite"):
        yield app
        return
    other = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'concurrent.sqlite'}",
            "INSTANCE_PATH": tmp_path,
            "MAIL_DIR": tmp_path / "mail",
        }
    )
    with other.app_context():
        db.create_all()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _in_threads(app: Flask, work: Callable[[int], None], items: list[int]) -> list[BaseException]:
    barrier = threading.Barrier(len(items))
    errors: list[BaseException] = []

    def run(item: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                work(item)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def _setup(app: Flask) -> tuple[int, list[int]]:
    with app.app_context():
        programme = create_programme(courses=[create_course()])
        session = create_session(programme=programme, capacity=CAPACITY)
        users = [create_user() for _ in range(PEOPLE)]
        for user in users:
            enrolment.enrol(user, programme)
        db.session.commit()
        ids = session.id, [u.id for u in users]
        db.session.remove()
        return ids


def _counts(app: Flask, session_id: int) -> tuple[int, int, int]:
    with app.app_context():
        seats = db.session.get(TrainingSession, session_id).seats_taken
        by_status = dict(
            db.session.execute(
                select(SessionRegistration.status, func.count())
                .where(SessionRegistration.session_id == session_id)
                .group_by(SessionRegistration.status)
            ).all()
        )
        db.session.remove()
        return seats, by_status.get(RegistrationStatus.REGISTERED, 0), by_status.get(RegistrationStatus.WAITLISTED, 0)


def test_concurrent_registrations_never_overbook(shared_app: Flask):
    session_id, user_ids = _setup(shared_app)

    def register(user_id: int) -> None:
        user = db.session.get(User, user_id)
        seats.register(user, sessions.get_session(session_id))
        db.session.commit()

    errors = _in_threads(shared_app, register, user_ids)

    assert errors == []
    assert _counts(shared_app, session_id) == (CAPACITY, CAPACITY, PEOPLE - CAPACITY)


def test_concurrent_cancellations_promote_each_waiting_person_once(shared_app: Flask):
    session_id, user_ids = _setup(shared_app)
    with shared_app.app_context():
        for user_id in user_ids:  # in order: the first three get seats
            seats.register(db.session.get(User, user_id), sessions.get_session(session_id))
            db.session.commit()
        db.session.remove()
    seated = user_ids[:CAPACITY]

    def cancel(user_id: int) -> None:
        seats.cancel(db.session.get(User, user_id), sessions.get_session(session_id))
        db.session.commit()

    errors = _in_threads(shared_app, cancel, seated)

    assert errors == []
    assert _counts(shared_app, session_id) == (CAPACITY, CAPACITY, PEOPLE - 2 * CAPACITY)
    with shared_app.app_context():
        now_seated = set(
            db.session.scalars(
                select(SessionRegistration.user_id).where(
                    SessionRegistration.session_id == session_id,
                    SessionRegistration.status == RegistrationStatus.REGISTERED,
                )
            )
        )
        db.session.remove()
    # First come, first served: the next three in the queue moved up.
    assert now_seated == set(user_ids[CAPACITY : 2 * CAPACITY])


def test_concurrent_certificate_checks_issue_one_programme_certificate(shared_app: Flask):
    from academy.certificates.models import Certificate
    from tests.programmes.factories import attend_past, create_registration

    with shared_app.app_context():
        programme = create_programme(courses=[create_course()])
        session = create_session(programme=programme, capacity=CAPACITY)
        user = create_user()
        enrolment.enrol(user, programme)
        registration = create_registration(session=session, user=user)
        # The course certificate exists; the attendance is recorded without running the check yet.
        from tests.certificates.factories import complete_lessons

        course_enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
        complete_lessons(course_enrolment, commit=False)
        certificate_services.issue_for_enrolment(course_enrolment)
        attend_past(session, registration, commit=False)
        db.session.commit()
        db.session.info.clear()  # drop the queued checks: the threads below are the checks
        ids = programme.id, user.id
        db.session.remove()

    errors = _in_threads(shared_app, lambda _n: programme_jobs.check(*ids), list(range(4)))

    assert errors == []
    with shared_app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.achievement_kind == "programme", Certificate.achievement_id == ids[0])
        )
        db.session.remove()
    assert count == 1


def test_one_person_registering_for_every_date_of_a_part_at_once_gets_one_place(shared_app: Flask):
    from academy.exceptions import Conflict
    from tests.programmes.factories import create_date

    with shared_app.app_context():
        programme = create_programme(courses=[create_course()])
        first = create_session(programme=programme, capacity=CAPACITY)
        dates = [first] + [create_date(session=first, starts_in=timedelta(days=20 + n)) for n in range(3)]
        user = create_user()
        enrolment.enrol(user, programme)
        db.session.commit()
        user_id, date_ids = user.id, [d.id for d in dates]
        db.session.remove()

    def register(date_id: int) -> None:
        seats.register(db.session.get(User, user_id), sessions.get_session(date_id))
        db.session.commit()

    errors = _in_threads(shared_app, register, date_ids)

    assert len(errors) == len(date_ids) - 1 and all(isinstance(e, Conflict) for e in errors), errors
    with shared_app.app_context():
        active = db.session.scalar(
            select(func.count())
            .select_from(SessionRegistration)
            .where(SessionRegistration.user_id == user_id, SessionRegistration.status != RegistrationStatus.CANCELLED)
        )
        db.session.remove()
    assert active == 1
