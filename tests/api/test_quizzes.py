"""My quiz results through the API: standings, attempts, scores per outcome, review options, whose results."""

from __future__ import annotations

from academy.db import utcnow
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.factories import create_user
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, enrol, take_attempt


def _headers(user, scopes=("read",)) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


def _quiz_with_two_questions(course, **settings):
    return create_quiz(
        course,
        questions=[create_question(course, outcomes=("LO1",)), create_question(course, outcomes=("LO2",))],
        pass_mark=50,
        max_attempts=3,
        **settings,
    )


def test_results_show_my_standing_and_attempts(client):
    course = create_course(slug="sco")
    quiz = _quiz_with_two_questions(course, title="Flat rates")
    user = create_learner(course)
    take_attempt(quiz, user, {1: 1, 2: 1})  # both wrong
    take_attempt(quiz, user, {1: 0, 2: 1}, seed=2)  # one right
    body = client.get("/api/v1/quiz-results", headers=_headers(user)).json
    assert body["total"] == 1
    result = body["items"][0]
    assert result["quiz"]["title"] == "Flat rates"
    assert result["quiz"]["course"] == "sco"
    assert (result["grade"], result["passed"], result["best"]) == (50.0, True, 50.0)
    assert (result["attempts_used"], result["attempts_left"], result["in_progress"]) == (2, 1, None)
    assert [(a["number"], a["state"], a["percent"]) for a in result["attempts"]] == [
        (1, "graded", 0.0),
        (2, "graded", 50.0),
    ]


def test_filters_by_course_and_passed(client):
    user = create_user()
    passed_course, failed_course = create_course(slug="passed"), create_course(slug="failed")
    for course, answer in ((passed_course, 0), (failed_course, 1)):
        create_learner(course)
        enrol(user, course)
        quiz = create_quiz(course, questions=[create_question(course)])
        take_attempt(quiz, user, {1: answer})
    headers = _headers(user)

    def courses(query: str) -> list[str]:
        return [r["quiz"]["course"] for r in client.get(f"/api/v1/quiz-results{query}", headers=headers).json["items"]]

    assert courses("") == ["failed", "passed"]
    assert courses("?passed=true") == ["passed"]
    assert courses("?passed=false") == ["failed"]
    assert courses("?course=failed") == ["failed"]
    bad = client.get("/api/v1/quiz-results?passed=maybe", headers=headers)
    assert bad.status_code == 422
    assert bad.json["errors"][0] == {"location": "query", "field": "passed", "message": "Not a valid boolean."}


def test_attempt_result_has_scores_per_outcome(client):
    course = create_course()
    quiz = _quiz_with_two_questions(course)
    user = create_learner(course)
    attempt = take_attempt(quiz, user, {1: 0, 2: 1})
    body = client.get(f"/api/v1/quiz-attempts/{attempt.id}", headers=_headers(user)).json
    assert (body["score"], body["max_score"], body["percent"], body["passed"]) == (1.0, 2.0, 50.0, True)
    assert [(o["code"], o["percent"]) for o in body["outcomes"]] == [("LO1", 100.0), ("LO2", 0.0)]


def test_scores_stay_hidden_when_the_quiz_hides_them(client):
    course = create_course()
    quiz = _quiz_with_two_questions(course, review_score_after=False)
    user = create_learner(course)
    attempt = take_attempt(quiz, user, {1: 0, 2: 0})
    body = client.get(f"/api/v1/quiz-attempts/{attempt.id}", headers=_headers(user)).json
    assert body["score_visible"] is False
    assert (body["score"], body["percent"], body["passed"], body["outcomes"]) == (None, None, None, [])
    listed = client.get("/api/v1/quiz-results", headers=_headers(user)).json["items"][0]
    assert listed["attempts"][0]["percent"] is None
    assert listed["passed"] is True  # the grade is shown on the quiz page too


def test_a_token_cannot_read_another_users_results(client):
    course = create_course()
    quiz = _quiz_with_two_questions(course)
    alice, bob = create_learner(course, name="Alice"), create_learner(course, name="Bob")
    bobs = take_attempt(quiz, bob, {1: 0, 2: 0})
    headers = _headers(alice)
    assert client.get("/api/v1/quiz-results", headers=headers).json["items"] == []
    response = client.get(f"/api/v1/quiz-attempts/{bobs.id}", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_results_need_a_token(client, learner):
    assert client.get("/api/v1/quiz-results").status_code == 401


def test_results_queries_do_not_grow(client, count_queries):
    small_user, large_user = create_user(), create_user()
    course = create_course()
    enrol(small_user, course)
    enrol(large_user, course)
    take_attempt(_quiz_with_two_questions(course), small_user, {1: 0})
    for _i in range(4):
        quiz = _quiz_with_two_questions(course)
        take_attempt(quiz, large_user, {1: 0})
        take_attempt(quiz, large_user, {1: 1}, seed=3)
    small, large = _headers(small_user), _headers(large_user)
    for headers in (small, large):
        client.get("/api/v1/me", headers=headers)  # the token's first use writes once
    with count_queries() as q_small:
        assert client.get("/api/v1/quiz-results", headers=small).status_code == 200
    with count_queries() as q_large:
        assert client.get("/api/v1/quiz-results", headers=large).status_code == 200
    # The token, its user, the quizzes with their courses, and my attempts.
    assert q_small.count == q_large.count == 4


def test_an_overdue_attempt_is_submitted_when_looked_at(client, monkeypatch):
    # As on the quiz pages: time is the server's, and an attempt past its deadline is closed on sight.
    from datetime import timedelta

    from academy.quizzes.services import attempts as attempt_services

    course = create_course()
    quiz = _quiz_with_two_questions(course, time_limit_minutes=10)
    user = create_learner(course)
    started = utcnow()
    attempt = attempt_services.start_attempt(quiz, user, now=started)
    attempt_services.save_answers(attempt, {1: 0}, now=started)
    db.session.commit()
    headers = _headers(user)
    listed = client.get("/api/v1/quiz-results", headers=headers).json["items"][0]
    assert listed["in_progress"] == attempt.id
    monkeypatch.setattr("academy.quizzes.clock.now", lambda: started + timedelta(minutes=11))
    listed = client.get("/api/v1/quiz-results", headers=headers).json["items"][0]
    assert (listed["in_progress"], listed["grade"]) == (None, 50.0)
    body = client.get(f"/api/v1/quiz-attempts/{attempt.id}", headers=headers).json
    assert (body["state"], body["percent"], body["submitted_at"] is not None) == ("graded", 50.0, True)
