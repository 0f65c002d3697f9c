"""Programmes through the API: the public catalogue, my programme enrolments and session registration."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from academy.certificates import services as certificate_services
from academy.courses.models import Enrolment, EnrolmentStatus
from academy.extensions import db
from academy.jobs import run_ready
from tests.api.factories import bearer, create_token
from tests.certificates.factories import complete_lessons, create_course
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session, enrol


def _token(user=None, scopes=("read", "write")) -> dict[str, str]:
    _row, raw = create_token(user=user or create_user(), scopes=scopes)
    return bearer(raw)


def _certify_course(user, course) -> None:
    """Complete the course and issue its certificate, as the completion job does."""
    row = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))
    complete_lessons(row, commit=False)
    certificate_services.issue_for_enrolment(row)
    db.session.commit()
    run_ready()  # the programme certificate check queued by the course certificate


def _track(*, title: str | None = None, capacity: int = 2):
    first = create_course(title="Interreg programme management basics")
    second = create_course(title="Jems for joint secretariats")
    programme = create_programme(title=title, courses=[first, second], validity_months=24)
    session = create_session(programme=programme, title="Kick-off workshop in Vienna", capacity=capacity)
    return programme, first, second, session


# --- the public catalogue -----------------------------------------------------------------------


def test_catalogue_lists_published_programmes_and_searches_like_the_page(client):
    finance, *_rest = _track(title="Finance track")
    _track(title="Communication track")
    create_programme(title="Draft track", courses=[create_course()], published=False)

    body = client.get("/api/v1/programmes").json  # no token: public
    assert body["total"] == 2
    assert [p["title"] for p in body["items"]] == ["Communication track", "Finance track"]
    item = body["items"][1]
    assert (item["slug"], item["courses"], item["sessions"]) == (finance.slug, 2, 1)
    assert (item["credits"], item["validity_months"]) == (5.0, 24)

    found = client.get("/api/v1/programmes?q=FINANCE  track").json
    assert [p["title"] for p in found["items"]] == ["Finance track"]
    assert client.get("/api/v1/programmes?q=draft").json["total"] == 0


def test_programme_detail_lists_parts_in_order_with_session_facts(client):
    programme, first, _second, session = _track(title="Programme management track", capacity=3)
    response = client.get(f"/api/v1/programmes/{programme.slug}")
    assert response.status_code == 200
    body = response.json
    assert (body["title"], body["status"], body["credits"]) == ("Programme management track", "published", 5.0)
    assert [(p["position"], p["kind"], p["title"], p["required"]) for p in body["parts"]] == [
        (1, "course", "Interreg programme management basics", True),
        (2, "course", "Jems for joint secretariats", True),
        (3, "session", "Kick-off workshop in Vienna", True),
    ]
    assert body["parts"][0]["course"] == {"slug": first.slug, "title": "Interreg programme management basics"}
    assert body["parts"][0]["session"] is None
    facts = body["parts"][2]["session"]
    assert facts["id"] == session.id
    assert (facts["mode"], facts["timezone"], facts["seats_left"], facts["capacity"]) == (
        "in_person",
        "Europe/Vienna",
        3,
        3,
    )
    assert facts["place"].startswith("Interact Office Vienna")
    starts = datetime.fromisoformat(facts["starts_at"])
    assert starts.utcoffset() == timedelta(0) and starts == session.starts_at
    # No deadline set: registration closes when the session starts.
    assert facts["registration_deadline"] == facts["starts_at"]
    assert facts["registration_open"] is True
    assert "online_url" not in facts  # the join link is for people holding a seat


def test_a_draft_programme_is_not_found(client):
    draft = create_programme(title="Draft track", courses=[create_course()], published=False)
    response = client.get(f"/api/v1/programmes/{draft.slug}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    response = client.post("/api/v1/programme-enrolments", json={"programme": draft.slug}, headers=_token())
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "programme"


def test_catalogue_queries_do_not_grow(client, count_queries):
    _track()
    with count_queries() as small:
        assert client.get("/api/v1/programmes").status_code == 200
    for _i in range(4):
        _track()
    with count_queries() as large:
        assert client.get("/api/v1/programmes").status_code == 200
    assert small.count == large.count


def test_programme_detail_queries_do_not_grow(client, count_queries):
    small_programme, *_rest = _track()
    large_programme = create_programme(courses=[create_course() for _i in range(5)])
    for n in range(4):
        create_session(programme=large_programme, title=f"Session {n}")
    with count_queries() as small:
        assert client.get(f"/api/v1/programmes/{small_programme.slug}").status_code == 200
    with count_queries() as large:
        assert client.get(f"/api/v1/programmes/{large_programme.slug}").status_code == 200
    assert small.count == large.count


# --- my programme enrolments --------------------------------------------------------------------


def test_enrolling_through_the_api_enrols_in_the_courses(client):
    programme, first, second, _session = _track()
    user = create_user()
    headers = _token(user)
    response = client.post("/api/v1/programme-enrolments", json={"programme": programme.slug}, headers=headers)
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/programme-enrolments/{programme.slug}"
    body = response.json
    assert (body["programme"]["slug"], body["status"], body["complete"], body["percent"]) == (
        programme.slug,
        "active",
        False,
        0,
    )
    assert [p["state"] for p in body["parts"]] == ["in_progress", "in_progress", "not_started"]
    assert [p["title"] for p in body["left"]] == [
        "Interreg programme management basics",
        "Jems for joint secretariats",
        "Kick-off workshop in Vienna",
    ]
    assert body["certificate"] is None
    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)).all()
    assert {(r.course_id, r.status) for r in rows} == {
        (first.id, EnrolmentStatus.ACTIVE),
        (second.id, EnrolmentStatus.ACTIVE),
    }

    again = client.post("/api/v1/programme-enrolments", json={"programme": programme.slug}, headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_leaving_and_coming_back(client):
    programme, *_rest = _track()
    headers = _token(user := create_user())
    enrol(user, programme)
    left = client.delete(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers)
    assert (left.status_code, left.json["status"]) == (200, "left")
    assert client.delete(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers).status_code == 409
    # Still readable after leaving, like course enrolments.
    assert client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers).json["status"] == "left"
    back = client.post("/api/v1/programme-enrolments", json={"programme": programme.slug}, headers=headers)
    assert (back.status_code, back.json["status"]) == (201, "active")


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "programme"), ({"programme": ""}, "programme"), ({"programme": "no-such"}, "programme"), ({"x": 1}, "x")],
)
def test_validation_problems_name_the_field(client, body, field):
    response = client.post("/api/v1/programme-enrolments", json=body, headers=_token())
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.json["errors"]]


def test_standing_certificate_and_what_is_left(client):
    course = create_course(title="Simplified cost options in Interreg")
    programme = create_programme(title="SCO track", courses=[course])
    optional = create_session(programme=programme, title="Optional clinic", required=False)
    user = create_user()
    enrol(user, programme)
    create_registration(session=optional, user=user)
    headers = _token(user, scopes=("read",))
    before = client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers).json
    assert [(p["state"], p["label"], p["required"]) for p in before["parts"]] == [
        ("in_progress", "In progress", True),
        ("registered", "Registered", False),
    ]
    assert before["parts"][1]["registration"]["status"] == "registered"
    assert [p["position"] for p in before["left"]] == [1]

    _certify_course(user, course)
    after = client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers).json
    assert (after["percent"], after["complete"], after["left"]) == (100, True, [])
    assert after["completed_at"] is not None
    certificate = after["certificate"]
    assert certificate["state"] == "valid"
    assert certificate["href"] == f"/api/v1/certificates/{certificate['id']}"
    held = client.get(certificate["href"], headers=headers)
    assert held.status_code == 200
    held = held.json
    assert (held["course"], held["programme"], held["course_title"]) == (None, programme.slug, "SCO track")
    listed = client.get("/api/v1/certificates", headers=headers).json["items"]
    assert {(c["course"], c["programme"]) for c in listed} == {(course.slug, None), (None, programme.slug)}
    assert held["verify_url"].endswith(held["code"])


def test_a_token_never_shows_another_users_programme_enrolment(client):
    programme, *_rest = _track()
    alice, bob = create_user(name="Alice"), create_user(name="Bob")
    enrol(bob, programme)
    headers = _token(alice)
    assert client.get("/api/v1/programme-enrolments", headers=headers).json["items"] == []
    response = client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    # Leaving names my enrolment only: Bob stays enrolled.
    assert client.delete(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers).status_code == 409
    bobs = client.get("/api/v1/programme-enrolments", headers=_token(bob)).json["items"]
    assert [(i["programme"]["slug"], i["status"]) for i in bobs] == [(programme.slug, "active")]


def test_a_read_token_cannot_write(client):
    programme, _first, _second, session = _track()
    user = create_user()
    enrol(user, programme)
    headers = _token(user, scopes=("read",))
    for method, url, kwargs in [
        ("post", "/api/v1/programme-enrolments", {"json": {"programme": programme.slug}}),
        ("delete", f"/api/v1/programme-enrolments/{programme.slug}", {}),
        ("put", f"/api/v1/sessions/{session.id}/registration", {}),
        ("delete", f"/api/v1/sessions/{session.id}/registration", {}),
    ]:
        response = getattr(client, method)(url, headers=headers, **kwargs)
        assert response.status_code == 403, (method, url)
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert client.get("/api/v1/programme-enrolments", headers=headers).json["items"][0]["status"] == "active"


def test_a_revoked_token_is_refused(client):
    programme, *_rest = _track()
    user = create_user()
    enrol(user, programme)
    _row, raw = create_token(user=user, scopes=("read", "write"), revoked=True)
    assert client.get("/api/v1/programme-enrolments", headers=bearer(raw)).status_code == 401
    response = client.delete(f"/api/v1/programme-enrolments/{programme.slug}", headers=bearer(raw))
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_cookies_alone_authorise_nothing(client, login):
    programme, *_rest = _track()
    login(create_user())
    assert client.get("/api/v1/programme-enrolments").status_code == 401
    assert client.post("/api/v1/programme-enrolments", json={"programme": programme.slug}).status_code == 401


def test_my_enrolments_queries_do_not_grow(client, count_queries):
    small_user, large_user = create_user(), create_user()
    programme, _first, _second, session = _track()
    enrol(small_user, programme)
    create_registration(session=session, user=small_user)
    for _i in range(3):
        bigger = create_programme(courses=[create_course() for _j in range(3)])
        sessions = [create_session(programme=bigger, title=f"Session {n}", capacity=1) for n in range(2)]
        enrol(large_user, bigger)
        create_registration(session=sessions[0], user=create_user())  # the seat is taken
        create_registration(session=sessions[0], user=large_user)  # so I wait
        create_registration(session=sessions[1], user=large_user)
    small_headers, large_headers = _token(small_user), _token(large_user)
    with count_queries() as small:
        assert client.get("/api/v1/programme-enrolments", headers=small_headers).json["total"] == 1
    with count_queries() as large:
        body = client.get("/api/v1/programme-enrolments", headers=large_headers).json
    assert body["total"] == 3
    assert {p["state"] for i in body["items"] for p in i["parts"] if p["kind"] == "session"} == {
        "waitlisted",
        "registered",
    }
    assert small.count == large.count


# --- session registration -----------------------------------------------------------------------


def test_register_and_the_waiting_list_through_the_api(client):
    programme, _first, _second, session = _track(capacity=1)
    people = [create_user(name=name) for name in ("Ana", "Ben", "Cleo")]
    tokens = {}
    for person in people:
        enrol(person, programme)
        tokens[person.name] = _token(person)
    url = f"/api/v1/sessions/{session.id}/registration"

    ana = client.put(url, headers=tokens["Ana"])
    assert ana.status_code == 200
    assert (ana.json["status"], ana.json["queue_position"]) == ("registered", None)
    assert ana.json["session"]["seats_left"] == 0
    ben = client.put(url, headers=tokens["Ben"]).json
    cleo = client.put(url, headers=tokens["Cleo"]).json
    assert (ben["status"], ben["queue_position"]) == ("waitlisted", 1)
    assert (cleo["status"], cleo["queue_position"]) == ("waitlisted", 2)
    assert client.put(url, headers=tokens["Ben"]).status_code == 409  # already waiting

    # Ana cancels: her seat goes to Ben, the first in the queue; Cleo moves up.
    cancelled = client.delete(url, headers=tokens["Ana"])
    assert (cancelled.status_code, cancelled.json["status"]) == (200, "cancelled")
    assert cancelled.json["session"]["seats_left"] == 0

    def part(name: str) -> dict:
        body = client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=tokens[name]).json
        return body["parts"][2]

    assert (part("Ben")["state"], part("Ben")["registration"]["status"]) == ("registered", "registered")
    assert (part("Cleo")["state"], part("Cleo")["registration"]["queue_position"]) == ("waitlisted", 1)
    assert part("Ana")["state"] == "not_started"
    assert client.delete(url, headers=tokens["Ana"]).status_code == 409  # nothing left to cancel


def test_an_online_seat_gets_the_join_link(client):
    programme = create_programme(courses=[create_course()])
    session = create_session(programme=programme, online=True, capacity=1)
    seated, waiting = create_user(), create_user()
    for person in (seated, waiting):
        enrol(person, programme)
    url = f"/api/v1/sessions/{session.id}/registration"
    assert client.put(url, headers=_token(seated)).json["online_url"] == "https://meet.example.org/kick-off"
    assert client.put(url, headers=_token(waiting)).json["online_url"] is None


def test_registration_errors_come_from_the_service(client):
    programme, _first, _second, session = _track()
    closed = create_session(
        programme=programme, title="Closed", starts_in=timedelta(days=2), deadline_before=timedelta(days=3)
    )
    draft = create_programme(courses=[create_course()], published=False)
    draft_session = create_session(programme=draft)
    user = create_user()
    headers = _token(user)

    not_enrolled = client.put(f"/api/v1/sessions/{session.id}/registration", headers=headers)
    assert not_enrolled.status_code == 409
    assert "Enrol in the programme" in not_enrolled.json["detail"]
    enrol(user, programme)
    deadline = client.put(f"/api/v1/sessions/{closed.id}/registration", headers=headers)
    assert deadline.status_code == 409
    assert "closed" in deadline.json["detail"]
    assert client.put(f"/api/v1/sessions/{draft_session.id}/registration", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/sessions/{draft_session.id}/registration", headers=headers).status_code == 404
    assert client.put("/api/v1/sessions/999999/registration", headers=headers).status_code == 404


def test_an_archived_programme_keeps_its_page_but_takes_no_enrolments(client):
    from academy.programmes.services import authoring

    programme, *_rest = _track()
    authoring.archive(programme)
    db.session.commit()
    assert client.get("/api/v1/programmes").json["total"] == 0
    page = client.get(f"/api/v1/programmes/{programme.slug}")
    assert (page.status_code, page.json["status"]) == (200, "archived")
    response = client.post("/api/v1/programme-enrolments", json={"programme": programme.slug}, headers=_token())
    assert response.status_code == 409
    assert "archived" in response.json["detail"]


def test_a_cancelled_session_says_so_and_takes_no_registrations(client):
    from academy.programmes.services import sessions

    programme, _first, _second, session = _track()
    user = create_user()
    enrol(user, programme)
    headers = _token(user)
    client.put(f"/api/v1/sessions/{session.id}/registration", headers=headers)
    sessions.cancel_session(session, reason="The trainer is ill; a new date follows.", actor=None)
    db.session.commit()

    detail = client.get(f"/api/v1/programmes/{programme.slug}").json
    facts = detail["parts"][2]["session"]
    assert (facts["status"], facts["cancellation_reason"]) == ("cancelled", "The trainer is ill; a new date follows.")
    assert (facts["registration_open"], facts["seats_left"]) == (False, 0)
    mine = client.get(f"/api/v1/programme-enrolments/{programme.slug}", headers=headers).json
    assert mine["parts"][2]["state"] == "cancelled"
    # Still required until the trainer decides: a cancellation alone never completes a programme.
    assert any(item["title"] == session.title for item in mine["left"])
    refused = client.put(f"/api/v1/sessions/{session.id}/registration", headers=_another_participants_token(programme))
    assert refused.status_code == 409
    assert "cancelled" in refused.json["detail"]


def _another_participants_token(programme) -> dict:
    """An enrolled participant who never registered, with a write token."""
    other = create_user()
    enrol(other, programme)
    return _token(other)
