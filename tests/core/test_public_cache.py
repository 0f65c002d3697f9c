"""The anonymous page cache: stored pages come back without a query, and every change shows on the next request."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from academy.auth import services as auth_services
from academy.certificates import services as certificate_services
from academy.community.services import membership
from academy.core import public_cache
from academy.courses.services import authoring, content, versioning
from academy.db import utcnow
from academy.programmes.services import authoring as programme_authoring
from tests import services as test_services
from tests.certificates.factories import create_certificate
from tests.community.factories import add_member, create_community, create_thread
from tests.conftest import csrf_token
from tests.courses.factories import create_course
from tests.factories import create_user
from tests.programmes.factories import create_programme


@pytest.fixture
def cached(app):
    """The app with the anonymous page cache on, as in production."""
    app.config["PUBLIC_CACHE_SECONDS"] = 60
    app.config["LOGIN_CACHE"] = True
    return app


@contextmanager
def statements(db):
    """Count the SQL statements run inside the block."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def anonymous_get(app, path: str, **headers: str):
    """A request from a visitor without cookies."""
    return app.test_client(use_cookies=False).get(path, headers=headers)


def stored(app, db, path: str) -> str:
    """The anonymous page at `path`, asserting it now comes from the cache (no statement runs)."""
    anonymous_get(app, path)
    with statements(db) as seen:
        page = anonymous_get(app, path)
    assert seen == [], f"{path} was not served from the cache"
    return page.text


def test_a_stored_anonymous_page_comes_back_without_a_query_with_validators(cached, db):
    course = create_course(title="Simplified cost options")
    first = anonymous_get(cached, "/courses")
    with statements(db) as seen:
        second = anonymous_get(cached, "/courses")
    assert second.status_code == 200
    assert second.data == first.data
    assert "Simplified cost options" in second.text
    assert seen == []
    assert "Set-Cookie" not in second.headers
    assert second.headers["Cache-Control"] == "public, max-age=30"
    assert "Cookie" in second.headers["Vary"]
    assert second.headers["ETag"] == first.headers["ETag"]
    again = anonymous_get(cached, "/courses", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    since = anonymous_get(cached, "/courses", **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert anonymous_get(cached, f"/courses/{course.slug}").status_code == 200


def test_the_cached_page_is_the_page_the_app_renders(cached, app, db):
    course = create_course(title="Jems in practice")
    cached_copy = anonymous_get(cached, f"/courses/{course.slug}")
    anonymous_get(cached, f"/courses/{course.slug}")
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    fresh = anonymous_get(app, f"/courses/{course.slug}")
    assert cached_copy.data == fresh.data


def test_a_new_course_version_and_a_lesson_edit_show_at_once(cached, db):
    course = create_course(title="Harmonised tools")
    assert "Harmonised tools" in stored(cached, db, f"/courses/{course.slug}")
    assert "Harmonised tools" in stored(cached, db, "/courses")
    assert "Harmonised tools" in stored(cached, db, "/api/v1/courses")
    lesson_key = course.published_version.modules[0].lessons[0].key
    content.update_lesson(
        course, lesson_key, title="Reading the HIT application form", body="New text.", minutes=10,
        required=True, outcomes=[],
    )  # fmt: skip
    authoring.update_course(course, title="Harmonised implementation tools")
    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()
    page = anonymous_get(cached, f"/courses/{course.slug}").text
    assert "Harmonised implementation tools" in page
    assert "Reading the HIT application form" in page
    assert "Harmonised implementation tools" in anonymous_get(cached, "/courses").text
    assert "Harmonised implementation tools" in anonymous_get(cached, "/api/v1/courses").text


def test_a_revoked_certificate_shows_revoked_on_the_next_request(cached, db):
    certificate = create_certificate(name="Marta Kovač")
    path = f"/verify/{certificate_services.stored_code(certificate)}"
    assert '"state": "valid"' in stored(cached, db, f"{path}.json").replace('":"', '": "')
    assert "Marta Kovač" in stored(cached, db, path)
    html = anonymous_get(cached, path)
    assert html.headers["Cache-Control"] == "no-store"  # verification answers stay out of proxies
    certificate_services.revoke(certificate, actor=None, reason="issued_in_error", note="Issued by mistake")
    db.session.commit()
    assert anonymous_get(cached, f"{path}.json").json["state"] == "revoked"
    assert "revoked" in anonymous_get(cached, path).text.lower()


def test_a_programme_change_shows_at_once(cached, db):
    programme = create_programme(title="Financial management track", courses=[create_course()])
    for path in (f"/programmes/{programme.slug}", "/programmes", "/api/v1/programmes"):
        assert "Financial management track" in stored(cached, db, path)
    programme_authoring.update_programme(
        programme, title="Finance and audit track", summary="New.", credits="2", validity_months=None
    )
    db.session.commit()
    assert "Finance and audit track" in anonymous_get(cached, f"/programmes/{programme.slug}").text
    assert "Finance and audit track" in anonymous_get(cached, "/programmes").text
    assert "Finance and audit track" in anonymous_get(cached, "/api/v1/programmes").text


def test_signed_in_pages_never_come_from_the_anonymous_cache(cached, client, login, db):
    create_course(title="Interreg in brief")
    anonymous = anonymous_get(cached, "/courses")
    stored(cached, db, "/courses")
    lena = login(create_user(name="Lena Learner"))
    page = client.get("/courses")
    assert "Lena Learner" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "ETag" not in page.headers
    assert page.data != anonymous.data
    # and a signed-in rendering is never stored for anyone else
    omar = create_user(name="Omar Other")
    other = cached.test_client()
    login(omar, on=other)
    assert "Omar Other" in other.get("/courses").text
    after = anonymous_get(cached, "/courses").text
    assert "Lena Learner" not in after
    assert "Omar Other" not in after
    assert lena.name not in anonymous_get(cached, "/courses").text


def test_logout_is_immediate_and_the_old_cookie_signs_nobody_in(cached, client, login, db):
    create_course(title="Interreg in brief")
    login(create_user(name="Lena Learner"))
    assert "Lena Learner" in client.get("/courses").text
    stolen = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/courses")}).status_code in (302, 303)
    assert "Lena Learner" not in client.get("/courses").text
    replay = cached.test_client(use_cookies=False).get("/courses", headers={"Cookie": f"session={stolen}"})
    assert "Lena Learner" not in replay.text


def test_a_page_with_a_flashed_message_is_rendered_not_served(cached, client, db):
    create_course(title="Interreg in brief")
    stored(cached, db, "/courses")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Your message reached the secretariat.")]
    assert "Your message reached the secretariat." in client.get("/courses").text


def test_role_change_and_membership_removal_take_effect_on_the_next_request(cached, client, login, db):
    admin = create_user(name="Ada Admin", admin=True)
    tomas = login(create_user(name="Tomas Trainer", trainer=True))
    assert client.get("/trainer/courses").status_code == 200
    auth_services.set_role(tomas, "trainer", False, actor=admin)
    db.session.commit()
    assert client.get("/trainer/courses").status_code == 403
    community = create_community(name="Audit authorities")
    add_member(community=community, user=tomas)
    thread = create_thread(community=community)
    address = f"/c/{community.slug}/t/{thread.id}"
    assert client.get(address).status_code == 200
    membership.remove_member(community=community, user_id=tomas.id, actor=admin, reason="Left the programme")
    db.session.commit()
    assert client.get(address).status_code in (403, 404)


def test_head_requests_get_headers_and_never_store_an_empty_page(cached, db):
    create_course(title="Interreg in brief")
    head = cached.test_client(use_cookies=False).head("/courses")
    assert head.status_code == 200
    assert "Interreg in brief" in stored(cached, db, "/courses")


@pytest.fixture
def redis_cached(cached):
    """The cache shared through Redis (ACADEMY_TEST_REDIS_URL), on a database of its own."""
    for _url in test_services.flushed_redis(cached):
        yield cached


def test_a_page_stored_by_one_process_serves_the_others_and_changes_reach_all(redis_cached, db):
    app = redis_cached
    course = create_course(title="Simplified cost options")
    path = f"/courses/{course.slug}"
    stored(app, db, path)
    public_cache.layer(app).store.entries.clear()  # another worker: nothing in its own memory
    with statements(db) as seen:
        assert "Simplified cost options" in anonymous_get(app, path).text
    assert seen == []
    authoring.update_course(course, title="Simplified costs in practice")
    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()
    assert "Simplified costs in practice" in anonymous_get(app, path).text


def test_a_signed_in_request_checks_its_session_without_a_query_until_something_changes(cached, client, login, db):
    create_course(title="Interreg in brief")
    lena = login(create_user(name="Lena Learner"))
    client.get("/courses")
    with statements(db) as seen:
        assert "Lena Learner" in client.get("/courses").text
    assert not [s for s in seen if "user_sessions" in s]
    admin = create_user(name="Ada Admin", admin=True)
    auth_services.set_role(lena, "trainer", True, actor=admin)
    db.session.commit()
    with statements(db) as seen:
        assert client.get("/trainer/courses").status_code == 200
    assert [s for s in seen if "user_sessions" in s]  # the account changed: read again
    lena.is_active_account = False
    db.session.commit()
    assert "Lena Learner" not in client.get("/courses").text


def test_a_login_elsewhere_keeps_the_stored_pages(cached, client, db):
    create_course(title="Interreg in brief")
    user = create_user(email="marta@example.org")
    stored(cached, db, "/courses")
    user.last_login_at = user.created_at  # what a login writes
    db.session.commit()
    with statements(db) as seen:
        anonymous_get(cached, "/courses")
    assert seen == []


def test_a_stored_verification_lasts_no_longer_than_the_certificate(cached, db):
    cached.config["PUBLIC_CACHE_SECONDS"] = 30 * 24 * 3600
    certificate = create_certificate(name="Jonas Berg")
    certificate.expires_at = utcnow() + timedelta(days=2)
    db.session.commit()
    path = f"/verify/{certificate_services.stored_code(certificate)}.json"
    assert anonymous_get(cached, path).json["state"] == "valid"
    (entry,) = [e for key, e in public_cache.layer(cached).store.entries.items() if path in key]
    assert entry.expires == certificate.expires_at.timestamp()


def test_rows_changed_outside_the_app_show_after_the_data_changed_command(cached, db):
    course = create_course(title="Interreg in brief")
    stored(cached, db, "/courses")
    db.session.execute(db.text("UPDATE course_versions SET title = 'Interreg at a glance'"))  # as psql would
    from academy.core.data_version import _state

    _state.wrote = False  # psql is another process: the app saw nothing
    db.session.commit()
    assert "Interreg in brief" in anonymous_get(cached, "/courses").text
    result = cached.test_cli_runner().invoke(args=["academy", "data-changed"])
    assert result.exit_code == 0
    assert "Interreg at a glance" in anonymous_get(cached, "/courses").text
    assert course.slug in anonymous_get(cached, "/courses").text


def test_with_redis_away_pages_are_rendered_and_changes_show(cached, client, login, db):
    course = create_course(title="Interreg in brief")
    cached.config["REDIS_URL"] = "redis://127.0.0.1:1/13"  # nothing listens there
    assert "Interreg in brief" in anonymous_get(cached, f"/courses/{course.slug}").text
    authoring.update_course(course, title="Interreg at a glance")
    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()  # the version cannot change in Redis: nothing is served from a cache meanwhile
    assert "Interreg at a glance" in anonymous_get(cached, f"/courses/{course.slug}").text
    login(create_user(name="Lena Learner"))
    assert "Lena Learner" in client.get("/courses").text
