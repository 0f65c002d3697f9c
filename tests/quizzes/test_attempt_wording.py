"""The attempt page names each question group by its text, and the timer speaks in the singular too."""

from pathlib import Path

from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt


def test_a_question_group_is_named_by_its_text_and_the_timer_has_a_singular(client, login):
    course = create_course()
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=5)
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, submit=False)
    login(learner)
    html = client.get(f"/courses/{course.slug}/quiz/{quiz.id}/attempts/{attempt.id}").get_data(as_text=True)
    assert 'aria-labelledby="q1-number q1-text"' in html
    assert 'id="q1-text">' in html and "Who submits the progress report" in html.split('id="q1-text">')[1][:200]
    assert 'data-left-one="Less than one minute left."' in html
    script = (Path(__file__).parents[2] / "academy/static/js/quiz-timer.js").read_text()
    assert 'minutes === 0 ? box.getAttribute("data-left-one")' in script
