"""The outline cache (courses/services/outlines.py): same pages with and without it, and every change shows."""

from __future__ import annotations

import re

from academy.auth.models import User
from academy.community.models import MemberStatus
from academy.courses.models import VersionStatus
from academy.courses.services import content, outlines, versioning
from academy.extensions import db
from tests.community.factories import add_member, create_community, create_thread
from tests.courses.factories import create_course, enrol
from tests.factories import create_user

# Signed tokens (CSRF) differ on every request; nothing else may.
_VOLATILE = [re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}"), re.compile(r'nonce="[^"]*"')]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    for pattern in _VOLATILE:
        html = pattern.sub("", html)
    return html


def _course_with_prerequisites():
    course = create_course(modules=3, lessons=2, outcomes=3)
    version = course.published_version
    first, _second, third = version.modules
    third.prerequisites.append(first)  # module 3 opens after module 1
    version.modules[0].lessons[1].required = False
    version.modules[1].lessons[0].outcomes.append(version.outcomes[2])
    db.session.commit()
    return course


def test_rows_read_by_the_cache_match_the_orm_graph(app):
    course = _course_with_prerequisites()
    version = course.published_version
    from_rows = outlines.load([version.id])[version.id]
    from_orm = outlines.from_orm(version)
    # Frozen lessons render their body through lesson_html: everything else is the same data.
    stripped = tuple(
        m.__class__(**{**{f: getattr(m, f) for f in m.__slots__}, "lessons": tuple(
            lesson.__class__(**{**{f: getattr(lesson, f) for f in lesson.__slots__}, "body": None})
            for lesson in m.lessons
        )})
        for m in from_orm.modules
    )  # fmt: skip
    assert from_rows.outcomes == from_orm.outcomes
    assert from_rows.modules == stripped
    assert from_rows.modules[2].prerequisite_ids == (version.modules[0].id,)
    assert [o.code for o in from_rows.modules[1].lessons[0].outcomes] == ["LO1", "LO3"]


def test_pages_are_the_same_with_and_without_the_cache(client, learner):
    course = _course_with_prerequisites()
    enrol(learner, course, done=["m2-l2"])  # module 1 unfinished: module 3 stays locked
    urls = [
        f"/courses/{course.slug}",
        f"/courses/{course.slug}/lessons/m1-l1",
        f"/courses/{course.slug}/lessons/m2-l1",
        "/my-learning",
        "/",
    ]
    outlines.clear()
    cold = {url: _page(client, url) for url in urls}
    warm = {url: _page(client, url) for url in urls}
    for url in urls:
        assert warm[url] == cold[url], url
    assert "Some <strong>text</strong> for lesson 1.1." in warm[urls[1]]
    assert "Opens after" not in warm[urls[0]]  # enrolled: the lock note instead
    assert "Complete “Module 1”" in warm[urls[0]]


def test_anonymous_course_page_is_the_same_with_and_without_the_cache(client):
    course = _course_with_prerequisites()
    outlines.clear()
    cold = _page(client, f"/courses/{course.slug}")
    assert _page(client, f"/courses/{course.slug}") == cold
    assert "Opens after: Module 1" in cold


def test_a_new_version_and_a_lesson_edit_show_on_the_next_request(client, learner):
    course = create_course(modules=2, lessons=2)
    enrol(learner, course, done=["m1-l1"])
    course_url, lesson_url = f"/courses/{course.slug}", f"/courses/{course.slug}/lessons/m1-l2"
    assert "Lesson 1.2" in _page(client, course_url)
    assert "Some <strong>text</strong> for lesson 1.2." in _page(client, lesson_url)
    assert "Lesson 1.2" in _page(client, "/my-learning")  # "Next up": every page has the outline now

    content.update_lesson(
        course, "m1-l2", title="Reporting irregularities", body="Call the *audit authority*.",
        minutes=15, required=True, outcomes=["lo1"],
    )  # fmt: skip
    content.update_outcome(course, "lo2", code="LO2", text="Report an irregularity.", threshold=80)
    db.session.commit()
    # A draft is not what learners see: the published version, kept or not, is unchanged.
    assert "Reporting irregularities" not in _page(client, course_url)
    assert "Some <strong>text</strong> for lesson 1.2." in _page(client, lesson_url)
    preview = _page_as_owner(client, course, f"/trainer/courses/{course.slug}/preview/lessons/m1-l2")
    assert "Call the <em>audit authority</em>." in preview  # the draft's preview reads the draft

    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()
    page = _page(client, course_url)
    assert "Reporting irregularities" in page and "Lesson 1.2" not in page
    assert "Report an irregularity." in page and "mastery threshold 80%" in page
    lesson = _page(client, lesson_url)
    assert "Call the <em>audit authority</em>." in lesson and "lesson 1.2" not in lesson
    assert "Reporting irregularities" in _page(client, "/my-learning")


def _page_as_owner(client, course, url: str) -> str:
    """Fetch `url` as the course's owner on a second client (the learner's stays signed in)."""
    from academy.auth import services as auth_services

    owner = course.owners[0]
    other = client.application.test_client()
    token = auth_services.start_session(owner).token
    db.session.commit()
    with other.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = token, True
    return _page(other, url)


def test_a_new_module_published_changes_the_locks_and_counts(client, learner):
    course = create_course(modules=1, lessons=2, sequential=True)
    enrol(learner, course, done=["m1-l1", "m1-l2"])
    assert "2 of 2 required lessons done" in _page(client, f"/courses/{course.slug}")
    module = content.add_module(course, title="Closure", summary="Closing the programme.")
    content.add_lesson(course, module.key, title="Final report", body="Write it.", minutes=5)
    versioning.publish(course, warnings_confirmed=True)
    db.session.commit()
    assert course.published_version.status == VersionStatus.PUBLISHED
    page = _page(client, f"/courses/{course.slug}")
    assert "2 of 3 required lessons done" in page and "Final report" in page


def test_a_role_change_takes_effect_on_the_next_request(client, login):
    trainer = login(create_user(name="Tara Trainer", trainer=True))
    course = create_course(owner=trainer)
    assert client.get(f"/trainer/courses/{course.slug}").status_code == 200
    user = db.session.get(User, trainer.id)
    user.is_trainer = False
    db.session.commit()
    assert client.get(f"/trainer/courses/{course.slug}").status_code in (403, 404)


def test_losing_a_course_ownership_takes_effect_on_the_next_request(client, login):
    owner, other = create_user(trainer=True), create_user(trainer=True)
    course = create_course(owners=[owner, other])
    login(other)
    assert client.get(f"/trainer/courses/{course.slug}").status_code == 200
    course.owners = [owner]
    db.session.commit()
    assert client.get(f"/trainer/courses/{course.slug}").status_code in (403, 404)


def test_a_membership_removal_takes_effect_on_the_next_request(client, login):
    community = create_community()
    member = create_user(name="Mira Member")
    add_member(community=community, user=member)
    thread = create_thread(community=community)
    login(member)
    url = f"/c/{community.slug}/t/{thread.id}"
    assert client.get(url).status_code == 200
    membership = next(m for m in community.memberships if m.user_id == member.id)
    membership.status = MemberStatus.REMOVED
    db.session.commit()
    assert client.get(url).status_code in (403, 404)


def test_a_fresh_worker_takes_the_outline_from_redis(app, client, learner, count_queries):
    import redis

    from tests import services as test_services

    url = test_services.redis_url(default="redis://127.0.0.1:6379/8")
    if url is None:
        test_services.skip_or_fail("Redis is not reachable (ACADEMY_TEST_REDIS_URL or database 8 on 127.0.0.1)")
    redis.Redis.from_url(url).flushdb()
    course = create_course(modules=3, lessons=2)
    enrol(learner, course, done=["m1-l1"])
    page_url = f"/courses/{course.slug}"
    client.get(page_url)  # the session's first request
    outlines.clear()
    with count_queries() as cold:
        reference = _page(client, page_url)  # from the database, into this process and Redis
    app.config["REDIS_URL"] = url
    try:
        outlines.clear()
        with count_queries() as database:
            assert _page(client, page_url) == reference  # written to Redis on the way
        outlines.clear()  # another worker: nothing in its memory, the outline in Redis
        with count_queries() as shared:
            assert _page(client, page_url) == reference
    finally:
        app.config["REDIS_URL"] = None
        redis.Redis.from_url(url).flushdb()
    assert database.count == cold.count
    assert shared.count < cold.count
