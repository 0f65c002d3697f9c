"""A learner's programme page runs as many statements for a big programme as for a small one."""

from __future__ import annotations

from datetime import timedelta

from academy.courses.services import progress
from tests.certificates.factories import create_course
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session, enrol
from tests.programmes.test_pages import PROGRAMME_PAGE_QUERIES


def _programme_with(*, courses: int, lessons: int, sessions: int, others: int):
    """A published programme, and a learner enrolled in it who has done the first lesson of every course."""
    parts = [create_course(title=f"Audit of operations {n}", lessons=lessons, outcomes=3) for n in range(courses)]
    programme = create_programme(courses=parts[:-1] or parts, optional_courses=parts[-1:] if courses > 1 else ())
    dates = [
        create_session(programme=programme, title=f"Workshop {n}", starts_in=timedelta(days=10 + n), capacity=40)
        for n in range(sessions)
    ]
    me = create_user()
    enrol(me, programme)
    create_registration(session=dates[0], user=me)
    for course in parts:
        enrolment = progress.get_enrolment(me, course)
        outline = progress.build_outline(course.published_version, progress.completed_keys(enrolment))
        progress.complete_lesson(enrolment, outline, outline.lessons[0].lesson.key)
    for _ in range(others):
        create_registration(session=dates[-1])
    return programme, me


def test_the_programme_page_runs_the_same_statements_for_more_courses_lessons_and_sessions(
    app, client, login, db, count_queries
):
    counts = []
    for shape in ({"courses": 1, "lessons": 2, "sessions": 1, "others": 0},
                  {"courses": 5, "lessons": 6, "sessions": 4, "others": 6}):  # fmt: skip
        programme, me = _programme_with(**shape)
        db.session.commit()
        login(me)
        page = f"/programmes/{programme.slug}"
        html = client.get(page).get_data(as_text=True)
        assert "Audit of operations 0" in html
        with count_queries() as q:
            assert client.get(page).status_code == 200
        counts.append(q.count)
    assert counts == [PROGRAMME_PAGE_QUERIES] * 2
