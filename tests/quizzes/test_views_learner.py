"""Taking a quiz in the browser: start, pages, saving, resume, submit once, result, secrecy, deadlines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import g, render_template_string

from academy.extensions import db
from academy.quizzes.models import Attempt, AttemptState
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, enrol, take_attempt

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """A controllable server clock for the quizzes package."""

    class Clock:
        now = T0

        def set(self, when: datetime) -> None:
            self.now = when

    c = Clock()
    monkeypatch.setattr("academy.quizzes.clock.now", lambda: c.now)
    return c


def _urls(course, quiz, attempt_id=None):
    base = f"/courses/{course.slug}/quiz/{quiz.id}"
    if attempt_id is None:
        return base
    return f"{base}/attempts/{attempt_id}"


def _start(client, course, quiz) -> int:
    token = csrf_token(client, _urls(course, quiz))
    response = client.post(f"{_urls(course, quiz)}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def _post_page(client, course, quiz, attempt_id, page, data):
    url = f"{_urls(course, quiz, attempt_id)}?page={page}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **data})


def test_start_page_shows_the_deadline_before_starting(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=20, title="Final check")
    login(create_learner(course))
    html = client.get(_urls(course, quiz)).get_data(as_text=True)
    assert "Final check" in html
    assert "If you start now, you must submit by 1 March 2025, 09:20 UTC." in html
    assert "Start attempt 1" in html


def test_full_attempt_in_the_browser(client, login, clock):
    course = create_course()
    q1 = create_question(course, title="Reporting", outcomes=("LO1",))
    q2 = create_question(course, type="truefalse", outcomes=("LO2",))
    q3 = create_question(course, type="short", outcomes=("LO2",))
    quiz = create_quiz(course, questions=[q1, q2, q3], pass_mark=60)
    learner = login(create_learner(course))

    attempt_id = _start(client, course, quiz)
    page1 = client.get(_urls(course, quiz, attempt_id)).get_data(as_text=True)
    assert "Page 1 of 3" in page1 and "Question 1" in page1
    assert 'aria-label="Question 1: not answered yet"' in page1

    response = _post_page(client, course, quiz, attempt_id, 1, {"q1": "0", "go": "next"})
    assert response.headers["Location"].endswith("page=2")
    response = _post_page(client, course, quiz, attempt_id, 2, {"q2": "false", "go": "next"})
    assert response.headers["Location"].endswith("page=3")
    page3 = client.get(_urls(course, quiz, attempt_id) + "?page=3").get_data(as_text=True)
    assert 'aria-label="Question 1: answered"' in page3
    assert 'aria-label="Question 3: not answered yet"' in page3

    response = _post_page(client, course, quiz, attempt_id, 3, {"go": "finish"})
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/submit")
    confirm = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 question is not answered: 3." in confirm

    token = csrf_token(client, response.headers["Location"])
    response = client.post(f"{_urls(course, quiz, attempt_id)}/submit", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You scored 1 of 3 points (33.3%)." in result
    assert "Below the pass mark of 60%" in result
    assert "Score per learning outcome" in result
    assert "LO1</span> Can explain topic LO1" in result
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.user_id == learner.id and attempt.state == AttemptState.GRADED


def test_resume_keeps_saved_answers(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course), create_question(course, type="essay")], per_page=2)
    login(create_learner(course))
    attempt_id = _start(client, course, quiz)
    _post_page(client, course, quiz, attempt_id, 1, {"q1": "1", "q2": "Partners & <lead>", "go": "save"})
    # The browser was closed; the learner comes back to the quiz page.
    page = client.get(_urls(course, quiz)).get_data(as_text=True)
    assert "Continue your attempt" in page
    html = client.get(_urls(course, quiz, attempt_id)).get_data(as_text=True)
    assert re.search(r'id="q1-1" value="1" checked', html)
    assert "Partners &amp; &lt;lead&gt;</textarea>" in html


def test_starting_twice_continues_the_same_attempt(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)])
    login(create_learner(course))
    assert _start(client, course, quiz) == _start(client, course, quiz)


def test_answer_keys_never_reach_the_browser_before_submission(client, login, clock):
    course = create_course()
    secret = "KEY-{}-SECRET"
    questions = [
        create_question(
            course,
            type="single",
            data={
                "choices": [
                    {"text": "Choice right", "weight": 100.0, "feedback": secret.format("single-right")},
                    {"text": "Choice wrong", "weight": 0.0, "feedback": secret.format("single-wrong")},
                ]
            },
            general_feedback=secret.format("general"),
        ),
        create_question(
            course,
            type="multiple",
            data={
                "choices": [
                    {"text": "Yes A", "weight": 50.0, "feedback": secret.format("multi-a")},
                    {"text": "Yes B", "weight": 50.0, "feedback": ""},
                    {"text": "No C", "weight": -100.0, "feedback": secret.format("multi-c")},
                ]
            },
        ),
        create_question(
            course,
            type="truefalse",
            data={
                "answer": True,
                "feedback_right": secret.format("tf-right"),
                "feedback_wrong": secret.format("tf-wrong"),
            },
        ),
        create_question(
            course,
            type="short",
            data={"answers": [{"text": "KEY-short-answer", "weight": 100.0, "feedback": ""}], "case_sensitive": False},
        ),
        create_question(
            course,
            type="numerical",
            data={
                "answers": [{"value": 987654.0, "tolerance": 0.0, "weight": 100.0, "feedback": secret.format("num")}],
                "feedback_wrong": secret.format("num-wrong"),
            },
        ),
        create_question(course, type="matching"),
    ]
    quiz = create_quiz(course, questions=questions, per_page=10, shuffle_answers=True)
    login(create_learner(course))
    pages = [client.get(_urls(course, quiz)).get_data(as_text=True)]
    attempt_id = _start(client, course, quiz)
    pages.append(client.get(_urls(course, quiz, attempt_id)).get_data(as_text=True))
    pages.append(client.get(f"{_urls(course, quiz, attempt_id)}/submit").get_data(as_text=True))
    for html in pages:
        assert "KEY-" not in html
        assert "987654" not in html
        for word in ("weight", "fraction", "correct", "data-right"):
            assert word not in html.lower()
    attempt_page = pages[1]
    # Choices and matching options are identified by where they are shown, nothing else.
    assert set(re.findall(r'name="q1" id="q1-\d" value="(\d)"', attempt_page)) == {"0", "1"}
    assert "Harmonised implementation tools" in attempt_page  # options are shown, their pairing is not

    # After submission the review may reveal them.
    token = csrf_token(client, f"{_urls(course, quiz, attempt_id)}/submit")
    client.post(f"{_urls(course, quiz, attempt_id)}/submit", data={"csrf_token": token})
    result = client.get(f"{_urls(course, quiz, attempt_id)}/result").get_data(as_text=True)
    assert "KEY-general-SECRET" in result  # feedback is on after the attempt by default
    assert "KEY-short-answer" not in result  # right answers are off until the quiz closes


def test_double_submission_grades_once(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)])
    login(create_learner(course))
    attempt_id = _start(client, course, quiz)
    _post_page(client, course, quiz, attempt_id, 1, {"q1": "0", "go": "save"})
    token = csrf_token(client, f"{_urls(course, quiz, attempt_id)}/submit")
    first = client.post(f"{_urls(course, quiz, attempt_id)}/submit", data={"csrf_token": token})
    graded_at = db.session.get(Attempt, attempt_id).graded_at
    clock.set(T0 + timedelta(minutes=5))
    second = client.post(f"{_urls(course, quiz, attempt_id)}/submit", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.graded_at == graded_at and attempt.submitted_at == T0
    # And a late save after submission is not taken either.
    response = client.post(
        f"{_urls(course, quiz, attempt_id)}?page=1", data={"csrf_token": token, "q1": "1", "go": "save"}
    )
    assert response.headers["Location"].endswith("/result")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).responses[0].answer == 0


def test_answers_sent_after_the_deadline_are_refused_and_the_attempt_is_submitted(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course), create_question(course)], time_limit_minutes=10)
    login(create_learner(course))
    attempt_id = _start(client, course, quiz)
    _post_page(client, course, quiz, attempt_id, 1, {"q1": "0", "go": "next"})
    url = f"{_urls(course, quiz, attempt_id)}?page=2"
    token = csrf_token(client, url)
    clock.set(T0 + timedelta(minutes=10, seconds=1))
    response = client.post(url, data={"csrf_token": token, "q2": "0", "go": "finish"})
    assert response.headers["Location"].endswith("/result")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Time is up: answers sent after the deadline are not saved." in result
    assert "Submitted automatically at the deadline." in result
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.responses[1].answer is None
    assert attempt.score == 1.0 and attempt.submitted_by == "deadline"


def test_opening_an_overdue_attempt_submits_it(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=5)
    login(create_learner(course))
    attempt_id = _start(client, course, quiz)
    _post_page(client, course, quiz, attempt_id, 1, {"q1": "0", "go": "save"})
    clock.set(T0 + timedelta(hours=1))
    response = client.get(_urls(course, quiz, attempt_id))
    assert response.headers["Location"].endswith("/result")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).percent == 100.0


def test_fail_then_retry_and_pass(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], max_attempts=2, pass_mark=100)
    login(create_learner(course))
    first = _start(client, course, quiz)
    _post_page(client, course, quiz, first, 1, {"q1": "1", "go": "save"})
    token = csrf_token(client, f"{_urls(course, quiz, first)}/submit")
    client.post(f"{_urls(course, quiz, first)}/submit", data={"csrf_token": token})
    result = client.get(f"{_urls(course, quiz, first)}/result").get_data(as_text=True)
    assert "Try again" in result
    second = _start(client, course, quiz)
    assert second != first
    _post_page(client, course, quiz, second, 1, {"q1": "0", "go": "save"})
    client.post(f"{_urls(course, quiz, second)}/submit", data={"csrf_token": token})
    result = client.get(f"{_urls(course, quiz, second)}/result").get_data(as_text=True)
    assert "Passed" in result and "Try again" not in result
    page = client.get(_urls(course, quiz)).get_data(as_text=True)
    assert "Your grade: 100%" in page and "You have used all your attempts." in page


def test_review_options_hide_the_score(client, login, clock):
    course = create_course()
    quiz = create_quiz(
        course, questions=[create_question(course)], review_score_after=False, review_feedback_after=False
    )
    learner = login(create_learner(course))
    attempt = take_attempt(quiz, learner, {1: 0}, now=T0)
    html = client.get(f"{_urls(course, quiz, attempt.id)}/result").get_data(as_text=True)
    assert "You scored" not in html and "Scores are shown once the quiz allows it." in html
    assert "Right: the lead partner reports." not in html


def test_right_answers_shown_after_close_when_allowed(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course, type="short")], closes_at=T0 + timedelta(days=1))
    learner = login(create_learner(course))
    attempt = take_attempt(quiz, learner, {1: "nope"}, now=T0)
    url = f"{_urls(course, quiz, attempt.id)}/result"
    assert "Right answer" not in client.get(url).get_data(as_text=True)
    clock.set(T0 + timedelta(days=2))
    html = client.get(url).get_data(as_text=True)
    assert "Right answer" in html and "<li>Jems</li>" in html


@pytest.mark.parametrize(
    ("fmt", "expected", "absent"),
    [
        ("plain", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert"),
        ("moodle", "<b>bold</b>", "<script>alert"),
        ("html", "<b>bold</b>", "<script>alert"),
        ("markdown", "<strong>bold</strong>", "<script>alert"),
    ],
)
def test_question_text_is_sanitised(client, login, clock, fmt, expected, absent):
    course = create_course()
    text = {"markdown": "**bold** <script>alert(1)</script>"}.get(fmt, "<b>bold</b> <script>alert(1)</script>")
    if fmt == "plain":
        text = "<script>alert(1)</script>"
    quiz = create_quiz(course, questions=[create_question(course, text=text, text_format=fmt)])
    login(create_learner(course))
    attempt_id = _start(client, course, quiz)
    html = client.get(_urls(course, quiz, attempt_id)).get_data(as_text=True)
    assert expected in html
    assert absent not in html


def test_permissions(client, login, clock):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)])
    hidden = create_quiz(course, questions=[create_question(course)], published=False)
    owner_attempt = take_attempt(quiz, create_learner(course), {1: 0}, now=T0)

    assert client.get(_urls(course, quiz)).status_code == 302  # anonymous: to the login page
    login(create_user())
    assert client.get(_urls(course, quiz)).status_code == 403  # not enrolled
    login(create_learner(course))
    assert client.get(_urls(course, hidden)).status_code == 404
    assert client.get(f"/courses/{course.slug}/quiz/999999").status_code == 404
    assert client.get(f"/courses/nope/quiz/{quiz.id}").status_code == 404
    other_course = create_course()
    assert client.get(f"/courses/{other_course.slug}/quiz/{quiz.id}").status_code == 404
    assert client.get(f"{_urls(course, quiz, owner_attempt.id)}/result").status_code == 404  # someone else's


def test_attempt_page_queries_do_not_grow_with_questions(client, login, clock, count_queries):
    def build(n):
        course = create_course()
        kinds = ["single", "multiple", "truefalse", "short", "numerical", "matching", "essay"]
        questions = [create_question(course, type=kinds[i % len(kinds)]) for i in range(n)]
        quiz = create_quiz(course, questions=questions, per_page=50)
        user = create_learner(course)
        attempt = take_attempt(quiz, user, {}, now=T0, submit=False)
        return course, quiz, user, attempt.id

    small, large = build(2), build(14)
    counts = []
    for course, quiz, user, attempt_id in (small, large):
        login(user)
        with count_queries() as q:
            assert client.get(_urls(course, quiz, attempt_id)).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_result_page_queries_do_not_grow_with_questions(client, login, clock, count_queries):
    def build(n):
        course = create_course()
        quiz = create_quiz(course, questions=[create_question(course) for _ in range(n)])
        user = create_learner(course)
        attempt = take_attempt(quiz, user, dict.fromkeys(range(1, n + 1), 0), now=T0)
        return course, quiz, user, attempt.id

    counts = []
    for course, quiz, user, attempt_id in (build(2), build(12)):
        login(user)
        url = f"{_urls(course, quiz, attempt_id)}/result"  # outside the count: it may reload expired objects
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_course_panel_partial(app, clock):
    course = create_course()
    q = create_question(course, outcomes=("LO1",))
    quiz = create_quiz(course, questions=[q], title="Check <yourself>", pass_mark=50)
    create_quiz(course, questions=[q], title="Hidden quiz", published=False)
    user = create_user()
    enrol(user, course)
    take_attempt(quiz, user, {1: 0}, now=T0)
    with app.test_request_context():
        g._login_user = user
        html = render_template_string('{% include "quizzes/_course_panel.html" %}', course=course)
    assert "Check &lt;yourself&gt;" in html
    assert "Hidden quiz" not in html
    assert "Best score 100%" in html and "passed" in html
    assert "LO1</span> Can explain topic LO1" in html
    assert "No evidence yet" in html  # LO2 and LO3
    assert f'href="/courses/{course.slug}/quiz/{quiz.id}"' in html
