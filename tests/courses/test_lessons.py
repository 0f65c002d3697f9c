from academy.courses.models import Enrolment, LessonProgress
from academy.courses.models import Module as ModuleModel
from tests.conftest import csrf_token
from tests.courses.factories import assert_same_queries, create_course, enrol
from tests.factories import create_user


def _complete(client, slug, key, token=None):
    token = token or csrf_token(client, f"/courses/{slug}/lessons/{key}")
    return client.post(f"/courses/{slug}/lessons/{key}/complete", data={"csrf_token": token})


def test_lesson_needs_enrolment(client, learner):
    course = create_course()
    response = client.get(f"/courses/{course.slug}/lessons/m1-l1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/{course.slug}")


def test_lesson_needs_login(client):
    course = create_course()
    response = client.get(f"/courses/{course.slug}/lessons/m1-l1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_lesson_is_404(client, learner):
    course = create_course()
    enrol(learner, course)
    assert client.get(f"/courses/{course.slug}/lessons/nope").status_code == 404


def test_lesson_renders_markdown_with_previous_and_next(client, learner):
    course = create_course(modules=2, lessons=2)
    enrol(learner, course)
    html = client.get(f"/courses/{course.slug}/lessons/m1-l2").get_data(as_text=True)
    assert "<h1>Part 1.2</h1>" in html and "<strong>text</strong>" in html
    assert f'href="/courses/{course.slug}/lessons/m1-l1" rel="prev"' in html
    # "next" crosses into the following module
    assert f'href="/courses/{course.slug}/lessons/m2-l1" rel="next"' in html
    assert "Lesson 2 of 4" in html


def test_lesson_body_is_sanitised(client, learner, db):
    course = create_course()
    lesson = db.session.query(ModuleModel).filter_by(key="m1").first().lessons[0]
    lesson.body = "Hello <script>alert(1)</script> [x](javascript:alert(1))"
    db.session.commit()
    enrol(learner, course)
    html = client.get(f"/courses/{course.slug}/lessons/m1-l1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript' not in html


def test_completing_lessons_moves_progress_from_0_to_100(client, learner, db):
    course = create_course(modules=2, lessons=1)
    slug = course.slug
    enrol(learner, course)
    assert 'value="0" aria-label="Course progress"' in client.get(f"/courses/{slug}").get_data(as_text=True)
    response = _complete(client, slug, "m1-l1")
    assert response.headers["Location"].endswith(f"/courses/{slug}/lessons/m2-l1")  # on to the next lesson
    assert 'value="50" aria-label="Course progress"' in client.get(f"/courses/{slug}").get_data(as_text=True)
    response = _complete(client, slug, "m2-l1")
    assert response.headers["Location"].endswith(f"/courses/{slug}")
    html = client.get(f"/courses/{slug}").get_data(as_text=True)
    assert 'value="100" aria-label="Course progress"' in html
    assert "You have completed every lesson" in html
    enrolment = db.session.query(Enrolment).one()
    assert enrolment.last_lesson_key == "m2-l1"


def test_completing_twice_keeps_one_record(client, learner, db):
    course = create_course()
    enrol(learner, course)
    token = csrf_token(client, f"/courses/{course.slug}/lessons/m1-l1")
    _complete(client, course.slug, "m1-l1", token)
    _complete(client, course.slug, "m1-l1", token)
    assert db.session.query(LessonProgress).count() == 1


def test_complete_needs_active_enrolment_and_csrf(client, learner, db):
    course = create_course()
    other = create_course()
    enrol(learner, other)
    token = csrf_token(client, f"/courses/{other.slug}/lessons/m1-l1")
    assert client.post(f"/courses/{course.slug}/lessons/m1-l1/complete").status_code == 400
    client.post(f"/courses/{course.slug}/lessons/m1-l1/complete", data={"csrf_token": token})
    assert db.session.query(LessonProgress).count() == 0


def test_continue_where_you_left_off(client, learner):
    course = create_course(modules=2, lessons=2)
    enrolment = enrol(learner, course, done=["m1-l1", "m1-l2"])
    enrolment.last_lesson_key = "m1-l2"
    from academy.extensions import db

    db.session.commit()
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Continue where you left off" in html
    assert f'href="/courses/{course.slug}/lessons/m2-l1">Continue where you left off' in html


def test_sequential_module_is_locked_and_says_what_unlocks_it(client, learner):
    course = create_course(modules=2, lessons=1, sequential=True)
    enrol(learner, course)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Complete “Module 1” to unlock this module." in html
    response = client.get(f"/courses/{course.slug}/lessons/m2-l1")
    assert response.status_code == 403
    assert "Complete “Module 1” to unlock this module." in response.get_data(as_text=True)
    # Completing a lesson of a locked module is refused too.
    token = csrf_token(client, f"/courses/{course.slug}/lessons/m1-l1")
    client.post(f"/courses/{course.slug}/lessons/m2-l1/complete", data={"csrf_token": token})
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert 'value="0" aria-label="Course progress"' in html
    _complete(client, course.slug, "m1-l1", token)
    assert client.get(f"/courses/{course.slug}/lessons/m2-l1").status_code == 200


def test_prerequisite_locks_a_module_even_when_not_sequential(client, learner, db):
    course = create_course(modules=3, lessons=1)
    modules = {m.key: m for m in course.published_version.modules}
    modules["m3"].prerequisites = [modules["m1"]]
    db.session.commit()
    enrol(learner, course)
    assert client.get(f"/courses/{course.slug}/lessons/m2-l1").status_code == 200
    response = client.get(f"/courses/{course.slug}/lessons/m3-l1")
    assert response.status_code == 403 and "Complete “Module 1”" in response.get_data(as_text=True)


def test_owner_may_read_lessons_without_enrolling(client, login):
    owner = create_user(trainer=True)
    course = create_course(owner=owner)
    login(owner)
    html = client.get(f"/courses/{course.slug}/lessons/m1-l1").get_data(as_text=True)
    assert "you are not enrolled" in html


def test_lesson_page_queries_do_not_grow(client, learner, count_queries):
    small = create_course(modules=5, lessons=2)
    large = create_course(modules=50, lessons=3)
    enrol(learner, small, done=["m1-l1"])
    enrol(learner, large, done=[f"m{i}-l2" for i in range(1, 50)])
    small_url, large_url = f"/courses/{small.slug}/lessons/m2-l1", f"/courses/{large.slug}/lessons/m2-l1"
    assert_same_queries(client, count_queries, small_url, large_url)


def test_reading_the_last_lesson_asks_certificates_to_check_the_rule(client, learner, db):
    from academy.certificates.models import Certificate

    course = create_course(modules=1, lessons=2)
    enrol(learner, course, done=["m1-l1"])
    assert db.session.query(Certificate).count() == 0
    _complete(client, course.slug, "m1-l2")
    db.session.expire_all()
    certificate = db.session.query(Certificate).one()
    assert certificate.user_id == learner.id and certificate.course_id == course.id
