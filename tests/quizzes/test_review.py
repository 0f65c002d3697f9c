"""Reviews that teach: chosen options marked, right answers shown when allowed, feedback next to the choice."""

import re
from datetime import timedelta

from academy.db import utcnow
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt


def _result(client, course, quiz, attempt):
    return client.get(f"/courses/{course.slug}/quiz/{quiz.id}/attempts/{attempt.id}/result").get_data(as_text=True)


def _choice(html: str, text: str) -> str:
    """The review's list item of the choice with this text."""
    found = re.search(r"<li[^>]*>(?:(?!</li>).)*" + re.escape(text) + r"(?:(?!</li>).)*</li>", html, re.S)
    assert found, text
    return found.group(0)


def test_a_wrong_pick_is_marked_wrong_with_its_own_feedback_beside_it(client, login):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], review_answers_after=True)
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: 1})  # "Each partner alone", wrong
    login(learner)
    html = _result(client, course, quiz, attempt)
    wrong = _choice(html, "Each partner alone")
    assert "your choice: wrong" in wrong
    assert "No: reporting goes through the lead partner." in wrong
    right = _choice(html, "The lead partner")
    assert "right answer, not chosen" in right
    assert "Right: the lead partner reports." not in html  # only the chosen option's feedback


def test_without_right_answers_only_the_chosen_option_is_marked(client, login):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], review_answers_after=False)
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: 1})
    login(learner)
    html = _result(client, course, quiz, attempt)
    assert "your choice: wrong" in _choice(html, "Each partner alone")
    assert "not chosen</span>" not in html


def test_a_numerical_answer_shows_the_accepted_range_when_allowed(client, login):
    course = create_course()
    data = {"answers": [{"min": 10.0, "max": 20.0, "weight": 100.0, "feedback": ""}], "feedback_wrong": "Count again."}
    question = create_question(course, type="numerical", data=data, text="How many programmes?")
    quiz = create_quiz(course, questions=[question], review_answers_after=True)
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: "42"})
    login(learner)
    html = _result(client, course, quiz, attempt)
    assert "✗ wrong" in html
    assert "Accepted answer" in html and "10 – 20" in html
    assert "Count again." in html


def test_the_quiz_page_says_what_learners_see_and_when(client, login):
    course = create_course()
    quiz = create_quiz(
        course,
        questions=[create_question(course)],
        review_answers_after=False,
        closes_at=utcnow() + timedelta(days=3),
    )
    login(create_learner(course))
    html = client.get(f"/courses/{course.slug}/quiz/{quiz.id}").get_data(as_text=True)
    assert "Right after each attempt you see your score and which of your answers were right" in html
    assert (
        "Once the quiz closes (" in html
        and "you see your score and which of your answers were right, the right answers" in html
    )
