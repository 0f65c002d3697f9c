"""The extension points other features (quizzes, certificates) use on the course page and versions."""

from academy.courses import hooks
from academy.courses.services import versioning
from tests.courses.factories import create_course, enrol


def test_course_page_shows_what_extensions_add(app, client, learner, tmp_path):
    course = create_course(outcomes=2)
    enrol(learner, course)
    seen = []

    def provider(version, enrolment):
        seen.append((version.id, enrolment.user_id if enrolment else None))
        return hooks.CoursePageExtras(
            requirements=["Pass the final quiz with 80 %."],
            outcome_mastery={"lo1": 85},
            panels=[hooks.Panel("courses/_test_panel.html", {"message": "Quiz <ready>"})],
        )

    hooks.register_course_page_extension(app, provider)
    folder = tmp_path / "templates" / "courses"
    folder.mkdir(parents=True)
    (folder / "_test_panel.html").write_text('<section class="test-panel">{{ panel.context.message }}</section>')
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(str(tmp_path / "templates"))])
    app.jinja_env.loader = app.jinja_loader
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Pass the final quiz with 80 %." in html
    assert "your mastery: 85% (needed: 70%)" in html
    assert '<section class="test-panel">Quiz &lt;ready&gt;</section>' in html
    assert seen == [(course.published_version_id, learner.id)]


def test_publish_checks_can_block_publishing(app, db):
    course = create_course(published=False)
    hooks.register_publish_check(app, lambda version: ["The final quiz has no questions."])
    assert "The final quiz has no questions." in versioning.publish_problems(course.versions[0])


def test_reading_the_last_lesson_announces_lessons_completed(app, db, learner):
    from academy.core import events
    from academy.courses.events import LessonsCompleted
    from academy.courses.services import progress

    course = create_course(modules=1, lessons=2)
    enrolment = enrol(learner, course)
    received = []
    events.listen(app, LessonsCompleted, received.append)
    outline = progress.build_outline(course.published_version, set())
    progress.complete_lesson(enrolment, outline, "m1-l1")
    assert received == []  # one lesson still to read
    progress.complete_lesson(enrolment, outline, "m1-l2")
    db.session.commit()
    assert received == [LessonsCompleted(enrolment_id=enrolment.id)]
