import pytest

from academy.courses.models import Enrolment, EnrolmentStatus
from tests.conftest import csrf_token
from tests.courses.factories import assert_same_queries, create_course, enrol
from tests.factories import create_user


def test_course_page_shows_outcomes_modules_hours_credits_and_requirements(client):
    course = create_course(title="Jems in practice", modules=3, lessons=2, outcomes=3)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Jems in practice" in html
    for code in ("LO1", "LO2", "LO3"):
        assert code in html
    assert "Module 3: Module 3" in html and "Lesson 3.2" in html
    assert "2 hours" in html and "0.5 ECTS" in html
    # The certificate rule comes from the certificates feature.
    assert "Complete every required lesson of the current version." in html
    assert "mastery threshold 70%" in html


def test_anonymous_visitor_is_invited_to_log_in(client):
    course = create_course()
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Log in to enrol" in html
    # Lesson titles are listed but their pages are not linked.
    assert f'href="/courses/{course.slug}/lessons/' not in html


@pytest.mark.parametrize("who", ["anonymous", "learner", "other_trainer"])
def test_draft_course_is_unreachable_by_url(client, login, who):
    course = create_course(published=False, title="Hidden draft")
    if who == "learner":
        login(create_user())
    elif who == "other_trainer":
        login(create_user(trainer=True))
    assert client.get(f"/courses/{course.slug}").status_code == 404
    response = client.get(f"/courses/{course.slug}/lessons/m1-l1")
    assert response.status_code in (404, 302)
    if response.status_code == 302:  # anonymous: sent to log in, and after that still 404
        assert "/login" in response.headers["Location"]
    assert "Hidden draft" not in client.get("/courses").get_data(as_text=True)


def test_draft_lesson_and_enrolment_are_404_for_logged_in_learner(client, learner):
    course = create_course(published=False)
    assert client.get(f"/courses/{course.slug}/lessons/m1-l1").status_code == 404
    published = create_course()
    token = csrf_token(client, f"/courses/{published.slug}")
    assert client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token}).status_code == 404
    assert Enrolment.query.count() == 0


def test_enrol_and_unenrol(client, learner, db):
    course = create_course()
    token = csrf_token(client, f"/courses/{course.slug}")
    response = client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token})
    assert response.status_code == 302
    enrolment = db.session.query(Enrolment).one()
    assert enrolment.user_id == learner.id and enrolment.status == EnrolmentStatus.ACTIVE
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Start the first lesson" in html and "Leave this course" in html
    client.post(f"/courses/{course.slug}/unenrol", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.LEFT
    assert "Enrol again" in client.get(f"/courses/{course.slug}").get_data(as_text=True)


def test_enrol_needs_post_and_csrf(client, learner, db):
    course = create_course()
    assert client.get(f"/courses/{course.slug}/enrol").status_code == 405
    assert client.post(f"/courses/{course.slug}/enrol").status_code == 400
    assert db.session.query(Enrolment).count() == 0


def test_enrolling_twice_is_refused_politely(client, learner, db):
    course = create_course()
    enrol(learner, course)
    token = csrf_token(client, f"/courses/{course.slug}")
    response = client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token}, follow_redirects=True)
    assert "already enrolled" in response.get_data(as_text=True)
    assert db.session.query(Enrolment).count() == 1


def test_archived_course_takes_no_enrolment(client, learner, db):
    course = create_course(archived=True)
    other = create_course()
    token = csrf_token(client, f"/courses/{other.slug}")
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "archived" in html
    client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token})
    assert db.session.query(Enrolment).count() == 0


def test_anonymous_enrol_goes_to_login(client):
    course = create_course()
    token = csrf_token(client, "/login")
    response = client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_progress_bars_per_course_and_module(client, learner):
    course = create_course(modules=2, lessons=2)
    enrol(learner, course, done=["m1-l1", "m1-l2", "m2-l1"])
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert '<progress class="meter" max="100" value="75" aria-label="Course progress">' in html
    assert 'value="100" aria-label="Progress in module 1"' in html
    assert 'value="50" aria-label="Progress in module 2"' in html
    assert "Continue where you left off" in html


def test_owner_sees_edit_link(client, login):
    owner = create_user(trainer=True)
    course = create_course(owner=owner)
    login(owner)
    assert f'href="/trainer/courses/{course.slug}"' in client.get(f"/courses/{course.slug}").get_data(as_text=True)


def test_course_page_queries_do_not_grow(client, learner, count_queries):
    small = create_course(modules=5, lessons=2)
    large = create_course(modules=50, lessons=4)
    enrol(learner, small, done=["m1-l1", "m2-l2"])
    enrol(learner, large, done=[f"m{i}-l1" for i in range(1, 40)])
    small_url, large_url = f"/courses/{small.slug}", f"/courses/{large.slug}"
    assert_same_queries(client, count_queries, small_url, large_url)


def test_course_page_queries_do_not_grow_for_anonymous(client, count_queries):
    small = create_course(modules=5)
    large = create_course(modules=50, lessons=3, outcomes=20)
    small_url, large_url = f"/courses/{small.slug}", f"/courses/{large.slug}"
    assert_same_queries(client, count_queries, small_url, large_url)
