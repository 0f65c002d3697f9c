"""Signed-in pages kept per login session: served without a query; every change they show appears at once."""

from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import insert

from academy.auth import services as auth_services
from academy.certificates import services as certificate_services
from academy.community.marks import ThreadRead
from academy.community.services import membership
from academy.core import private_cache
from academy.courses.models import LessonProgress
from academy.courses.services import authoring, content, versioning
from academy.notifications import services as notifications
from academy.programmes.services import enrolment as programme_enrolment
from tests import services as test_services
from tests.certificates.factories import create_certificate
from tests.community.factories import add_member, create_community, create_reply, create_thread
from tests.conftest import csrf_token
from tests.core.test_public_cache import statements
from tests.courses.factories import create_course, enrol
from tests.factories import create_user
from tests.programmes.factories import create_programme
from tests.quizzes import factories as quiz_factories


@pytest.fixture
def cached(app):
    """The app with signed-in pages and logins kept, as in production."""
    app.config["PRIVATE_CACHE_SECONDS"] = 60
    app.config["LOGIN_CACHE"] = True
    return app


@pytest.fixture
def shared_redis(cached):
    """The app on the test Redis, emptied before and after; the URL."""
    yield from test_services.flushed_redis(cached)


def kept(client, db, path: str) -> str:
    """The page at `path`, asserting a repeated request comes from the store (no statement runs).

    A session's first page that needs a CSRF secret adds it to the session, and such a page is not stored.
    """
    if "csrf_token" not in _session(client):
        client.get(path)
    first = client.get(path)
    assert first.status_code == 200, first.status_code
    with statements(db) as seen:
        second = client.get(path)
    assert seen == [], f"{path} was rendered again: {seen[:3]}"
    assert second.data == first.data
    return second.text


def _session(client) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


def rendered(client, db, path: str) -> str:
    """The page at `path`, asserting it was rendered (it ran statements)."""
    with statements(db) as seen:
        page = client.get(path)
    assert seen, f"{path} came from the store"
    return page.text


def test_a_signed_in_page_comes_back_without_a_query_and_as_rendered(cached, client, login, db):
    course = create_course(title="Simplified cost options")
    lena = login(create_user(name="Lena Learner"))
    enrol(lena, course)
    for path in ("/", "/courses", f"/courses/{course.slug}", f"/courses/{course.slug}/lessons/m1-l1", "/my-learning"):
        page = kept(client, db, path)
        assert "Lena" in page
    again = client.get(f"/courses/{course.slug}")
    assert again.headers["Cache-Control"] == "no-store"  # the security headers still come after the view
    assert "Content-Security-Policy" in again.headers
    assert "Set-Cookie" not in again.headers


def test_my_own_progress_shows_on_the_next_request_and_the_stored_form_still_posts(cached, client, login, db):
    course = create_course(title="Simplified cost options", modules=1, lessons=2)
    lena = login(create_user(name="Lena Learner"))
    enrol(lena, course)
    path = f"/courses/{course.slug}"
    before = kept(client, db, path)
    lesson = kept(client, db, f"{path}/lessons/m1-l1")
    token = lesson.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    done = client.post(f"{path}/lessons/m1-l1/complete", data={"csrf_token": token})
    assert done.status_code in (302, 303)  # the token in the stored page is this session's
    after = rendered(client, db, path)
    assert after != before
    assert "1 of" in after or "50" in after


def test_other_learners_writes_leave_my_pages_stored_but_a_trainer_sees_them(cached, client, login, db):
    tomas = create_user(name="Tomas Trainer", trainer=True)
    course = create_course(title="Simplified cost options", owner=tomas)
    lena, omar = create_user(name="Lena Learner"), create_user(name="Omar Other")
    enrol(lena, course)
    omars = enrol(omar, course)
    login(lena)
    page, workspace = f"/courses/{course.slug}", f"/trainer/courses/{course.slug}"
    kept(client, db, page)
    trainer = cached.test_client()
    login(tomas, on=trainer)
    kept(trainer, db, workspace)
    omars.progress.append(LessonProgress(lesson_key="m1-l1"))  # Omar's own row
    db.session.commit()
    with statements(db) as seen:
        client.get(page)
    assert seen == []  # Lena's page does not show Omar's progress
    rendered(trainer, db, workspace)  # the workspace counts everyone's work


def test_a_notification_for_me_shows_in_the_bell_at_once(cached, client, login, db):
    lena = login(create_user(name="Lena Learner"))
    kept(client, db, "/my-learning")
    notifications.record(
        event="enrolment.confirmed", recipients=[lena], subject_type="course", subject_id=1, data={"course": "SCO"}
    )
    db.session.commit()
    page = rendered(client, db, "/my-learning")
    assert "Notifications: 1 unread" in page


def test_logout_role_change_and_membership_removal_take_effect_on_the_next_request(cached, client, login, db):
    admin = create_user(name="Ada Admin", admin=True)
    lena = login(create_user(name="Lena Learner"))
    community = create_community(name="Audit authorities")
    add_member(community=community, user=lena)
    thread = create_thread(community=community)
    address = f"/c/{community.slug}/t/{thread.id}"
    client.get(address)
    kept(client, db, address)
    membership.remove_member(community=community, user_id=lena.id, actor=admin, reason="Left the programme")
    db.session.commit()
    assert client.get(address).status_code in (403, 404)
    assert "Teach" not in kept(client, db, "/my-learning")
    auth_services.set_role(lena, "trainer", True, actor=admin)
    db.session.commit()
    assert "/trainer/courses" in client.get("/my-learning").text
    kept(client, db, "/my-learning")
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/courses")}).status_code in (302, 303)
    assert client.get("/my-learning").status_code in (302, 303)  # to the login page, not the stored page


def test_two_people_never_get_each_others_pages(cached, client, login, db):
    create_course(title="Simplified cost options")
    login(create_user(name="Lena Learner"))
    kept(client, db, "/courses")
    other = cached.test_client()
    login(create_user(name="Omar Other"), on=other)
    page = other.get("/courses").text
    assert "Omar Other" in page and "Lena Learner" not in page
    # and a second login session of the same person gets pages with its own CSRF secret
    again = cached.test_client()
    login(db.session.merge(create_user(name="Lena Again")), on=again)
    assert "Lena Learner" not in again.get("/courses").text


def test_a_waiting_message_is_shown_not_swallowed(cached, client, login, db):
    login(create_user(name="Lena Learner"))
    kept(client, db, "/my-learning")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Your message reached the secretariat.")]
    assert "Your message reached the secretariat." in client.get("/my-learning").text
    assert "Your message reached the secretariat." not in client.get("/my-learning").text


def test_a_write_whose_owner_is_unknown_renders_everyones_pages_again(cached, client, login, db):
    community = create_community(name="Audit authorities")
    lena = login(create_user(name="Lena Learner"))
    add_member(community=community, user=lena)
    thread = create_thread(community=community)
    kept(client, db, "/my-learning")
    db.session.execute(insert(ThreadRead).values(user_id=lena.id, thread_id=thread.id))  # Core, no owner named
    db.session.commit()
    rendered(client, db, "/my-learning")


def test_reading_a_thread_again_writes_nothing_and_a_new_reply_shows(cached, client, login, db):
    community = create_community(name="Audit authorities")
    lena = login(create_user(name="Lena Learner"))
    add_member(community=community, user=lena)
    thread = create_thread(community=community, title="Flat rates for staff costs")
    address = f"/c/{community.slug}/t/{thread.id}"
    client.get(address)  # the first visit marks the thread read
    kept(client, db, address)  # the second one changed no row: the page stays stored
    create_reply(thread=thread, body="We used 20 % of direct costs.")
    page = rendered(client, db, address)
    assert "We used 20 % of direct costs." in page
    listing = client.get(f"/c/{community.slug}").text
    assert "new" not in listing.split("Flat rates for staff costs", 1)[1][:400].lower()


def test_entries_live_no_longer_than_private_cache_seconds(cached, client, login, db):
    login(create_user(name="Lena Learner"))
    kept(client, db, "/my-learning")
    store = private_cache.store_of(cached)
    assert store.entries
    for entry in store.entries.values():
        assert 30 <= entry.expires - entry.stored_at <= 60
        entry.expires = entry.stored_at  # as if a minute had passed
    rendered(client, db, "/my-learning")


def test_pages_rendered_together_do_not_expire_together(cached, db):
    private_cache.store_of(cached).entries.clear()  # only this test's pages
    learners = [create_user(name=f"Learner {n}") for n in range(12)]
    for learner in learners:
        client = cached.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = auth_services.start_session(learner).token, True
        db.session.commit()
        kept(client, db, "/my-learning")
    lives = {round(entry.expires - entry.stored_at) for entry in private_cache.store_of(cached).entries.values()}
    assert len(lives) > 3 and min(lives) >= 30 and max(lives) <= 60


def test_the_quiz_start_page_and_the_programme_page_are_kept_until_an_attempt_changes_them(cached, client, login, db):
    course = quiz_factories.create_course(title="Simplified cost options")
    quiz = quiz_factories.create_quiz(course, questions=[quiz_factories.create_question(course)], title="Final check")
    programme = create_programme(title="Programme management track", courses=[course])
    lena = login(quiz_factories.create_learner(course, name="Lena Learner"))
    programme_enrolment.enrol(lena, programme)
    db.session.commit()
    quiz_page, programme_page = f"/courses/{course.slug}/quiz/{quiz.id}", f"/programmes/{programme.slug}"
    before = kept(client, db, quiz_page)
    kept(client, db, programme_page)
    quiz_factories.take_attempt(quiz, lena)
    db.session.commit()
    assert rendered(client, db, quiz_page) != before
    rendered(client, db, programme_page)


def test_a_new_course_version_and_a_lesson_edit_show_on_my_stored_pages(cached, client, login, db):
    course = create_course(title="Harmonised tools", modules=1, lessons=1)
    lena = login(create_user(name="Lena Learner"))
    enrol(lena, course)
    slug = course.slug
    assert "Harmonised tools" in kept(client, db, f"/courses/{slug}")
    assert "Part 1.1" in kept(client, db, f"/courses/{slug}/lessons/m1-l1")
    content.update_lesson(
        course, "m1-l1", title="Reading the HIT application form", body="# The new text", minutes=10,
        required=True, outcomes=[],
    )  # fmt: skip
    authoring.update_course(course, title="Harmonised implementation tools")
    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()
    assert "Harmonised implementation tools" in client.get(f"/courses/{slug}").text
    assert "The new text" in client.get(f"/courses/{slug}/lessons/m1-l1").text
    assert "Harmonised implementation tools" in client.get("/my-learning").text


def test_a_revoked_certificate_leaves_my_start_page_at_once(cached, client, login, db):
    lena = login(create_user(name="Lena Learner"))
    certificate = create_certificate(user=lena)
    assert "Your certificates" in kept(client, db, "/")
    certificate_services.revoke(certificate, actor=None, reason="issued_in_error", note="Issued by mistake")
    db.session.commit()
    assert "Your certificates" not in client.get("/").text


def test_with_redis_the_stamps_are_shared_and_redis_away_means_rendered(cached, shared_redis, client, login, db):
    lena = login(create_user(name="Lena Learner"))
    kept(client, db, "/my-learning")
    notifications.record(
        event="enrolment.confirmed", recipients=[lena], subject_type="course", subject_id=1, data={"course": "SCO"}
    )
    db.session.commit()  # the stamp changes in Redis, where every process reads it
    assert "Notifications: 1 unread" in rendered(client, db, "/my-learning")
    kept(client, db, "/my-learning")
    cached.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nobody answers there
    rendered(client, db, "/my-learning")


def test_with_redis_a_page_one_worker_rendered_is_served_by_the_others(cached, shared_redis, client, login, db):
    store = private_cache.store_of(cached)
    try:
        lena = login(create_user(name="Lena Learner"))
        kept(client, db, "/my-learning")
        assert Redis.from_url(shared_redis).keys(private_cache.PAGE_PREFIX + "*")
        store.entries.clear()  # another worker: nothing of its own yet
        kept(client, db, "/my-learning")  # the first request there already comes from Redis
        notifications.record(
            event="enrolment.confirmed", recipients=[lena], subject_type="course", subject_id=1, data={"course": "SCO"}
        )
        db.session.commit()
        store.entries.clear()
        assert "Notifications: 1 unread" in rendered(client, db, "/my-learning")  # Redis's copy is the old key's

        store.shared = False  # PRIVATE_CACHE_SHARED=0: each process keeps its own
        kept(client, db, "/my-learning")
        store.entries.clear()
        rendered(client, db, "/my-learning")
    finally:
        store.shared = True


def test_a_co_owner_removed_loses_the_stored_workspace_at_once(cached, client, login, db):
    tomas, ana = create_user(name="Tomas Trainer", trainer=True), create_user(name="Ana Owner", trainer=True)
    course = create_course(title="Simplified cost options", owners=[tomas, ana])
    workspace = f"/trainer/courses/{course.slug}"
    login(ana)
    kept(client, db, workspace)
    authoring.remove_owner(course, ana.id)
    db.session.commit()
    assert client.get(workspace).status_code in (403, 404)


def test_with_redis_a_worker_whose_copy_expired_takes_the_one_rendered_since(cached, shared_redis, client, login, db):
    # Pages rendered together expire together in every worker; the first worker to render one
    # again puts it in Redis, and the others must take that instead of each rendering it again.
    store = private_cache.store_of(cached)
    store.entries.clear()  # only this test's pages
    login(create_user(name="Lena Learner"))
    kept(client, db, "/my-learning")
    ((key, entry),) = [(k, e) for k, e in store.entries.items() if "/my-learning" in k]
    entry.expires = entry.stored_at  # this worker's own copy is out of date; Redis holds a fresh one
    with statements(db) as seen:
        page = client.get("/my-learning")
    assert seen == [] and page.status_code == 200
    assert store.entries[key].expires > store.entries[key].stored_at  # Redis's copy now kept here
