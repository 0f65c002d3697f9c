"""Programme pages: catalogue, programme page, enrolment, registration, .ics; trainer editor, roster, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import icalendar
from sqlalchemy import select

from academy.courses.models import Enrolment
from academy.db import utcnow
from academy.programmes.models import (
    Attendance,
    Programme,
    ProgrammeStatus,
    RegistrationStatus,
    SessionRegistration,
    TrainingSession,
)
from academy.programmes.services import certification
from tests.certificates.factories import create_course
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session, enrol

# Login session and user, the programme with owners, outcomes, parts, courses, versions and sessions,
# the enrolment, course progress (2), course certificates, registrations, waiting-list places, the
# programme certificate,
# and the layout's badge and bell; outcomes mapped to courses add mastery (thresholds, evidence).
PROGRAMME_PAGE_QUERIES = 17
MASTERY_QUERIES = 2
ROSTER_PAGE_QUERIES = 8


def _track(owner=None, *, capacity=2):
    programme = create_programme(
        title="Financial management track", owner=owner, courses=[create_course(title="Simplified cost options")]
    )
    session = create_session(programme=programme, title="Finance day in Brussels", capacity=capacity)
    return programme, session


# ---------------------------------------------------------------------------- learners


def test_the_catalogue_lists_published_programmes_and_filters_them(client, db):
    create_programme(title="Financial management track", courses=[create_course()])
    create_programme(title="Programme management track", courses=[create_course()])
    create_programme(title="Secret draft track", courses=[create_course()], published=False)

    html = client.get("/programmes").get_data(as_text=True)
    assert "Financial management track" in html and "Programme management track" in html
    assert "Secret draft track" not in html
    filtered = client.get("/programmes?q=financial").get_data(as_text=True)
    assert "Financial management track" in filtered and "Programme management track" not in filtered
    assert 'href="/programmes"' in client.get("/courses").get_data(as_text=True)


def test_a_draft_programme_is_not_found_by_learners(client, login, db):
    programme = create_programme(courses=[create_course()], published=False)
    login(create_user())
    assert client.get(f"/programmes/{programme.slug}").status_code == 404


def test_a_learner_enrols_registers_downloads_the_calendar_and_cancels(client, login, db):
    programme, session = _track()
    me = login(create_user())
    page = f"/programmes/{programme.slug}"
    assert "Enrol in this programme" in client.get(page).get_data(as_text=True)

    response = client.post(f"{page}/enrol", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == me.id)) is not None

    html = client.get(page).get_data(as_text=True)
    assert "Register" in html and "What is left" in html
    client.post(f"/programmes/sessions/{session.id}/register", data={"csrf_token": csrf_token(client, page)})
    registration = db.session.scalar(select(SessionRegistration).where(SessionRegistration.user_id == me.id))
    assert registration.status == RegistrationStatus.REGISTERED

    ics = client.get(f"/programmes/sessions/{session.id}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    (event,) = icalendar.Calendar.from_ical(ics.get_data(as_text=True)).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Finance day in Brussels"

    client.post(f"/programmes/sessions/{session.id}/cancel", data={"csrf_token": csrf_token(client, page)})
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CANCELLED
    assert client.get(f"/programmes/sessions/{session.id}/calendar.ics").status_code == 404


def test_a_full_session_offers_the_waiting_list(client, login, db):
    programme, session = _track(capacity=1)
    create_registration(session=session)
    me = login(create_user())
    enrol(me, programme)
    page = f"/programmes/{programme.slug}"
    assert "Join the waiting list" in client.get(page).get_data(as_text=True)
    client.post(f"/programmes/sessions/{session.id}/register", data={"csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert "On the waiting list" in html and "You are number 1 on the waiting list." in html


def test_the_programme_page_queries_do_not_grow_with_participants(client, login, db, count_queries):
    programme, session = _track(capacity=50)
    me = login(create_user())
    enrol(me, programme)
    create_registration(session=session, user=me)
    page = f"/programmes/{programme.slug}"
    client.get(page)
    with count_queries() as few:
        client.get(page)
    for _ in range(5):
        create_registration(session=session)
    with count_queries() as many:
        client.get(page)
    assert few.count == many.count == PROGRAMME_PAGE_QUERIES, many.statements


# ---------------------------------------------------------------------------- trainers


def test_a_trainer_builds_and_publishes_a_programme(client, login, db):
    trainer = login(create_user(trainer=True))
    course = create_course(title="Jems for joint secretariats")
    response = client.post(
        "/teach/programmes",
        data={"csrf_token": csrf_token(client, "/teach/programmes"), "title": "Monitoring track", "credits": "3"},
    )
    programme = db.session.scalar(select(Programme).where(Programme.title == "Monitoring track"))
    assert response.headers["Location"].endswith(f"/teach/programmes/{programme.slug}")
    editor = f"/teach/programmes/{programme.slug}"

    client.post(
        f"{editor}/courses", data={"csrf_token": csrf_token(client, editor), "course": course.id, "required": "y"}
    )
    start = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT09:00")
    end = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT12:30")
    response = client.post(
        f"{editor}/sessions",
        data={
            "csrf_token": csrf_token(client, editor),
            "title": "Jems clinic",
            "mode": "online",
            "starts_at": start,
            "ends_at": end,
            "timezone": "Europe/Vienna",
            "online_url": "https://meet.example.org/jems",
            "capacity": "12",
            "required": "y",
        },
    )
    assert response.status_code == 302
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.title == "Jems clinic"))
    assert session.starts_at.astimezone().utcoffset() is not None
    assert session.starts_at.strftime("%H:%M") in ("07:00", "08:00")  # 09:00 in Vienna, summer or winter

    client.post(
        editor,
        data={
            "csrf_token": csrf_token(client, editor),
            "title": "Monitoring track",
            "credits": "3",
            "outcomes": f"P1 | Run the monitoring committee | {course.slug}:LO1",
        },
    )
    client.post(f"{editor}/publish", data={"csrf_token": csrf_token(client, editor)})
    db.session.refresh(programme)
    assert programme.status == ProgrammeStatus.PUBLISHED
    assert programme.outcomes[0].course_outcomes == [{"course_id": course.id, "key": "lo-1"}]
    assert trainer in programme.owners


def test_bad_session_input_is_kept_and_explained(client, login, db):
    programme, _session = _track(owner=login(create_user(trainer=True)))
    editor = f"/teach/programmes/{programme.slug}"
    response = client.post(
        f"{editor}/sessions",
        data={
            "csrf_token": csrf_token(client, editor),
            "title": "Backwards session",
            "mode": "in_person",
            "starts_at": "2031-05-04T12:00",
            "ends_at": "2031-05-04T09:00",
            "timezone": "Europe/Brussels",
            "capacity": "5",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The session must end after it starts." in html
    assert 'value="Backwards session"' in html


def test_other_trainers_cannot_open_the_editor_or_roster(client, login, db):
    programme, session = _track()
    login(create_user(trainer=True))
    assert client.get(f"/teach/programmes/{programme.slug}").status_code == 403
    assert client.get(f"/teach/sessions/{session.id}").status_code == 403
    assert client.get(f"/teach/sessions/{session.id}/roster.csv").status_code == 403


def test_the_trainer_records_attendance_and_exports_the_roster(client, login, db):
    owner = create_user(trainer=True)
    _programme, session = _track(owner=owner, capacity=1)
    seated = create_registration(session=session, user=create_user(name="=Eve Formula"))
    create_registration(session=session, user=create_user(name="Wanda Waiting"))
    session.starts_at = utcnow() - timedelta(hours=2)
    session.ends_at = utcnow() - timedelta(hours=1)
    session.registration_deadline = None
    db.session.commit()
    login(owner)
    roster = f"/teach/sessions/{session.id}"
    html = client.get(roster).get_data(as_text=True)
    assert "Wanda Waiting" in html and "Save attendance" in html

    client.post(
        f"{roster}/attendance",
        data={"csrf_token": csrf_token(client, roster), f"attendance-{seated.id}": "present"},
    )
    db.session.refresh(seated)
    assert seated.attendance == Attendance.PRESENT

    response = client.get(f"{roster}/roster.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["name", "email", "organisation", "status", "attendance", "registered_at"]
    assert rows[1][0] == "'=Eve Formula" and rows[1][3:5] == ["registered", "present"]
    assert rows[2][0] == "Wanda Waiting" and rows[2][3] == "waitlisted"


def test_the_roster_page_queries_do_not_grow(client, login, db, count_queries):
    owner = create_user(trainer=True)
    _programme, session = _track(owner=owner, capacity=50)
    create_registration(session=session)
    login(owner)
    with count_queries() as few:
        client.get(f"/teach/sessions/{session.id}")
    for _ in range(5):
        create_registration(session=session)
    with count_queries() as many:
        client.get(f"/teach/sessions/{session.id}")
    assert few.count == many.count == ROSTER_PAGE_QUERIES, many.statements


def test_the_programme_page_queries_do_not_grow_with_parts(client, login, db, count_queries):
    from academy.programmes.services import authoring

    def build(n: int) -> str:
        courses = [create_course() for _ in range(n)]
        programme = create_programme(courses=courses)
        for i in range(n):
            create_session(programme=programme, title=f"Session {i}")
        mapping = [{"course_id": c.id, "key": "lo-1"} for c in courses]
        authoring.set_outcomes(programme, [("P1", "Do it", mapping), ("P2", "Do more", mapping[:1])])
        db.session.commit()
        enrol(me, programme)
        return f"/programmes/{programme.slug}"

    me = login(create_user())
    small, large = build(1), build(4)
    client.get(small)
    with count_queries() as q_small:
        client.get(small)
    with count_queries() as q_large:
        client.get(large)
    assert q_small.count == q_large.count == PROGRAMME_PAGE_QUERIES + MASTERY_QUERIES, q_large.statements


def _certified(owner):
    """A learner holding the programme certificate of a programme run by `owner`."""
    from academy.certificates import services as certificate_services
    from academy.extensions import db

    programme = create_programme(owner=owner, courses=[create_course()])
    user = create_user(name="Lena Learnr")
    enrol(user, programme)
    course_enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
    from tests.certificates.factories import complete_lessons

    complete_lessons(course_enrolment, commit=False)
    certificate_services.issue_for_enrolment(course_enrolment)
    certificate = certification.certify(programme, user)
    db.session.commit()
    return programme, certificate


def test_the_programme_trainer_reissues_and_revokes_programme_certificates(client, login, db):
    from academy.certificates import services as certificate_services
    from academy.certificates.models import Certificate, CertificateStatus

    owner = create_user(trainer=True)
    programme, certificate = _certified(owner)
    login(owner)
    listing = f"/teach/programmes/{programme.slug}/certificates"
    assert "Lena Learnr" in client.get(listing).get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 200

    response = client.post(
        f"/certificates/{certificate.id}/reissue",
        data={
            "csrf_token": csrf_token(client, f"/certificates/{certificate.id}/reissue"),
            "holder_name": "Lena Learner",
        },
    )
    assert response.headers["Location"].endswith(listing)
    db.session.refresh(certificate)
    replacement = db.session.get(Certificate, certificate.superseded_by_id)
    assert certificate.status == CertificateStatus.SUPERSEDED
    assert replacement.holder_name == "Lena Learner"
    assert replacement.parts == certificate.parts and replacement.achievement_id == programme.id

    client.post(
        f"/certificates/{replacement.id}/revoke",
        data={"csrf_token": csrf_token(client, f"/certificates/{replacement.id}/revoke"), "reason": "misconduct"},
    )
    db.session.refresh(replacement)
    assert replacement.status == CertificateStatus.REVOKED
    code = certificate_services.stored_code(replacement)
    assert "was revoked" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_other_trainers_cannot_manage_programme_certificates(client, login, db):
    _programme, certificate = _certified(create_user(trainer=True))
    login(create_user(trainer=True))
    assert client.get(f"/certificates/{certificate.id}/revoke").status_code == 404
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 404


def test_the_trainer_moves_a_session_and_registrations_stay(client, login, db):
    owner = create_user(trainer=True)
    _programme, session = _track(owner=owner)
    registration = create_registration(session=session)
    login(owner)
    edit = f"/teach/sessions/{session.id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert 'value="Finance day in Brussels"' in html

    response = client.post(
        edit,
        data={
            "csrf_token": csrf_token(client, edit),
            "title": "Finance day in Brussels (new date)",
            "mode": "online",
            "starts_at": "2031-01-15T14:00",
            "ends_at": "2031-01-15T17:00",
            "timezone": "Europe/Brussels",
            "online_url": "https://meet.example.org/finance",
        },
    )
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.starts_at.isoformat() == "2031-01-15T13:00:00+00:00"
    assert session.online_url == "https://meet.example.org/finance"
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.REGISTERED

    bad = client.post(edit, data={"csrf_token": csrf_token(client, edit), "title": "", "mode": "online"})
    assert bad.status_code == 400 and "Give the session a title." in bad.get_data(as_text=True)


def test_my_learning_lists_my_programmes(client, login, db):
    programme, _session = _track()
    other = create_programme(title="Someone else's track", courses=[create_course()])
    me = login(create_user())
    assert "Your training programmes" not in client.get("/my-learning").get_data(as_text=True)
    enrol(me, programme)
    html = client.get("/my-learning").get_data(as_text=True)
    assert "Financial management track" in html and other.title not in html
