"""Cancelling a session: everyone registered or waiting is told once, calendars drop it, the certificate waits."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from academy.certificates.models import Certificate
from academy.exceptions import Conflict, ServiceError
from academy.extensions import db
from academy.jobs import run_ready
from academy.notifications.models import Notification
from academy.programmes import jobs
from academy.programmes.models import RegistrationStatus, SessionRegistration, SessionStatus, TrainingSession
from academy.programmes.services import authoring, certification, progress, scheduling, seats, sessions
from academy.programmes.services.progress import PartState
from tests.certificates.factories import create_course
from tests.conftest import csrf_token, read_mail
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session, enrol
from tests.programmes.test_certification import _certify_course

REASON = "The trainer is ill; a new date follows."


@pytest.fixture
def workshop(app):
    owner = create_user(trainer=True, email="owner@example.org")
    programme = create_programme(owner=owner, courses=[create_course()])
    return create_session(programme=programme, title="Kick-off workshop in Vienna", capacity=2)


def _owner(session):
    return session.programme.owners[0]


def _people(workshop):
    """Two seated, one waiting, one who gave up their place before."""
    seated = [create_registration(session=workshop, user=create_user(email=f"seat{i}@example.org")) for i in (1, 2)]
    waiting = create_registration(session=workshop, user=create_user(email="waiting@example.org"))
    gone = create_registration(session=workshop, user=create_user(email="gone@example.org"))
    seats.cancel(gone.user, workshop)
    db.session.commit()
    return seated, waiting, gone


def _told(session):
    return sorted(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.event == "programme.session_cancelled", Notification.subject_id == session.id
            )
        )
    )


def _post(client, path, data, *, form_page=None):
    return client.post(path, data={"csrf_token": csrf_token(client, form_page or path), **data}, follow_redirects=True)


# ---------------------------------------------------------------------------- the service


def test_cancelling_tells_everyone_registered_or_waiting_once_after_the_commit(app, workshop):
    seated, waiting, _gone = _people(workshop)

    result = sessions.cancel_session(workshop, reason=REASON, actor=_owner(workshop))
    run_ready()
    assert read_mail(app) == []  # nothing leaves before the commit

    db.session.commit()
    run_ready()

    assert result.cancelled and result.told == 3
    assert workshop.status == SessionStatus.CANCELLED and workshop.cancelled
    assert workshop.cancelled_by_id == _owner(workshop).id and workshop.cancelled_at is not None
    assert workshop.cancellation_reason == REASON
    assert workshop.sequence == 1
    assert workshop.seats_taken == 0 and workshop.seats_left == 0
    assert _told(workshop) == sorted([seated[0].user_id, seated[1].user_id, waiting.user_id])
    mails = read_mail(app)
    assert sorted(m.split("\n")[0] for m in mails) == [
        "To: seat1@example.org",
        "To: seat2@example.org",
        "To: waiting@example.org",
    ]
    assert all("Kick-off workshop in Vienna" in m and "is cancelled" in m and REASON in m for m in mails), mails[0]
    # The rows stay as the record of who was registered or waiting.
    statuses = sorted(r.status.value for r in db.session.scalars(select(SessionRegistration)))
    assert statuses == ["cancelled", "registered", "registered", "waitlisted"]
    notice = db.session.scalar(select(Notification).where(Notification.user_id == waiting.user_id))
    assert notice.link.endswith(f"/programmes/{workshop.programme.slug}#session-{workshop.id}")

    again = sessions.cancel_session(workshop, reason="Another reason", actor=_owner(workshop))
    db.session.commit()
    run_ready()

    assert not again.cancelled and again.told == 0
    assert len(read_mail(app)) == 3  # the same three messages, no new one
    assert len(_told(workshop)) == 3
    assert workshop.sequence == 1 and workshop.cancellation_reason == REASON


def test_a_stale_copy_cancelled_elsewhere_tells_nobody_twice(app, workshop):
    create_registration(session=workshop)
    sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.commit()
    # As if another tab loaded the session before the first cancellation went through.
    set_committed_value(workshop, "status", SessionStatus.SCHEDULED)
    assert not workshop.cancelled

    result = sessions.cancel_session(workshop, reason="Second try", actor=None)

    assert not result.cancelled and result.told == 0
    assert workshop.cancelled and workshop.cancellation_reason == REASON and workshop.sequence == 1
    assert len(_told(workshop)) == 1


def test_a_reason_is_required(workshop):
    with pytest.raises(ServiceError) as err:
        sessions.cancel_session(workshop, reason="   ", actor=None)
    assert err.value.field == "reason"
    with pytest.raises(ServiceError):
        sessions.cancel_session(workshop, reason="x" * 501, actor=None)
    db.session.rollback()
    assert not db.session.get(TrainingSession, workshop.id).cancelled


def test_a_session_that_has_started_cannot_be_cancelled(app, workshop):
    create_registration(session=workshop)
    workshop.starts_at = workshop.starts_at - timedelta(days=30)
    workshop.ends_at = workshop.ends_at - timedelta(days=30)
    workshop.registration_deadline = None
    db.session.commit()

    with pytest.raises(Conflict, match="cannot be cancelled"):
        sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.rollback()
    run_ready()

    assert not workshop.cancelled and _told(workshop) == []
    assert read_mail(app) == []


def test_a_cancelled_session_takes_no_registrations_seats_attendance_or_edits(workshop):
    mine = create_registration(session=workshop)
    waiting = [create_registration(session=workshop) for _ in range(2)][-1]
    sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.commit()
    newcomer = create_user()
    enrol(newcomer, workshop.programme)

    with pytest.raises(Conflict, match="cancelled"):
        seats.register(newcomer, workshop)
    with pytest.raises(Conflict, match="cancelled"):
        seats.cancel(mine.user, workshop)
    with pytest.raises(Conflict, match="cancelled"):
        seats.set_capacity(workshop, 10)
    with pytest.raises(Conflict, match="cancelled"):
        scheduling.update_session(
            workshop,
            title="Moved",
            starts_at=workshop.starts_at + timedelta(days=1),
            ends_at=workshop.ends_at + timedelta(days=1),
            timezone=workshop.timezone,
            mode=workshop.mode,
            place=workshop.place,
        )
    workshop.starts_at = workshop.starts_at - timedelta(days=30)  # even once its time has come
    with pytest.raises(Conflict, match="attendance cannot be recorded"):
        sessions.record_attendance(workshop, actor=None, marks={mine.id: "present"})
    db.session.rollback()

    assert seats.registration_of(newcomer, workshop) is None
    assert seats.promote_waiting(workshop) == []
    assert waiting.status == RegistrationStatus.WAITLISTED and workshop.seats_taken == 0


# ---------------------------------------------------------------------------- removing the part


def test_a_session_with_participants_is_removed_only_once_cancelled(workshop):
    programme = workshop.programme
    create_registration(session=workshop)
    part = next(p for p in programme.parts if p.session_id == workshop.id)

    with pytest.raises(Conflict, match="Cancel the session first"):
        authoring.remove_part(programme, part.id)
    db.session.rollback()

    sessions.cancel_session(workshop, reason=REASON, actor=None)
    authoring.remove_part(programme, part.id)
    db.session.commit()

    assert all(p.session_id != workshop.id for p in programme.parts)
    assert db.session.scalar(select(func.count()).select_from(SessionRegistration)) == 1  # history stays


def test_a_session_nobody_registered_for_is_removed_as_before(workshop):
    programme = workshop.programme
    part = next(p for p in programme.parts if p.session_id == workshop.id)
    authoring.remove_part(programme, part.id)
    db.session.commit()
    assert all(p.session_id != workshop.id for p in programme.parts)


def test_the_trainer_is_told_to_cancel_before_removing(client, login, db, workshop):
    create_registration(session=workshop)
    login(_owner(workshop))
    programme = workshop.programme
    part = next(p for p in programme.parts if p.session_id == workshop.id)
    manage = f"/teach/programmes/{programme.slug}"

    response = _post(client, f"{manage}/parts/{part.id}/remove", {"confirmed": "yes"}, form_page=manage)

    assert response.status_code == 200
    assert "Cancel the session first, so they are told" in response.get_data(as_text=True)
    db.session.expire_all()
    assert any(p.session_id == workshop.id for p in programme.parts)


# ---------------------------------------------------------------------------- progress


@pytest.fixture
def track(app):
    course = create_course(title="Simplified cost options")
    programme = create_programme(courses=[course])
    session = create_session(programme=programme, title="Finance day in Brussels")
    learner = create_user()
    enrol(learner, programme)
    return programme, course, session, learner


def test_a_cancelled_required_session_holds_the_certificate_until_the_trainer_decides(track):
    programme, course, session, learner = track
    create_registration(session=session, user=learner)
    sessions.cancel_session(session, reason=REASON, actor=None)
    db.session.commit()
    run_ready()
    _certify_course(learner, course)

    standing = progress.standing(programme, learner)
    (cancelled,) = [p for p in standing.parts if p.part.session_id == session.id]
    assert cancelled.state == PartState.CANCELLED and cancelled.label == "Session cancelled"
    assert [p.part.session_id for p in standing.left] == [session.id]
    assert not standing.complete
    assert (
        db.session.scalar(
            select(Certificate).where(
                Certificate.achievement_kind == "programme", Certificate.achievement_id == programme.id
            )
        )
        is None
    )

    # The trainer makes the cancelled day optional: the course alone now completes the programme.
    part = next(p for p in programme.parts if p.session_id == session.id)
    authoring.set_required(programme, part.id, required=False)
    jobs.queue_programme_check(programme.id)
    db.session.commit()
    run_ready()
    standing = progress.standing(programme, learner)
    assert standing.complete and standing.percent == 100
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.achievement_kind == "programme", Certificate.achievement_id == programme.id
        )
    )
    assert certificate is not None and certificate.user_id == learner.id
    assert [title for _kind, title, _detail in certification.achievement(standing).parts] == ["Simplified cost options"]


def test_cancelling_alone_never_issues_a_certificate_removing_the_part_does(track):
    programme, course, session, learner = track
    _certify_course(learner, course)
    sessions.cancel_session(session, reason=REASON, actor=None)
    db.session.commit()
    run_ready()
    assert (
        db.session.scalar(
            select(Certificate).where(
                Certificate.achievement_kind == "programme", Certificate.achievement_id == programme.id
            )
        )
        is None
    )

    part = next(p for p in programme.parts if p.session_id == session.id)
    authoring.remove_part(programme, part.id)  # allowed: the session is cancelled
    jobs.queue_programme_check(programme.id)
    db.session.commit()
    run_ready()
    assert (
        db.session.scalar(
            select(Certificate).where(
                Certificate.achievement_kind == "programme", Certificate.achievement_id == programme.id
            )
        )
        is not None
    )


def test_a_programme_of_cancelled_sessions_only_is_never_complete(app):
    programme = create_programme(published=False)
    first = create_session(programme=programme, title="Day one")
    second = create_session(programme=programme, title="Day two")
    authoring.publish(programme)
    learner = create_user()
    enrol(learner, programme, commit=False)
    for session in (first, second):
        sessions.cancel_session(session, reason=REASON, actor=None)
    db.session.commit()
    run_ready()

    standing = progress.standing(programme, learner)
    assert not standing.complete and len(standing.left) == 2 and standing.percent == 0
    assert certification.certify(programme, learner) is None
    assert (
        db.session.scalar(
            select(Certificate).where(
                Certificate.achievement_kind == "programme", Certificate.achievement_id == programme.id
            )
        )
        is None
    )


# ---------------------------------------------------------------------------- pages and the calendar file


def test_the_calendar_file_cancels_the_event_with_a_higher_sequence(client, login, db, workshop):
    me = login(create_user())
    registration = create_registration(session=workshop, user=me)
    url = f"/programmes/sessions/{workshop.id}/calendar.ics"

    def calendar():
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        return icalendar.Calendar.from_ical(response.get_data(as_text=True))

    before = calendar()
    sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.commit()
    after = calendar()

    (old,), (new,) = before.walk("VEVENT"), after.walk("VEVENT")
    assert str(before["METHOD"]) == "PUBLISH" and str(after["METHOD"]) == "CANCEL"
    assert str(new["STATUS"]) == "CANCELLED"
    assert str(new["UID"]) == str(old["UID"]) == f"session-{workshop.id}-registration-{registration.id}@localhost"
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1
    assert REASON in str(new["DESCRIPTION"])


def test_people_waiting_get_the_cancelling_file_too(client, login, db, workshop):
    for _ in range(2):
        create_registration(session=workshop)
    me = login(create_user())
    create_registration(session=workshop, user=me)
    sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.commit()

    text = client.get(f"/programmes/sessions/{workshop.id}/calendar.ics").get_data(as_text=True)
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_learners_see_the_cancellation_and_cannot_register(client, login, db, count_queries, workshop):
    me = login(create_user())
    enrol(me, workshop.programme)
    page = f"/programmes/{workshop.programme.slug}"
    client.get(page)
    with count_queries() as scheduled:
        client.get(page)
    sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.commit()

    client.get(page)
    with count_queries() as cancelled:
        html = client.get(page).get_data(as_text=True)
    assert cancelled.count == scheduled.count, cancelled.statements
    assert "This session is cancelled." in html and REASON in html
    assert "Session cancelled" in html
    assert f"/programmes/sessions/{workshop.id}/register" not in html
    assert "Attend Kick-off workshop in Vienna" not in html
    assert "Kick-off workshop in Vienna was cancelled: the trainer will add a new date" in html

    response = _post(client, f"/programmes/sessions/{workshop.id}/register", {}, form_page=page)
    assert "This session is cancelled: it takes no registrations." in response.get_data(as_text=True)
    assert seats.registration_of(me, workshop) is None


def test_the_trainer_cancels_from_the_programme_page_with_a_reason(client, login, db, count_queries, workshop):
    create_registration(session=workshop)
    create_registration(session=workshop)
    create_registration(session=workshop)  # waiting
    login(_owner(workshop))
    roster = f"/teach/sessions/{workshop.id}"
    client.get(roster)
    with count_queries() as scheduled:
        client.get(roster)
    manage = client.get(f"/teach/programmes/{workshop.programme.slug}").get_data(as_text=True)
    path = f"/teach/sessions/{workshop.id}/cancel"
    assert path in manage

    page = client.get(path).get_data(as_text=True)
    assert "2 people hold a seat and 1 are on the waiting list" in page

    refused = client.post(path, data={"csrf_token": csrf_token(client, path), "reason": " "})
    assert refused.status_code == 400
    assert "Say why the session is cancelled" in refused.get_data(as_text=True)
    assert not db.session.get(TrainingSession, workshop.id).cancelled

    done = _post(client, path, {"reason": REASON})
    html = done.get_data(as_text=True)
    assert "The session is cancelled. 3 people registered or waiting are told." in html
    assert "This session is cancelled." in html and REASON in html  # back on the roster
    assert "Save attendance" not in html and "Change the number of seats" not in html
    db.session.expire_all()
    assert db.session.get(TrainingSession, workshop.id).cancelled
    assert len(_told(workshop)) == 3

    twice = _post(client, path, {"reason": REASON}, form_page=f"/teach/sessions/{workshop.id}")
    assert "This session is already cancelled." in twice.get_data(as_text=True)
    assert len(_told(workshop)) == 3

    manage = client.get(f"/teach/programmes/{workshop.programme.slug}").get_data(as_text=True)
    assert "Cancelled" in manage and REASON in manage and path not in manage

    edit = client.get(f"/teach/sessions/{workshop.id}/edit", follow_redirects=True)
    assert "it can no longer be changed" in edit.get_data(as_text=True)

    client.get(roster)
    with count_queries() as cancelled:
        client.get(roster)
    assert cancelled.count == scheduled.count, cancelled.statements  # who cancelled comes with the session


def test_the_trainer_cannot_cancel_a_session_that_has_started(client, login, db, workshop):
    create_registration(session=workshop)
    workshop.starts_at = workshop.starts_at - timedelta(days=30)
    workshop.ends_at = workshop.ends_at - timedelta(days=30)
    workshop.registration_deadline = None
    db.session.commit()
    login(_owner(workshop))
    roster = f"/teach/sessions/{workshop.id}"
    assert f"{roster}/cancel" not in client.get(roster).get_data(as_text=True)

    response = _post(client, f"{roster}/cancel", {"reason": REASON}, form_page=roster)

    assert "cannot be cancelled" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(TrainingSession, workshop.id).cancelled
    assert _told(workshop) == []


def test_a_registration_racing_the_cancellation_is_refused(workshop):
    newcomer = create_user()
    enrol(newcomer, workshop.programme)
    sessions.cancel_session(workshop, reason=REASON, actor=None)
    db.session.commit()
    set_committed_value(workshop, "status", SessionStatus.SCHEDULED)  # loaded before the cancellation committed

    with pytest.raises(Conflict, match="cancelled"):
        seats.register(newcomer, workshop)
    db.session.rollback()

    assert seats.registration_of(newcomer, workshop) is None
