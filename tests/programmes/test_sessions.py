"""Registration, the waiting list, cancellation, attendance, and the .ics file."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from academy.exceptions import Conflict
from academy.extensions import db
from academy.notifications.models import Notification
from academy.programmes import ics
from academy.programmes.models import Attendance, RegistrationStatus
from academy.programmes.services import seats, sessions
from tests.certificates.factories import create_course
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session, enrol


@pytest.fixture
def workshop(app):
    programme = create_programme(courses=[create_course()])
    return create_session(programme=programme, capacity=2)


def test_the_first_people_get_seats_and_the_rest_wait(workshop):
    first, second, third = (create_registration(session=workshop) for _ in range(3))

    assert [first.status, second.status, third.status] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
    ]
    assert workshop.seats_taken == 2
    assert workshop.seats_left == 0


def test_a_cancelled_seat_goes_to_the_first_person_waiting(workshop):
    seated = create_registration(session=workshop)
    create_registration(session=workshop)
    first_waiting = create_registration(session=workshop)
    second_waiting = create_registration(session=workshop)

    seats.cancel(seated.user, workshop)
    db.session.commit()

    assert seated.status == RegistrationStatus.CANCELLED
    assert first_waiting.status == RegistrationStatus.REGISTERED
    assert second_waiting.status == RegistrationStatus.WAITLISTED
    assert workshop.seats_taken == 2
    notice = db.session.query(Notification).filter_by(event="programme.seat_confirmed").one()
    assert notice.user_id == first_waiting.user_id


def test_leaving_the_waiting_list_frees_no_seat(workshop):
    create_registration(session=workshop)
    create_registration(session=workshop)
    waiting = create_registration(session=workshop)

    seats.cancel(waiting.user, workshop)
    db.session.commit()

    assert waiting.status == RegistrationStatus.CANCELLED
    assert workshop.seats_taken == 2


def test_registering_twice_is_refused_and_coming_back_queues_again(workshop):
    registration = create_registration(session=workshop)
    with pytest.raises(Conflict):
        seats.register(registration.user, workshop)
    db.session.rollback()

    seats.cancel(registration.user, workshop)
    again = seats.register(registration.user, workshop)
    db.session.commit()

    assert again.id == registration.id
    assert again.status == RegistrationStatus.REGISTERED
    assert workshop.seats_taken == 1


def test_only_participants_register_and_only_before_the_deadline(app):
    programme = create_programme(courses=[create_course()])
    closed = create_session(programme=programme, starts_in=timedelta(days=2), deadline_before=timedelta(days=3))
    outsider = create_user()
    with pytest.raises(Conflict, match="Enrol in the programme"):
        seats.register(outsider, create_session(programme=programme))
    enrol(outsider, programme)
    with pytest.raises(Conflict, match="closed"):
        seats.register(outsider, closed)


def test_more_seats_promote_people_waiting(workshop):
    for _ in range(4):
        create_registration(session=workshop)

    promoted = seats.set_capacity(workshop, 3)
    db.session.commit()

    assert len(promoted) == 1
    assert workshop.seats_taken == 3
    with pytest.raises(Conflict):
        seats.set_capacity(workshop, 2)


def test_attendance_is_recorded_only_once_the_session_started(workshop):
    registration = create_registration(session=workshop)
    with pytest.raises(Conflict):
        sessions.record_attendance(workshop, actor=None, marks={registration.id: "present"})

    workshop.starts_at = workshop.starts_at - timedelta(days=30)
    changed = sessions.record_attendance(workshop, actor=None, marks={registration.id: "excused"})
    again = sessions.record_attendance(workshop, actor=None, marks={registration.id: "excused"})

    assert changed == [registration.user_id]
    assert again == []
    assert registration.attendance == Attendance.EXCUSED


def test_the_calendar_file_parses_and_names_the_session(app, workshop):
    workshop.title = "Kick-off; financial management, part 1"
    workshop.description = "Bring your programme's " + "long description " * 10
    registration = create_registration(session=workshop)

    text = ics.calendar(workshop, registration, url="https://academy.example/programmes/x", domain="academy.example")

    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Kick-off; financial management, part 1"
    assert event.decoded("DTSTART") == workshop.starts_at
    assert event.decoded("DTEND") == workshop.ends_at
    assert str(event["LOCATION"]).startswith("Interact Office Vienna")
    assert "long description" in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"session-{workshop.id}-registration-{registration.id}@academy.example"


def test_folding_never_splits_a_character(app, workshop):
    workshop.title = "Zusammenarbeit über Grenzen – " * 6
    text = ics.calendar(workshop, create_registration(session=workshop), url="https://a.example/x", domain="a.example")
    assert all(len(part.encode()) <= 75 for part in text.split("\r\n"))
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == workshop.title


def test_people_waiting_see_their_place_in_the_queue(workshop):
    from academy.programmes.services import progress

    for _ in range(2):
        create_registration(session=workshop)
    first, second = (create_registration(session=workshop) for _ in range(2))

    def place(registration):
        standing = progress.standing(workshop.programme, registration.user)
        return next(p.queue_position for p in standing.parts if p.part.session_id == workshop.id)

    assert (place(first), place(second)) == (1, 2)
    seats.cancel(first.user, workshop)
    db.session.commit()
    assert place(second) == 1
