from academy.courses.models import EnrolmentStatus
from academy.courses.services import outlines
from academy.extensions import db
from tests.courses.factories import create_course, enrol


def test_dashboard_lists_courses_with_progress_and_continue_link(client, learner):
    started = create_course(title="Jems in practice", modules=2, lessons=2)
    done = create_course(title="Brand basics", modules=1, lessons=1)
    left = create_course(title="Old course")
    enrolment = enrol(learner, started, done=["m1-l1"])
    enrolment.last_lesson_key = "m1-l1"
    db.session.commit()
    enrol(learner, done, done=["m1-l1"])
    enrol(learner, left, status=EnrolmentStatus.LEFT)
    html = client.get("/my-learning").get_data(as_text=True)
    in_progress, _, rest = html.partition("Completed")
    assert "Jems in practice" in in_progress
    assert 'value="25" aria-label="Progress"' in in_progress
    assert f'href="/courses/{started.slug}/lessons/m1-l2">Continue' in in_progress
    completed, _, left_part = rest.partition("Courses you left")
    assert "Brand basics" in completed
    assert "Old course" in left_part


def test_dashboard_needs_login(client):
    response = client.get("/my-learning")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_dashboard_points_to_the_catalogue(client, learner):
    html = client.get("/my-learning").get_data(as_text=True)
    assert "You are not studying any course right now" in html and 'href="/courses"' in html


def test_progress_survives_a_new_version(client, learner):
    from academy.courses.services import content, versioning

    course = create_course(modules=1, lessons=2)
    enrol(learner, course, done=["m1-l1"])
    content.add_lesson(course, "m1", title="New lesson", body="Fresh text.")
    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()
    html = client.get("/my-learning").get_data(as_text=True)
    assert 'value="33" aria-label="Progress"' in html  # 1 of 3: the completed lesson still counts


def test_dashboard_queries_do_not_grow(client, learner, count_queries):
    enrol(learner, create_course(modules=5, lessons=2), done=["m1-l1"])
    client.get("/my-learning")
    with count_queries() as small:
        assert client.get("/my-learning").status_code == 200
    outlines.clear()
    with count_queries() as small_cold:
        assert client.get("/my-learning").status_code == 200
    for _ in range(5):
        enrol(learner, create_course(modules=50, lessons=2), done=["m1-l1", "m2-l2"])
    # A fresh worker reads every course's outline in one batch, whatever their number.
    with count_queries() as large_cold:
        assert client.get("/my-learning").status_code == 200
    with count_queries() as large:
        assert client.get("/my-learning").status_code == 200
    assert small.count == large.count
    assert small_cold.count == large_cold.count > large.count
