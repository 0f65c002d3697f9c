"""A trainer's start page: the courses they own, busiest first, with their active learners."""

from __future__ import annotations

from academy.courses.models import EnrolmentStatus
from tests.courses.factories import create_course, enrol
from tests.factories import create_user


def test_a_trainer_sees_the_courses_they_own_busiest_first(db, client, login):
    trainer = create_user(trainer=True)
    quiet = create_course(title="Interreg brand basics", owner=trainer)
    busy = create_course(title="Simplified cost options", owner=trainer)
    draft = create_course(title="Jems for controllers", owner=trainer, published=False)
    create_course(title="Someone else's course", owner=create_user(trainer=True))
    for _ in range(3):
        enrol(create_user(), busy)
    enrol(create_user(), quiet)
    enrol(create_user(), quiet, status=EnrolmentStatus.LEFT)  # left: not active

    login(trainer)
    page = client.get("/").get_data(as_text=True)
    assert "Your teaching" in page
    assert page.index("Simplified cost options") < page.index("Interreg brand basics")
    assert "3 active learners" in page and "1 active learner<" in page
    assert f"/trainer/courses/{draft.slug}" in page
    assert "Someone else&#39;s course" not in page and "Someone else's course" not in page


def test_learners_and_admins_who_own_nothing_get_no_teaching_panel(db, client, login):
    create_course(owner=create_user(trainer=True))
    for person in (create_user(), create_user(admin=True)):
        login(person)
        assert "Your teaching" not in client.get("/").get_data(as_text=True)


def test_a_new_trainer_is_shown_where_to_create_a_first_course(db, client, login):
    login(create_user(trainer=True))
    page = client.get("/").get_data(as_text=True)
    assert "You teach no course yet." in page and 'href="/trainer/courses/new"' in page


def test_the_panel_shows_five_courses_and_says_how_many_more(db, client, login, count_queries):
    trainer = create_user(trainer=True)
    for n in range(2):
        create_course(title=f"Course {n}", owner=trainer)
    login(trainer)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(2, 8):
        create_course(title=f"Course {n}", owner=trainer)
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert "and 3 more courses" in page
    assert many.count == few.count, many.statements
