"""A session part offered on several dates: attending any one does the part; one place at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from academy.certificates import achievements
from academy.certificates.models import Certificate
from academy.exceptions import Conflict
from academy.extensions import db
from academy.programmes.models import ProgrammePart, TrainingSession
from academy.programmes.services import progress, seats, sessions
from tests.api.factories import bearer, create_token
from tests.certificates.factories import create_course
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.programmes.factories import (
    attend_past,
    create_date,
    create_programme,
    create_registration,
    create_session,
    enrol,
)
from tests.programmes.test_pages import PROGRAMME_PAGE_QUERIES


@pytest.fixture
def workshop(app):
    """A programme whose only part is a workshop in Vienna, also offered later in Turku."""
    programme = create_programme(title="Controllers' track", courses=[])
    vienna = create_session(programme=programme, title="Controllers' workshop", capacity=2)
    from academy.programmes.services import authoring

    authoring.publish(programme)
    db.session.commit()
    turku = create_date(session=vienna)
    return programme, vienna, turku


def _state(programme, user):
    return progress.standing(programme, user).parts[0]


def _certificates(user, programme):
    return list(
        db.session.scalars(
            select(Certificate).where(
                Certificate.user_id == user.id,
                Certificate.achievement_kind == "programme",
                Certificate.achievement_id == programme.id,
            )
        )
    )


def test_the_part_lists_its_dates_by_start(workshop):
    programme, vienna, turku = workshop
    part = db.session.scalar(select(ProgrammePart).where(ProgrammePart.session_id == vienna.id))
    assert part.dates == [vienna, turku]
    assert turku.part_id == part.id and turku.programme_id == programme.id


def test_attending_the_second_date_completes_the_programme(workshop):
    programme, _vienna, turku = workshop
    user = create_user()
    enrol(user, programme)
    registration = create_registration(session=turku, user=user)
    assert _state(programme, user).state == progress.PartState.REGISTERED
    attend_past(turku, registration)
    item = _state(programme, user)
    assert item.done and item.registration.session_id == turku.id
    (certificate,) = _certificates(user, programme)
    ((kind, title, detail),) = achievements.achievement_of(certificate).parts
    assert (kind, title) == ("session", "Controllers' workshop")
    assert "Turku" in detail  # the date attended, not the part's first date


def test_absent_on_the_first_date_a_learner_registers_for_the_second_and_completes(workshop):
    programme, vienna, turku = workshop
    user = create_user()
    enrol(user, programme)
    first = create_registration(session=vienna, user=user)
    attend_past(vienna, first, "absent")
    assert _state(programme, user).state == progress.PartState.ABSENT
    assert not _certificates(user, programme)

    second = create_registration(session=turku, user=user)  # absent rows hold no place
    assert _state(programme, user).state == progress.PartState.REGISTERED
    attend_past(turku, second)
    assert _state(programme, user).done
    assert len(_certificates(user, programme)) == 1


def test_one_active_place_per_part(workshop):
    programme, vienna, turku = workshop
    user = create_user()
    enrol(user, programme)
    create_registration(session=vienna, user=user)
    with pytest.raises(Conflict) as refused:
        seats.register(user, turku)
    assert "You already have a place on" in refused.value.message
    assert sessions.local_time(vienna) in refused.value.message
    assert "cancel it first to change dates" in refused.value.message
    db.session.rollback()

    seats.cancel(user, vienna)
    db.session.commit()
    assert seats.register(user, turku).status.value == "registered"
    db.session.commit()
    assert _state(programme, user).registration.session_id == turku.id


def test_a_waiting_list_place_counts_and_each_date_has_its_own_queue(workshop):
    programme, vienna, turku = workshop
    for _ in range(2):
        create_registration(session=vienna)
    user = create_user()
    enrol(user, programme)
    waiting = create_registration(session=vienna, user=user)
    assert waiting.status.value == "waitlisted"
    item = _state(programme, user)
    assert item.state == progress.PartState.WAITLISTED and item.queue_position == 1
    with pytest.raises(Conflict):
        seats.register(user, turku)  # waiting is a place too
    db.session.rollback()
    assert turku.seats_left == 2  # Vienna's queue took nothing from Turku's seats

    # A seat freed in Vienna goes to the first person waiting there.
    someone = sessions.roster(vienna)[0][0].user
    seats.cancel(someone, vienna)
    db.session.commit()
    db.session.refresh(waiting)
    assert waiting.status.value == "registered"


def test_the_part_is_cancelled_only_when_every_date_is(workshop):
    programme, vienna, turku = workshop
    user = create_user()
    enrol(user, programme)
    create_registration(session=vienna, user=user)
    sessions.cancel_session(vienna, reason="The trainer is ill.", actor=None)
    db.session.commit()
    item = _state(programme, user)
    assert not item.cancelled and item.state == progress.PartState.NOT_STARTED  # Turku is still on
    create_registration(session=turku, user=user)  # a place at a cancelled date holds nothing
    seats.cancel(user, turku)
    sessions.cancel_session(turku, reason="Venue closed.", actor=None)
    db.session.commit()
    assert _state(programme, user).cancelled


def test_the_trainer_adds_a_date_through_the_form(client, login, db):
    owner = create_user(trainer=True)
    programme = create_programme(owner=owner, courses=[create_course()])
    vienna = create_session(programme=programme, title="Jems clinic", capacity=12)
    login(owner)
    editor = f"/teach/programmes/{programme.slug}"
    assert f"/teach/sessions/{vienna.id}/dates" in client.get(editor).get_data(as_text=True)
    page = f"/teach/sessions/{vienna.id}/dates"
    html = client.get(page).get_data(as_text=True)
    assert 'value="Jems clinic"' in html and 'value="12"' in html  # the part's details to start from

    token = csrf_token(client, page)
    bad = client.post(
        page,
        data={
            "csrf_token": token,
            "title": "Jems clinic",
            "mode": "in_person",
            "starts_at": "2031-03-12T10:00",
            "ends_at": "2031-03-12T09:00",
            "timezone": "Europe/Vienna",
            "place": "Vienna, Sterngasse 13",
            "capacity": "15",
        },
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "The session must end after it starts." in html and 'value="Vienna, Sterngasse 13"' in html
    assert db.session.scalar(select(TrainingSession).where(TrainingSession.part_id.is_not(None))) is None

    good = client.post(
        page,
        data={
            "csrf_token": token,
            "title": "Jems clinic",
            "mode": "in_person",
            "starts_at": "2031-03-12T10:00",
            "ends_at": "2031-03-12T13:00",
            "timezone": "Europe/Vienna",
            "place": "Vienna, Sterngasse 13",
            "capacity": "15",
        },
    )
    assert good.status_code == 302
    date = db.session.scalar(select(TrainingSession).where(TrainingSession.part_id.is_not(None)))
    assert date.capacity == 15 and date.programme_id == programme.id
    html = client.get(editor).get_data(as_text=True)
    assert f"/teach/sessions/{date.id}" in html and "0 of 15 seats taken" in html
    assert f"/teach/sessions/{date.id}/cancel" in html


def test_removing_a_part_checks_every_date(workshop):
    programme, _vienna, turku = workshop
    create_registration(session=turku)
    from academy.programmes.services import authoring

    part = seats.part_of(turku)
    with pytest.raises(Conflict):
        authoring.remove_part(programme, part.id)


def test_the_learner_page_shows_both_dates_and_hides_other_buttons_while_holding_a_place(client, login, workshop):
    programme, vienna, turku = workshop
    me = login(create_user())
    enrol(me, programme)
    page = f"/programmes/{programme.slug}"
    html = client.get(page).get_data(as_text=True)
    assert sessions.local_time(vienna) in html and sessions.local_time(turku) in html
    assert html.count(">Register<") == 2

    client.post(f"/programmes/sessions/{turku.id}/register", data={"csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert f"/programmes/sessions/{vienna.id}/register" not in html
    assert f"/programmes/sessions/{turku.id}/calendar.ics" in html
    assert "To change dates, cancel your place first." in html

    response = client.post(f"/programmes/sessions/{vienna.id}/register", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "You already have a place on" in html


def test_the_api_lists_the_dates_and_refuses_a_second_place(client, workshop):
    programme, vienna, turku = workshop
    body = client.get(f"/api/v1/programmes/{programme.slug}").json
    (part,) = body["parts"]
    assert [d["id"] for d in part["dates"]] == [vienna.id, turku.id]
    assert part["session"]["id"] == vienna.id

    user = create_user()
    enrol(user, programme)
    _row, raw = create_token(user=user, scopes=["read", "write"])
    assert client.put(f"/api/v1/sessions/{turku.id}/registration", headers=bearer(raw)).status_code == 200
    refused = client.put(f"/api/v1/sessions/{vienna.id}/registration", headers=bearer(raw))
    assert refused.status_code == 409
    assert "cancel it first" in refused.get_data(as_text=True)
    mine = client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=bearer(raw)).json
    assert mine["parts"][0]["state"] == "registered"


def test_the_programme_page_queries_do_not_grow_with_dates(client, login, db, count_queries):
    def build(dates: int) -> str:
        programme = create_programme(courses=[create_course()])
        session = create_session(programme=programme, title="Finance day")
        for n in range(dates - 1):
            create_date(session=session, starts_in=timedelta(days=30 + n))
        enrol(me, programme)
        create_registration(session=session, user=me)
        return f"/programmes/{programme.slug}"

    me = login(create_user())
    one, three = build(1), build(3)
    client.get(one)
    with count_queries() as q_one:
        client.get(one)
    with count_queries() as q_three:
        client.get(three)
    assert q_one.count == q_three.count == PROGRAMME_PAGE_QUERIES, q_three.statements
