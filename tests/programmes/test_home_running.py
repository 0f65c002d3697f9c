"""A trainer's start page: attendance still to record, and the sessions they run soon."""

from __future__ import annotations

from datetime import timedelta

from academy.db import utcnow
from academy.extensions import db
from academy.programmes.services import sessions
from tests.certificates.factories import create_course
from tests.factories import create_user
from tests.programmes.factories import attend_past, create_programme, create_registration, create_session


def test_the_trainer_sees_attendance_to_record_and_sessions_coming_up(app, client, login, count_queries):
    trainer = create_user(trainer=True)
    programme = create_programme(owner=trainer, courses=[create_course()])
    past = create_session(programme=programme, title="Vienna day", capacity=5)
    people = [create_registration(session=past) for _ in range(3)]
    past.starts_at, past.ends_at = utcnow() - timedelta(days=1, hours=3), utcnow() - timedelta(days=1)
    past.registration_deadline = None
    db.session.commit()
    attend_past(past, people[0])  # one marked, two still to record
    create_session(programme=programme, title="Brussels clinic", starts_in=timedelta(days=10), capacity=8)
    create_session(programme=programme, title="Far away", starts_in=timedelta(days=200))
    other = create_programme(courses=[create_course()])
    create_session(programme=other, title="Someone else's day", starts_in=timedelta(days=5))

    login(trainer)
    client.get("/")
    with count_queries() as counted:
        page = client.get("/").get_data(as_text=True)
    assert "Sessions you run" in page
    assert "Attendance to record" in page and "2 people not marked" in page
    assert f"/teach/sessions/{past.id}" in page
    assert "Brussels clinic" in page and "0 of 8 seats taken" in page
    assert "Far away" not in page and "Someone else" not in page

    # Once every seated person is marked, the session leaves the list; the query count stays.
    sessions.record_attendance(past, actor=trainer, marks={p.id: "absent" for p in people[1:]})
    db.session.commit()
    with count_queries() as again:
        page = client.get("/").get_data(as_text=True)
    assert "Attendance to record" not in page and "Brussels clinic" in page
    assert again.count == counted.count, again.statements


def test_learners_and_other_trainers_get_no_running_panel(app, client, login):
    programme = create_programme(owner=create_user(trainer=True), courses=[create_course()])
    create_session(programme=programme, starts_in=timedelta(days=3))
    for person in (create_user(), create_user(trainer=True)):
        login(person)
        assert "Sessions you run" not in client.get("/").get_data(as_text=True)
