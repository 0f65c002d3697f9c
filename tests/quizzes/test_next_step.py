"""The course page leads a learner whose lessons are done to the next required step."""

import re

from academy.extensions import db
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt


def _primary(html: str) -> str:
    """The text of the study card's primary action."""
    found = re.search(r'<p class="eyebrow">Your next step</p>\s*<a class="button" href="([^"]+)">([^<]+)</a>', html)
    assert found, "the course page shows no next step"
    return f"{found.group(2).strip()} -> {found.group(1)}"


def test_the_next_step_after_the_lessons_is_the_final_assessment(client, login):
    course = create_course(outcomes=("LO1",))
    quiz = create_quiz(course, questions=[create_question(course)], title="Final assessment")
    learner = create_learner(course)
    login(learner)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert _primary(html) == f"Take the assessment “Final assessment” -> /courses/{course.slug}/quiz/{quiz.id}"
    assert "Leave this course" in html  # still there, but no longer the only action


def test_a_failed_quiz_is_to_be_retaken_up_to_its_pass_mark(client, login):
    course = create_course(outcomes=("LO1",))
    quiz = create_quiz(course, questions=[create_question(course)], title="Final assessment", pass_mark=70)
    learner = create_learner(course)
    take_attempt(quiz, learner, {1: 1})  # a wrong choice
    login(learner)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert _primary(html).startswith("Retake “Final assessment” to reach the pass mark of 70%")


def test_an_outcome_below_its_threshold_names_the_quiz_that_assesses_it(client, login):
    course = create_course(outcomes=("LO1", "LO2"))
    final = create_quiz(course, questions=[create_question(course, outcomes=("LO1",))], title="Final", pass_mark=0)
    budget = create_quiz(
        course, questions=[create_question(course, outcomes=("LO2",))], title="Budget check", required=False
    )
    learner = create_learner(course)
    take_attempt(final, learner, {1: 0})
    take_attempt(budget, learner, {1: 1})  # wrong: LO2 at 0 %
    login(learner)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert _primary(html) == f"Reach 70% on LO2: retake “Budget check” -> /courses/{course.slug}/quiz/{budget.id}"


def test_progress_counts_quizzes_and_outcomes_not_only_lessons(client, login):
    course = create_course(outcomes=("LO1", "LO2"))
    quiz = create_quiz(course, questions=[create_question(course, outcomes=("LO1",))], title="Final")
    learner = create_learner(course)
    take_attempt(quiz, learner, {1: 0})
    login(learner)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    # No lessons; the quiz is passed, LO1 mastered, LO2 without evidence: 2 of 3.
    assert "2 of 3 requirements met" in html
    assert 'value="66"' in html


def test_the_result_that_completes_the_course_says_the_certificate_is_coming(client, login):
    course = create_course(outcomes=("LO1",))
    quiz = create_quiz(course, questions=[create_question(course)], title="Final assessment")
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: 0})
    login(learner)
    html = client.get(f"/courses/{course.slug}/quiz/{quiz.id}/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "You have completed the course" in html
    assert "/certificates" in html


def test_a_result_that_does_not_complete_the_course_leads_back_to_the_next_step(client, login):
    course = create_course(outcomes=("LO1", "LO2"))
    quiz = create_quiz(course, questions=[create_question(course)], title="Final assessment", pass_mark=50)
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: 0})
    login(learner)
    html = client.get(f"/courses/{course.slug}/quiz/{quiz.id}/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "You have completed the course" not in html
    assert "Back to the course: your next step" in html


def test_my_learning_counts_the_quizzes_and_keeps_the_course_in_progress(client, login):
    course = create_course(outcomes=("LO1",), title="Simplified cost options")
    create_quiz(course, questions=[create_question(course)], title="Final assessment")
    learner = create_learner(course)
    login(learner)
    html = client.get("/my-learning").get_data(as_text=True)
    in_progress = html.split('id="in-progress-title"')[1].split("</section>")[0]
    assert "Simplified cost options" in in_progress
    assert "0 of 2 requirements met" in in_progress
    assert "See your next step" in in_progress
    db.session.rollback()
