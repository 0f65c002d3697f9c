"""Only owners (who are trainers) and admins reach the editor: 403 for everyone else, on every route."""

import pytest

from tests.conftest import csrf_token
from tests.courses.factories import create_course
from tests.factories import create_user

# Every trainer route of one course, with a harmless body for POSTs (the permission check comes first).
ROUTES = [
    ("GET", "/trainer/courses/{slug}"),
    ("GET", "/trainer/courses/{slug}/edit"),
    ("POST", "/trainer/courses/{slug}/edit"),
    ("POST", "/trainer/courses/{slug}/publish"),
    ("GET", "/trainer/courses/{slug}/settings"),
    ("POST", "/trainer/courses/{slug}/discard"),
    ("POST", "/trainer/courses/{slug}/archive"),
    ("POST", "/trainer/courses/{slug}/owners"),
    ("POST", "/trainer/courses/{slug}/owners/{owner_id}/remove"),
    ("GET", "/trainer/courses/{slug}/preview"),
    ("GET", "/trainer/courses/{slug}/preview/lessons/m1-l1"),
    ("GET", "/trainer/courses/{slug}/outcomes/new"),
    ("POST", "/trainer/courses/{slug}/outcomes/new"),
    ("GET", "/trainer/courses/{slug}/outcomes/lo1/edit"),
    ("POST", "/trainer/courses/{slug}/outcomes/lo1/edit"),
    ("POST", "/trainer/courses/{slug}/outcomes/lo1/delete"),
    ("POST", "/trainer/courses/{slug}/outcomes/lo1/move"),
    ("GET", "/trainer/courses/{slug}/modules/new"),
    ("POST", "/trainer/courses/{slug}/modules/new"),
    ("GET", "/trainer/courses/{slug}/modules/m1/edit"),
    ("POST", "/trainer/courses/{slug}/modules/m1/edit"),
    ("POST", "/trainer/courses/{slug}/modules/m1/delete"),
    ("POST", "/trainer/courses/{slug}/modules/m1/move"),
    ("GET", "/trainer/courses/{slug}/modules/m1/lessons/new"),
    ("POST", "/trainer/courses/{slug}/modules/m1/lessons/new"),
    ("GET", "/trainer/courses/{slug}/lessons/m1-l1/edit"),
    ("POST", "/trainer/courses/{slug}/lessons/m1-l1/edit"),
    ("POST", "/trainer/courses/{slug}/lessons/m1-l1/delete"),
    ("POST", "/trainer/courses/{slug}/lessons/m1-l1/move"),
    ("POST", "/trainer/courses/{slug}/files/1/delete"),
]


def test_the_list_covers_every_trainer_route_of_a_course(app):
    adapter = app.url_map.bind("localhost")
    listed = {(method, adapter.match(path.format(slug="c", owner_id=1), method=method)[0]) for method, path in ROUTES}
    expected = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        # The invitation link is for a trainer who does not own the course yet (its token is the check).
        if rule.rule.startswith("/trainer/courses/<slug>") and rule.endpoint != "courses.accept_ownership"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert listed == expected


@pytest.fixture
def owned_course(db):
    owner = create_user(trainer=True, name="Owner")
    course = create_course(owner=owner, modules=2, lessons=2)
    return course, owner


def _call(client, method, path, token):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": token, "direction": "down", "email": "x@example.org"})


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_everyone_but_owners_and_admins_gets_403(client, login, owned_course, db, method, path):
    course, owner = owned_course
    url = path.format(slug=course.slug, owner_id=owner.id)
    demoted = create_user(trainer=False)  # was an owner, lost the trainer role
    course.owners.append(demoted)
    db.session.commit()
    for who in (create_user(trainer=True), create_user(), demoted):
        login(who)
        token = csrf_token(client, f"/courses/{course.slug}")
        assert _call(client, method, url, token).status_code == 403, who


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] == "GET"])
def test_owner_and_admin_may_open_every_page(client, login, owned_course, method, path):
    course, owner = owned_course
    for user in (owner, create_user(admin=True)):
        login(user)
        assert client.get(path.format(slug=course.slug, owner_id=owner.id)).status_code == 200


def test_anonymous_is_sent_to_login(client, owned_course):
    course, _ = owned_course
    response = client.get(f"/trainer/courses/{course.slug}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_course_is_404_for_a_trainer(client, trainer):
    assert client.get("/trainer/courses/no-such-course").status_code == 404


def test_trainer_list_and_new_course_need_the_trainer_role(client, learner):
    assert client.get("/trainer/courses").status_code == 403
    assert client.get("/trainer/courses/new").status_code == 403


def test_trainer_list_shows_only_own_courses(client, trainer):
    mine = create_course(owner=trainer, title="Mine")
    create_course(title="Someone else's")
    html = client.get("/trainer/courses").get_data(as_text=True)
    assert "Mine" in html and "Someone else" not in html
    assert f'href="/trainer/courses/{mine.slug}"' in html


def test_admin_sees_every_course(client, admin):
    create_course(title="Anyone's")
    assert "Anyone&#39;s" in client.get("/trainer/courses").get_data(as_text=True)
