"""Lessons lead on: across modules, and the page keeps the lesson before its outline."""

from tests.conftest import csrf_token
from tests.courses.factories import create_course, enrol
from tests.factories import create_user


def test_mark_as_complete_carries_into_the_module_it_unlocks(client, login):
    course = create_course(modules=2, lessons=1, sequential=True)
    learner = create_user()
    enrol(learner, course)
    login(learner)
    token = csrf_token(client, f"/courses/{course.slug}/lessons/m1-l1")
    response = client.post(f"/courses/{course.slug}/lessons/m1-l1/complete", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"/courses/{course.slug}/lessons/m2-l1")


def test_the_lesson_text_comes_before_the_outline(client, login):
    course = create_course(modules=1, lessons=2)
    learner = create_user()
    enrol(learner, course)
    login(learner)
    html = client.get(f"/courses/{course.slug}/lessons/m1-l1").get_data(as_text=True)
    assert html.index('id="lesson-title"') < html.index('class="lesson-toc card"')


def test_enrolment_comes_before_the_outline(client, login):
    course = create_course()
    login(create_user())
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert html.index("Enrol in this course") < html.index('id="modules-title"')


def test_credits_are_counted_in_words(client):
    from decimal import Decimal

    one = create_course(credits=Decimal("1"))
    half = create_course(credits=Decimal("0.5"))
    assert "1 ECTS credit<" in client.get(f"/courses/{one.slug}").get_data(as_text=True)
    assert "0.5 ECTS credits<" in client.get(f"/courses/{half.slug}").get_data(as_text=True)
