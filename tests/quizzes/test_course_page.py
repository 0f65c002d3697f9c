"""The course page shows the course's quizzes and the learner's mastery per outcome."""

from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt


def test_course_page_lists_quizzes_and_shows_my_mastery(client, login):
    course = create_course(title="Simplified cost options in Interreg")
    right = create_question(course, outcomes=("LO1",))
    quiz = create_quiz(course, questions=[right], title="Check your SCO basics", pass_mark=50)
    learner = create_learner(course)
    take_attempt(quiz, learner, {1: 0})  # the first choice is the right one
    login(learner)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Check your SCO basics" in html
    assert "your mastery: 100%" in html
