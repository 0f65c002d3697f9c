"""Trainers build, edit, reorder and publish courses in the browser."""

import re

import pytest
from sqlalchemy import func, select

from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    LearningOutcome,
    Lesson,
    Module,
    VersionStatus,
)
from tests.conftest import csrf_token, read_mail
from tests.courses.factories import create_course, enrol
from tests.factories import create_user

COURSE_FORM = {
    "slug": "jems-basics",
    "title": "Jems basics",
    "summary": "Monitoring projects with Jems.",
    "description": "For **joint secretariats**.",
    "topic": "Monitoring",
    "language": "en",
    "level": "introductory",
    "hours": "3",
    "credits": "1.5",
    "validity_months": "24",
}


def _post(client, path, data, *, form_page=None):
    token = csrf_token(client, form_page or "/trainer/courses/new")
    return client.post(path, data={"csrf_token": token, **data})


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _versions(db, slug):
    db.session.expire_all()
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    return course, [(v.number, v.status) for v in course.versions]


# --- creating and editing a course ---------------------------------------------------------------


def test_trainer_creates_a_course_as_a_draft(client, trainer, db):
    response = _post(client, "/trainer/courses/new", COURSE_FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/trainer/courses/jems-basics")
    course, versions = _versions(db, "jems-basics")
    assert versions == [(1, VersionStatus.DRAFT)]
    assert course.status == CourseStatus.DRAFT and [o.id for o in course.owners] == [trainer.id]
    version = course.versions[0]
    assert str(version.credits) == "1.5" and version.validity_months == 24 and version.topic == "Monitoring"
    # Invisible to learners until published.
    assert client.get("/courses/jems-basics").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Not A Slug"}, "lower-case letters"),
        ({"slug": "new"}, "name of a page of the site"),
        ({"slug": "programmes"}, "name of a page of the site"),
        ({"title": ""}, "This field is required."),
        ({"summary": ""}, "This field is required."),
        ({"topic": ""}, "This field is required."),
        ({"credits": "0.3"}, "steps of 0.5"),
        ({"credits": "-1"}, "Number must be between"),
        ({"hours": "0"}, "Number must be between"),
        ({"hours": "many"}, "Not a valid decimal value"),
        ({"level": "expert"}, "Not a valid choice"),
        ({"validity_months": "0"}, "Number must be between"),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_course_form_is_400_and_saves_nothing(client, trainer, db, changes, message):
    response = _post(client, "/trainer/courses/new", {**COURSE_FORM, **changes})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert _count(db, Course) == 0


def test_duplicate_slug_is_400(client, trainer, db):
    create_course(slug="jems-basics")
    response = _post(client, "/trainer/courses/new", COURSE_FORM)
    assert response.status_code == 400
    assert "Another course already uses this address." in response.get_data(as_text=True)
    assert _count(db, Course) == 1


def test_bad_edit_is_400_and_saves_nothing(client, trainer, db):
    course = create_course(owner=trainer)
    page = f"/trainer/courses/{course.slug}/edit"
    response = _post(client, page, {**COURSE_FORM, "title": ""}, form_page=page)
    assert response.status_code == 400 and "This field is required." in response.get_data(as_text=True)
    assert _versions(db, course.slug)[1] == [(1, VersionStatus.PUBLISHED)]


def test_editing_a_published_course_works_on_a_draft_of_the_next_version(client, trainer, db, login):
    course = create_course(owner=trainer, title="Old title", modules=1, lessons=2)
    slug = course.slug
    learner = create_user()
    enrol(learner, course, done=["m1-l1"])
    page = f"/trainer/courses/{slug}/edit"
    response = _post(client, page, {**COURSE_FORM, "title": "New title"}, form_page=page)
    assert response.status_code == 302
    course, versions = _versions(db, slug)
    assert versions == [(1, VersionStatus.PUBLISHED), (2, VersionStatus.DRAFT)]
    draft = course.versions[1]
    # The draft is a copy with the same keys.
    assert [m.key for m in draft.modules] == ["m1"] and [x.key for x in draft.modules[0].lessons] == ["m1-l1", "m1-l2"]
    assert [o.key for o in draft.outcomes] == ["lo1", "lo2", "lo3"]
    assert [o.key for o in draft.modules[0].lessons[0].outcomes] == ["lo1"]
    # Learners still see version 1.
    login(learner)
    assert "Old title" in client.get(f"/courses/{slug}").get_data(as_text=True)
    # A second edit changes the same draft, not a third version.
    login(trainer)
    _post(client, page, {**COURSE_FORM, "title": "Newer title"}, form_page=page)
    assert _versions(db, slug)[1] == [(1, VersionStatus.PUBLISHED), (2, VersionStatus.DRAFT)]
    # Publishing makes version 2 what learners see, and their progress carries over.
    # lo2 and lo3 are evidenced by nothing: publishing asks for a confirmation first.
    _post(client, f"/trainer/courses/{slug}/publish", {}, form_page=f"/trainer/courses/{slug}")
    assert _versions(db, slug)[1] == [(1, VersionStatus.PUBLISHED), (2, VersionStatus.DRAFT)]
    settings = client.get(f"/trainer/courses/{slug}/settings").get_data(as_text=True)
    assert "Learning outcome LO2: no lesson and no question evidences it." in settings
    _post(client, f"/trainer/courses/{slug}/publish", {"confirm_warnings": "yes"}, form_page=f"/trainer/courses/{slug}")
    assert _versions(db, slug)[1] == [(1, VersionStatus.RETIRED), (2, VersionStatus.PUBLISHED)]
    login(learner)
    html = client.get(f"/courses/{slug}").get_data(as_text=True)
    assert "Newer title" in html and 'value="50" aria-label="Course progress"' in html


def test_publishing_needs_modules_and_lessons(client, trainer, db):
    _post(client, "/trainer/courses/new", COURSE_FORM)
    page = "/trainer/courses/jems-basics"
    assert "Add at least one module." in client.get(f"{page}/settings").get_data(as_text=True)
    response = _post(client, f"{page}/publish", {}, form_page=page)
    assert response.status_code == 302 and response.location.endswith(f"{page}/settings")
    assert _versions(db, "jems-basics")[1] == [(1, VersionStatus.DRAFT)]
    assert "Add at least one module." in client.get(f"{page}/settings").get_data(as_text=True)


def test_discarding_a_draft_keeps_the_published_version(client, trainer, db):
    course = create_course(owner=trainer)
    slug = course.slug
    page = f"/trainer/courses/{slug}/edit"
    _post(client, page, {**COURSE_FORM, "title": "Changed"}, form_page=page)
    asked = _post(client, f"/trainer/courses/{slug}/discard", {}, form_page=f"/trainer/courses/{slug}")
    assert "Discard the draft?" in asked.get_data(as_text=True)  # nothing happens before confirming
    assert [v.status for v in _versions(db, slug)[0].versions] == [VersionStatus.PUBLISHED, VersionStatus.DRAFT]
    _post(client, f"/trainer/courses/{slug}/discard", {"confirmed": "yes"}, form_page=f"/trainer/courses/{slug}")
    course, versions = _versions(db, slug)
    assert versions == [(1, VersionStatus.PUBLISHED)]


def test_archiving_takes_a_course_out_of_the_catalogue(client, trainer, db):
    course = create_course(owner=trainer, title="To archive")
    slug = course.slug
    yes = {"confirmed": "yes"}
    _post(client, f"/trainer/courses/{slug}/archive", yes, form_page=f"/trainer/courses/{slug}")
    assert "To archive" not in client.get("/courses").get_data(as_text=True)
    _post(client, f"/trainer/courses/{slug}/archive", yes, form_page=f"/trainer/courses/{slug}")
    assert "To archive" in client.get("/courses").get_data(as_text=True)


# --- outcomes, modules, lessons ------------------------------------------------------------------


def test_outcome_add_edit_and_bad_input(client, trainer, db):
    course = create_course(owner=trainer, published=False, outcomes=1)
    new = f"/trainer/courses/{course.slug}/outcomes/new"
    assert 'value="LO2"' in client.get(new).get_data(as_text=True)
    for data, message in [
        ({"code": "", "text": "Explain HIT.", "threshold": "70"}, "This field is required."),
        ({"code": "LO 2", "text": "Explain HIT.", "threshold": "70"}, "Use letters and digits"),
        ({"code": "LO2", "text": "", "threshold": "70"}, "This field is required."),
        ({"code": "LO2", "text": "Explain HIT.", "threshold": "101"}, "Number must be between 0 and 100."),
        ({"code": "lo1", "text": "Explain HIT.", "threshold": "70"}, "Another outcome already uses code lo1."),
    ]:
        response = _post(client, new, data, form_page=new)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True)
    assert _count(db, LearningOutcome) == 1
    assert (
        _post(client, new, {"code": "LO2", "text": "Explain HIT.", "threshold": "80"}, form_page=new).status_code == 302
    )
    edit = f"/trainer/courses/{course.slug}/outcomes/lo2/edit"
    response = _post(client, edit, {"code": "LO2", "text": "", "threshold": "80"}, form_page=edit)
    assert response.status_code == 400
    _post(client, edit, {"code": "LO9", "text": "Explain HIT well.", "threshold": "75"}, form_page=edit)
    db.session.expire_all()
    outcome = db.session.scalar(select(LearningOutcome).where(LearningOutcome.key == "lo2"))
    assert (outcome.code, outcome.text, outcome.threshold) == ("LO9", "Explain HIT well.", 75)


def test_module_add_edit_prerequisites_and_bad_input(client, trainer, db):
    course = create_course(owner=trainer, published=False, modules=2)
    new = f"/trainer/courses/{course.slug}/modules/new"
    response = _post(client, new, {"title": "", "summary": ""}, form_page=new)
    assert response.status_code == 400 and "This field is required." in response.get_data(as_text=True)
    response = _post(client, new, {"title": "Third", "prerequisites": "nope"}, form_page=new)
    assert response.status_code == 400
    assert _count(db, Module) == 2
    response = _post(client, new, {"title": "Third", "summary": "Last part.", "prerequisites": "m1"}, form_page=new)
    assert response.status_code == 302
    db.session.expire_all()
    third = db.session.scalar(select(Module).where(Module.key == "third"))
    assert [p.key for p in third.prerequisites] == ["m1"]
    # The first module cannot require a later one.
    edit = f"/trainer/courses/{course.slug}/modules/m1/edit"
    html = client.get(edit).get_data(as_text=True)
    assert "Modules to finish first" not in html
    response = _post(client, edit, {"title": "First", "prerequisites": "m2"}, form_page=edit)
    assert response.status_code == 400


def test_lesson_preview_renders_without_saving(client, trainer, db):
    course = create_course(owner=trainer, published=False, modules=1, lessons=0)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    data = {
        "title": "Why HIT",
        "module": "m1",
        "body": "## Shared *rules*\n\n<script>x</script>",
        "minutes": "12",
        "required": "y",
        "outcomes": ["lo1", "lo2"],
        "preview": "Preview",
    }
    response = _post(client, new, data, form_page=new)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h2>Shared <em>rules</em></h2>" in html and "<script>x</script>" not in html
    assert "Preview (not saved yet)" in html
    assert _count(db, Lesson) == 0
    del data["preview"]
    response = _post(client, new, data, form_page=new)
    assert response.status_code == 302
    lesson = db.session.scalar(select(Lesson))
    assert lesson.key == "why-hit" and lesson.minutes == 12 and [o.code for o in lesson.outcomes] == ["LO1", "LO2"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"body": ""}, "This field is required."),
        ({"minutes": "0"}, "Number must be between 1 and 600."),
        ({"minutes": "ten"}, "Not a valid integer value."),
        ({"module": "elsewhere"}, "Not a valid choice."),
        ({"outcomes": ["lo99"]}, "is not a valid choice"),
    ],
)
def test_bad_lesson_form_is_400_and_saves_nothing(client, trainer, db, changes, message):
    course = create_course(owner=trainer, modules=1, lessons=1)
    edit = f"/trainer/courses/{course.slug}/lessons/m1-l1/edit"
    data = {"title": "T", "module": "m1", "body": "Text", "minutes": "5", **changes}
    response = _post(client, edit, data, form_page=edit)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _versions(db, course.slug)[1] == [(1, VersionStatus.PUBLISHED)]


def test_lesson_can_move_to_another_module(client, trainer, db):
    course = create_course(owner=trainer, published=False, modules=2, lessons=2)
    edit = f"/trainer/courses/{course.slug}/lessons/m1-l1/edit"
    _post(client, edit, {"title": "Moved", "module": "m2", "body": "Text", "minutes": "5"}, form_page=edit)
    db.session.expire_all()
    modules = {m.key: [x.key for x in m.lessons] for m in db.session.scalars(select(Module))}
    assert modules == {"m1": ["m1-l2"], "m2": ["m2-l1", "m2-l2", "m1-l1"]}


def test_reorder_with_move_buttons(client, trainer, db):
    course = create_course(owner=trainer, published=False, modules=3, lessons=3, outcomes=3)
    slug = course.slug
    page = f"/trainer/courses/{slug}"
    html = client.get(page).get_data(as_text=True)
    assert 'Move up<span class="visually-hidden">: Module 2</span>' in html
    _post(client, f"{page}/modules/m3/move", {"direction": "up"}, form_page=page)
    _post(client, f"{page}/lessons/m1-l1/move", {"direction": "down"}, form_page=page)
    _post(client, f"{page}/outcomes/lo1/move", {"direction": "down"}, form_page=page)
    db.session.expire_all()
    version = db.session.scalar(select(CourseVersion))
    assert [m.key for m in version.modules] == ["m1", "m3", "m2"]
    assert [x.key for x in version.modules[0].lessons] == ["m1-l2", "m1-l1", "m1-l3"]
    assert [o.key for o in version.outcomes] == ["lo2", "lo1", "lo3"]
    # Bad direction or the edge of the list.
    assert _post(client, f"{page}/modules/m1/move", {"direction": "sideways"}, form_page=page).status_code == 400
    response = _post(client, f"{page}/modules/m1/move", {"direction": "up"}, form_page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.key for m in db.session.scalar(select(CourseVersion)).modules] == ["m1", "m3", "m2"]


def test_delete_items_from_the_draft_only(client, trainer, db):
    course = create_course(owner=trainer, modules=2, lessons=2)
    slug = course.slug
    page = f"/trainer/courses/{slug}"
    yes = {"confirmed": "yes"}
    _post(client, f"{page}/lessons/m1-l1/delete", yes, form_page=page)
    _post(client, f"{page}/modules/m2/delete", yes, form_page=page)
    _post(client, f"{page}/outcomes/lo1/delete", yes, form_page=page)
    course, _versions_list = _versions(db, slug)
    published, draft = course.versions
    assert [m.key for m in published.modules] == ["m1", "m2"] and len(published.outcomes) == 3
    assert [m.key for m in draft.modules] == ["m1"] and [x.key for x in draft.modules[0].lessons] == ["m1-l2"]
    assert [o.key for o in draft.outcomes] == ["lo2", "lo3"]


def test_co_owners(client, trainer, login, db):
    course = create_course(owner=trainer)
    slug = course.slug
    page = f"/trainer/courses/{slug}"
    colleague = create_user(trainer=True, email="colleague@example.org", name="Colleague")
    create_user(email="learner@example.org")
    for email, message in [
        ("not-an-email", "Invalid email address."),
        (trainer.email, "already owns this course"),
    ]:
        response = _post(client, f"{page}/owners", {"email": email}, form_page=page)
        assert response.status_code == 400 and message in response.get_data(as_text=True), email
    # Unknown, learner-only and trainer addresses all get the same answer; only the trainer is invited.
    answers = []
    for email in ("nobody@example.org", "learner@example.org", "Colleague@Example.org"):
        response = _post(client, f"{page}/owners", {"email": email}, form_page=page)
        assert response.status_code == 302
        page_html = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append(re.findall(r'class="flash[^"]*">(.*?)</p>', page_html, re.S)[0].replace(email, "X"))
    assert "If a trainer account uses X" in answers[0]
    assert answers[0] == answers[1] == answers[2]
    assert len(_versions(db, slug)[0].owners) == 1  # nobody is added before accepting
    mails = read_mail(client.application)
    assert [m for m in mails if "To: colleague@example.org" in m]
    assert not [m for m in mails if "To: nobody@example.org" in m or "To: learner@example.org" in m]
    path = re.search(r"http://\S+(/trainer/courses/\S+/ownership/\S+)", mails[-1]).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login(colleague)
    assert client.get(path).status_code == 200
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert {o.email for o in _versions(db, slug)[0].owners} == {trainer.email, "colleague@example.org"}
    login(trainer)
    _post(client, f"{page}/owners/{colleague.id}/remove", {"confirmed": "yes"}, form_page=page)
    assert [o.email for o in _versions(db, slug)[0].owners] == [trainer.email]
    # The last owner stays.
    _post(client, f"{page}/owners/{trainer.id}/remove", {"confirmed": "yes"}, form_page=page)
    assert [o.email for o in _versions(db, slug)[0].owners] == [trainer.email]


def test_co_owner_can_edit(client, login, db):
    owner, colleague = create_user(trainer=True), create_user(trainer=True)
    course = create_course(owners=[owner, colleague])
    login(colleague)
    assert client.get(f"/trainer/courses/{course.slug}").status_code == 200


def test_markdown_preview_endpoint_for_javascript(client, trainer):
    token = csrf_token(client, "/trainer/courses/new")
    response = client.post("/trainer/markdown-preview", data={"csrf_token": token, "body": "**b** <i>x</i>"})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<p><strong>b</strong> &lt;i&gt;x&lt;/i&gt;</p>\n"
    assert client.post("/trainer/markdown-preview", data={"body": "x"}).status_code == 400


def test_trainer_builds_a_two_module_course_and_a_learner_studies_it(client, trainer, login, db):
    """The browser journey, without the browser."""
    _post(client, "/trainer/courses/new", {**COURSE_FORM, "credits": "0"})
    page = "/trainer/courses/jems-basics"
    _post(
        client,
        f"{page}/outcomes/new",
        {"code": "LO1", "text": "Find a project in Jems.", "threshold": "70"},
        form_page=page,
    )
    for title in ("Getting around", "Reporting"):
        _post(client, f"{page}/modules/new", {"title": title}, form_page=page)
    for module, title in (("getting-around", "The dashboard"), ("reporting", "Partner reports")):
        _post(
            client,
            f"{page}/modules/{module}/lessons/new",
            {
                "title": title,
                "module": module,
                "body": f"About {title}.",
                "minutes": "5",
                "required": "y",
                "outcomes": "lo1",
            },
            form_page=page,
        )
    response = _post(client, f"{page}/publish", {}, form_page=page)
    assert response.status_code == 302
    assert _versions(db, "jems-basics")[1] == [(1, VersionStatus.PUBLISHED)]

    login(create_user())
    assert "Jems basics" in client.get("/courses?q=jems").get_data(as_text=True)
    _post(client, "/courses/jems-basics/enrol", {}, form_page="/courses/jems-basics")
    assert 'value="0" aria-label="Course progress"' in client.get("/courses/jems-basics").get_data(as_text=True)
    for key in ("the-dashboard", "partner-reports"):
        lesson = f"/courses/jems-basics/lessons/{key}"
        _post(client, f"{lesson}/complete", {}, form_page=lesson)
    assert 'value="100" aria-label="Course progress"' in client.get("/courses/jems-basics").get_data(as_text=True)


def test_bad_new_lesson_is_400_and_saves_nothing(client, trainer, db):
    course = create_course(owner=trainer, published=False, modules=1, lessons=0)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    response = _post(client, new, {"title": "", "module": "m1", "body": "", "minutes": "5"}, form_page=new)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count("This field is required.") >= 2 and 'aria-invalid="true"' in html
    assert _count(db, Lesson) == 0


def test_unknown_items_are_404_for_the_owner(client, trainer):
    course = create_course(owner=trainer)
    for path in ("outcomes/nope/edit", "modules/nope/edit", "lessons/nope/edit", "modules/nope/lessons/new"):
        assert client.get(f"/trainer/courses/{course.slug}/{path}").status_code == 404, path


def test_preview_shows_the_draft_as_learners_will_see_it(client, trainer, db):
    course = create_course(owner=trainer, title="Published title", modules=1, lessons=2)
    slug = course.slug
    page = f"/trainer/courses/{slug}/edit"
    _post(client, page, {**COURSE_FORM, "title": "Draft title"}, form_page=page)
    html = client.get(f"/trainer/courses/{slug}/preview").get_data(as_text=True)
    assert "Draft title" in html and "Preview of version 2 (draft)" in html
    assert "Complete all 2 required lessons." in html
    assert f'href="/trainer/courses/{slug}/preview/lessons/m1-l1"' in html
    html = client.get(f"/trainer/courses/{slug}/preview/lessons/m1-l2").get_data(as_text=True)
    assert "completion is not recorded" in html and "Mark as complete" not in html
    assert "Published title" in client.get(f"/courses/{slug}").get_data(as_text=True)


def test_the_web_address_is_made_from_the_title_when_left_empty(client, trainer, db):
    response = _post(client, "/trainer/courses/new", {**COURSE_FORM, "slug": "", "title": "Jems für Kontrolleure"})
    assert response.status_code == 302 and response.location.endswith("/trainer/courses/jems-fur-kontrolleure")
    # Taken already: the trainer is told on the field, and what they typed stays.
    response = _post(client, "/trainer/courses/new", {**COURSE_FORM, "slug": "", "title": "Jems für Kontrolleure"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Another course already uses this address." in html
    assert 'value="Jems für Kontrolleure"' in html
