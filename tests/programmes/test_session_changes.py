"""Moving a session: participants are told once per edit (in-app and by e-mail), the .ics SEQUENCE goes up."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from academy.extensions import db
from academy.jobs import run_ready
from academy.notifications.models import Notification
from academy.programmes.services import scheduling, seats
from tests.certificates.factories import create_course
from tests.conftest import csrf_token, read_mail
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session


@pytest.fixture
def workshop(app):
    owner = create_user(trainer=True, email="owner@example.org")
    programme = create_programme(owner=owner, courses=[create_course()])
    return create_session(programme=programme, title="Kick-off workshop in Vienna", capacity=2)


def _edit(session, *, actor=None, **changes):
    """update_session with the session's current values, overridden by `changes`."""
    values = {
        "title": session.title,
        "description": session.description,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "timezone": session.timezone,
        "mode": session.mode,
        "place": session.place,
        "online_url": session.online_url,
        "registration_deadline": session.registration_deadline,
    }
    values.update(changes)
    return scheduling.update_session(session, actor=actor, **values)


def _told(session):
    return sorted(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.event == "programme.session_changed", Notification.subject_id == session.id
            )
        )
    )


def _people(workshop):
    """Two seated, one waiting, one who cancelled."""
    seated = [create_registration(session=workshop, user=create_user(email=f"seat{i}@example.org")) for i in (1, 2)]
    waiting = create_registration(session=workshop, user=create_user(email="waiting@example.org"))
    gone = create_registration(session=workshop, user=create_user(email="gone@example.org"))
    seats.cancel(gone.user, workshop)  # the seat is full: gone was waiting too, and leaves the queue
    db.session.commit()
    return seated, waiting, gone


def test_moving_a_session_tells_everyone_registered_or_waiting_after_the_commit(app, workshop):
    seated, waiting, _gone = _people(workshop)
    later = workshop.starts_at + timedelta(days=7)

    update = _edit(workshop, actor=workshop.programme.owners[0], starts_at=later, ends_at=later + timedelta(hours=3))
    run_ready()
    assert read_mail(app) == []  # nothing leaves before the commit

    db.session.commit()
    run_ready()

    assert update.changes == ["time"] and update.told == 3
    assert _told(workshop) == sorted([seated[0].user_id, seated[1].user_id, waiting.user_id])
    mails = read_mail(app)
    assert len(mails) == 3
    assert {m.split("\n")[0] for m in mails} == {
        "To: seat1@example.org",
        "To: seat2@example.org",
        "To: waiting@example.org",
    }
    assert all("Kick-off workshop in Vienna" in m for m in mails)
    new_day = later.astimezone(ZoneInfo("Europe/Vienna")).strftime("%d %B %Y").lstrip("0")
    assert all(new_day in m and "the time" in m for m in mails), mails[0]
    assert not any("gone@example.org" in m or "owner@example.org" in m for m in mails)
    notice = db.session.scalar(select(Notification).where(Notification.user_id == waiting.user_id))
    assert notice.data["changes"] == "the time"
    assert notice.link.endswith(f"/programmes/{workshop.programme.slug}#session-{workshop.id}")


def test_each_relevant_field_counts_and_each_edit_tells_once(app, workshop):
    registration = create_registration(session=workshop)

    assert _edit(workshop, place="Hotel Regina, Vienna").changes == ["place"]
    assert _edit(workshop, mode="online", place="", online_url="https://meet.example.org/k").changes == [
        "place",
        "link",
        "mode",
    ]
    assert _edit(workshop, online_url="https://meet.example.org/other").changes == ["link"]
    db.session.commit()

    assert workshop.sequence == 3
    assert _told(workshop) == [registration.user_id] * 3
    run_ready()
    mails = read_mail(app)
    assert len(mails) == 3 and "live online" in mails[-1]
    assert not any("meet.example.org" in m for m in mails)  # the join link stays on the page, for seats only


def test_a_new_title_or_description_tells_nobody_and_keeps_the_sequence(app, workshop):
    create_registration(session=workshop)

    update = _edit(workshop, title="Kick-off workshop (Vienna)", description="Bring your laptop.")
    db.session.commit()
    run_ready()

    assert update.changes == [] and update.told == 0
    assert workshop.sequence == 0
    assert _told(workshop) == []
    assert read_mail(app) == []


def test_a_refused_edit_tells_nobody(app, workshop):
    create_registration(session=workshop)
    from academy.exceptions import ServiceError

    with pytest.raises(ServiceError):
        _edit(workshop, ends_at=workshop.starts_at - timedelta(hours=1))
    db.session.rollback()
    run_ready()

    assert _told(workshop) == []
    assert read_mail(app) == []


def test_the_calendar_file_keeps_its_uid_and_raises_its_sequence(client, login, db, workshop):
    me = login(create_user())
    registration = create_registration(session=workshop, user=me)
    url = f"/programmes/sessions/{workshop.id}/calendar.ics"

    def event():
        response = client.get(url)
        assert response.status_code == 200
        (vevent,) = icalendar.Calendar.from_ical(response.get_data(as_text=True)).walk("VEVENT")
        return vevent

    before = event()
    assert int(before["SEQUENCE"]) == 0
    assert str(before["STATUS"]) == "CONFIRMED"

    later = workshop.starts_at + timedelta(days=1)
    _edit(workshop, starts_at=later, ends_at=later + timedelta(hours=2))
    db.session.commit()
    _edit(workshop, title="Kick-off workshop, renamed")  # not a change participants must act on
    db.session.commit()
    after = event()

    assert str(after["UID"]) == str(before["UID"]) == f"session-{workshop.id}-registration-{registration.id}@localhost"
    assert int(after["SEQUENCE"]) == 1
    assert after.decoded("DTSTART") == later
    assert after.decoded("DTEND") == later + timedelta(hours=2)

    seats.cancel(me, workshop)
    db.session.commit()
    assert client.get(url).status_code == 404  # a cancelled registration has no calendar file


def test_people_waiting_get_a_tentative_event(client, login, db, workshop):
    for _ in range(2):
        create_registration(session=workshop)
    me = login(create_user())
    create_registration(session=workshop, user=me)
    response = client.get(f"/programmes/sessions/{workshop.id}/calendar.ics")
    (vevent,) = icalendar.Calendar.from_ical(response.get_data(as_text=True)).walk("VEVENT")
    assert str(vevent["STATUS"]) == "TENTATIVE"


def test_the_trainer_moves_a_session_and_learns_who_was_told(client, login, db, workshop):
    create_registration(session=workshop)
    create_registration(session=workshop)
    login(workshop.programme.owners[0])
    edit = f"/teach/sessions/{workshop.id}/edit"
    assert "everyone registered or waiting is told" in client.get(edit).get_data(as_text=True)
    response = client.post(
        edit,
        data={
            "csrf_token": csrf_token(client, edit),
            "title": workshop.title,
            "mode": "in_person",
            "starts_at": "2031-03-10T09:00",
            "ends_at": "2031-03-10T12:00",
            "timezone": "Europe/Vienna",
            "place": "Interact Office Vienna, Sterngasse 13, 1010 Wien",
        },
        follow_redirects=True,
    )
    assert "2 people registered or waiting are told about the change." in response.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.sequence == 1 and len(_told(workshop)) == 2
