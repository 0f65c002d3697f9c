"""My enrolments through the API: progress per module and outcome, enrol and leave, whose data a token reads."""

from __future__ import annotations

from academy.api import services as token_services
from academy.courses.models import Enrolment, EnrolmentStatus
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.courses.factories import create_course, enrol
from tests.factories import create_user
from tests.quizzes import factories as quiz_factories


def _token(user=None, scopes=("read",)) -> dict[str, str]:
    _row, raw = create_token(user=user or create_user(), scopes=scopes)
    return bearer(raw)


def test_enrolment_shows_progress_per_module_and_per_outcome(client):
    user = create_user()
    course = create_course(slug="jems-reporting", title="Reporting in Jems", modules=2, lessons=2, outcomes=2)
    enrol(user, course, done=["m1-l1", "m1-l2"])
    body = client.get("/api/v1/enrolments", headers=_token(user)).json
    assert body["total"] == 1
    item = body["items"][0]
    assert item["course"] == {"slug": "jems-reporting", "title": "Reporting in Jems", "version": 1}
    assert (item["status"], item["state"]) == ("active", "in_progress")
    assert item["progress"] == {"done": 2, "required": 4, "percent": 50}
    assert item["continue_at"] == "m2-l1"
    assert [(m["key"], m["lessons"]["done"], m["complete"], m["locked"]) for m in item["modules"]] == [
        ("m1", 2, True, False),
        ("m2", 0, False, False),
    ]
    lo1, lo2 = item["outcomes"]
    # Every lesson of the factory teaches LO1; none teaches LO2.
    assert (lo1["code"], lo1["lessons"]) == ("LO1", {"done": 2, "required": 4, "percent": 50})
    assert (lo2["code"], lo2["lessons"]["required"]) == ("LO2", 0)
    assert lo1["mastery"] is None and lo1["mastered"] is False


def test_outcome_mastery_comes_from_quiz_results(client):
    course = quiz_factories.create_course(slug="sco", outcomes=("LO1", "LO2"))
    user = quiz_factories.create_learner(course)
    question = quiz_factories.create_question(course, outcomes=("LO1",))
    quiz = quiz_factories.create_quiz(course, questions=[question])
    quiz_factories.take_attempt(quiz, user, {1: 0})  # the right answer
    item = client.get("/api/v1/enrolments/sco", headers=_token(user)).json
    mastery = {o["code"]: (o["mastery"], o["mastered"]) for o in item["outcomes"]}
    assert mastery == {"LO1": (100.0, True), "LO2": (None, False)}


def test_state_filter_matches_the_my_learning_groups(client):
    user = create_user()
    enrol(user, create_course(slug="started", modules=1, lessons=2), done=["m1-l1"])
    enrol(user, create_course(slug="finished", modules=1, lessons=2), done=["m1-l1", "m1-l2"])
    enrol(user, create_course(slug="dropped", modules=1, lessons=2), status=EnrolmentStatus.LEFT)
    headers = _token(user)

    def slugs(state: str) -> list[str]:
        return [
            i["course"]["slug"] for i in client.get(f"/api/v1/enrolments?state={state}", headers=headers).json["items"]
        ]

    assert slugs("in_progress") == ["started"]
    assert slugs("completed") == ["finished"]
    assert slugs("left") == ["dropped"]
    response = client.get("/api/v1/enrolments?state=paused", headers=headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "state"


def test_a_token_cannot_read_another_users_progress(client):
    alice, bob = create_user(name="Alice"), create_user(name="Bob")
    course = create_course(slug="bobs-course")
    enrol(bob, course, done=["m1-l1"])
    headers = _token(alice)
    assert client.get("/api/v1/enrolments", headers=headers).json["items"] == []
    response = client.get("/api/v1/enrolments/bobs-course", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    for query in (f"?user_id={bob.id}", f"?user={bob.id}", f"?email={bob.email}"):
        assert client.get("/api/v1/enrolments" + query, headers=headers).json["total"] == 0


def test_enrol_then_leave_then_come_back(client):
    user = create_user()
    enrol_course = create_course(slug="hit", modules=1, lessons=2)
    headers = _token(user, scopes=("write",))
    response = client.post("/api/v1/enrolments", json={"course": "hit"}, headers=headers)
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/enrolments/hit"
    assert response.json["status"] == "active"

    again = client.post("/api/v1/enrolments", json={"course": "hit"}, headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"

    left = client.delete("/api/v1/enrolments/hit", headers=headers)
    assert left.status_code == 200
    assert (left.json["status"], left.json["state"]) == ("left", "left")
    assert client.delete("/api/v1/enrolments/hit", headers=headers).status_code == 409

    back = client.post("/api/v1/enrolments", json={"course": "hit"}, headers=headers)
    assert back.status_code == 201
    rows = db.session.scalars(db.select(Enrolment).where(Enrolment.course_id == enrol_course.id)).all()
    assert [(r.user_id, r.status) for r in rows] == [(user.id, EnrolmentStatus.ACTIVE)]


def test_enrolling_in_an_archived_course_is_a_conflict(client):
    create_course(slug="old", archived=True)
    response = client.post("/api/v1/enrolments", json={"course": "old"}, headers=_token(scopes=("write",)))
    assert response.status_code == 409


def test_validation_errors_name_the_field(client):
    create_course(slug="draft", published=False)
    headers = _token(scopes=("write",))
    for body in ({"course": "nowhere"}, {"course": "draft"}, {"course": "  "}, {}, {"course": 7}):
        response = client.post("/api/v1/enrolments", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        assert response.json["type"] == "/api/docs#problem-validation-error"
        assert [e["field"] for e in response.json["errors"]] == ["course"], body
    unknown = client.post("/api/v1/enrolments", json={"course": "x", "user_id": 1}, headers=headers)
    assert [e["field"] for e in unknown.json["errors"]] == ["user_id"]


def test_read_token_cannot_enrol_or_leave(client):
    user = create_user()
    enrol(user, create_course(slug="kept"))
    create_course(slug="other")
    headers = _token(user, scopes=("read",))
    assert client.post("/api/v1/enrolments", json={"course": "other"}, headers=headers).status_code == 403
    assert client.delete("/api/v1/enrolments/kept", headers=headers).status_code == 403
    statuses = db.session.scalars(db.select(Enrolment.status).where(Enrolment.user_id == user.id)).all()
    assert statuses == [EnrolmentStatus.ACTIVE]


def test_session_cookie_alone_cannot_enrol(client, learner):
    create_course(slug="open")
    response = client.post("/api/v1/enrolments", json={"course": "open"})
    assert response.status_code == 401
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 0


def test_revoked_token_fails_at_once(client):
    user = create_user()
    token, raw = create_token(user=user)
    assert client.get("/api/v1/enrolments", headers=bearer(raw)).status_code == 200
    token_services.revoke_token(user, token.id)
    db.session.commit()
    response = client.get("/api/v1/enrolments", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json["type"] == "/api/docs#problem-invalid-token"


def test_pagination_links(client):
    user = create_user()
    for i in range(3):
        enrol(user, create_course(slug=f"c{i}", modules=1, lessons=1))
    headers = _token(user)
    first = client.get("/api/v1/enrolments?limit=2", headers=headers).json
    assert (first["total"], len(first["items"]), first["links"]["prev"]) == (3, 2, None)
    assert first["links"]["next"] == "/api/v1/enrolments?limit=2&offset=2"
    second = client.get(first["links"]["next"], headers=headers).json
    assert len(second["items"]) == 1 and second["links"]["next"] is None
    seen = {i["course"]["slug"] for page in (first, second) for i in page["items"]}
    assert seen == {"c0", "c1", "c2"}


def test_list_queries_do_not_grow(client, count_queries):
    small, large = create_user(), create_user()
    enrol(small, create_course(modules=1, lessons=1, outcomes=1), done=["m1-l1"])
    for _i in range(6):
        enrol(large, create_course(modules=4, lessons=3, outcomes=4), done=["m1-l1", "m2-l2"])
    small_headers, large_headers = _token(small), _token(large)
    for headers in (small_headers, large_headers):
        client.get("/api/v1/me", headers=headers)  # notes the token's first use, which writes once
    with count_queries() as q_small:
        assert client.get("/api/v1/enrolments", headers=small_headers).status_code == 200
    with count_queries() as q_large:
        assert client.get("/api/v1/enrolments", headers=large_headers).status_code == 200
    # The token, its user, enrolments (with course and version), progress, outcomes, modules,
    # prerequisites, lessons, the lessons' outcomes, and the quiz evidence for mastery.
    assert q_small.count == q_large.count == 10
