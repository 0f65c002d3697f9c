"""The home page: the marketing page for visitors, a personal start page once signed in."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from academy.certificates import services as certificate_services
from academy.certificates.models import RevocationReason
from academy.community.models import MemberStatus, ThreadKind
from academy.community.services import threads as thread_services
from academy.courses.models import Enrolment, EnrolmentStatus, LessonProgress
from academy.db import utcnow
from academy.extensions import db
from academy.programmes.services import seats as seat_services
from tests.certificates.factories import create_certificate
from tests.certificates.factories import create_course as _certified_course
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread
from tests.courses.factories import create_course, enrol
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_session
from tests.programmes.factories import enrol as enrol_in_programme

# The login session with its user (1), the layout's badge and bell (2), then a fixed set per panel:
# courses (enrolments with courses and versions, progress rows: 2, the outlines coming from the per-worker
# cache of published versions, courses/services/outlines.py; quizzes and certificates of those courses, for
# progress over every requirement: 2), programmes (enrolments, programmes, parts, sessions, course
# percentages (2), course certificates, registrations, waiting-list places: 9), upcoming sessions (1),
# certificates (the latest with the count beside it: 1), communities (1, grouped) and the requests waiting
# in the communities one is a contact person of (1). Was 24 before the outline cache (-3) and the one-query
# certificate summary (-1).
HOME_QUERIES = 20


_seq = itertools.count(1)


def create_certified_course(**kwargs):
    """A course from the certificates factories, with a slug of its own (the course factories count apart)."""
    return _certified_course(slug=f"certified-{next(_seq)}", **kwargs)


def _section(html: str, title: str) -> str:
    """The start page section whose heading is `title` (empty when there is none)."""
    match = re.search(
        rf'<section[^>]*>\s*<div class="home-panel__head">\s*<h2[^>]*>{re.escape(title)}</h2>.*?</section>', html, re.S
    )
    return match.group(0) if match else ""


# ---------------------------------------------------------------------------- visitors and newcomers


def test_a_visitor_sees_the_marketing_page_unchanged(client):
    html = client.get("/").get_data(as_text=True)
    assert '<section class="hero" aria-labelledby="hero-title">' in html
    assert "Learn to run cooperation programmes well, and prove it." in html
    assert 'href="/register">Create a free account' in html
    assert "What the Academy offers" in html and 'id="accessibility"' in html
    assert "Welcome back" not in html


def test_a_new_learner_sees_a_greeting_and_where_to_start(client, learner):
    html = client.get("/").get_data(as_text=True)
    assert "<h1>Welcome, Lena</h1>" in html  # the account's first session: not "Welcome back"
    assert "Learn to run cooperation programmes well" not in html
    assert "Your start page is still empty" in html
    assert 'href="/courses">Browse the catalogue' in html
    assert 'href="/programmes">See the training programmes' in html
    assert 'class="home-panels"' not in html


# ---------------------------------------------------------------------------- continue learning


def test_a_course_in_progress_shows_its_percent_and_where_to_continue(client, learner):
    course = create_course(title="Jems in practice", modules=2, lessons=2)
    enrolment = enrol(learner, course, done=["m1-l1"])
    enrolment.last_lesson_key = "m1-l1"
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    panel = _section(html, "Continue learning")
    assert "Jems in practice" in panel
    assert 'value="25" aria-label="Progress"' in panel
    assert (
        f'href="/courses/{course.slug}/lessons/m1-l2">Continue<span class="visually-hidden">: Jems in practice' in panel
    )
    assert "Next up: Lesson 1.2" in panel
    assert 'href="/my-learning">All my learning' in panel
    assert "Your start page is still empty" not in html


def test_completed_and_left_courses_are_not_in_continue_learning(client, learner):
    enrol(learner, create_course(title="Brand basics", modules=1, lessons=1), done=["m1-l1"])
    enrol(learner, create_course(title="Old course"), status=EnrolmentStatus.LEFT)
    enrol(learner, create_course(title="Jems in practice"))
    html = client.get("/").get_data(as_text=True)
    panel = _section(html, "Continue learning")
    assert "Jems in practice" in panel and ">Start<" in panel  # nothing read yet: start it
    assert "Brand basics" not in html and "Old course" not in html


def test_only_completed_courses_leave_the_page_empty(client, learner):
    enrol(learner, create_course(title="Brand basics", modules=1, lessons=1), done=["m1-l1"])
    html = client.get("/").get_data(as_text=True)
    assert "Continue learning" not in html and "Your start page is still empty" in html


def test_continue_learning_shows_the_three_most_recently_active_courses(client, learner):
    now = utcnow()
    for days, title in ((3, "Third"), (1, "First"), (9, "Fourth"), (2, "Second")):
        enrolment = enrol(learner, create_course(title=title), done=["m1-l1"])
        enrolment.last_activity_at = now - timedelta(days=days)
    db.session.commit()
    panel = _section(client.get("/").get_data(as_text=True), "Continue learning")
    assert panel.index("First") < panel.index("Second") < panel.index("Third")
    assert "Fourth" not in panel
    assert "and 1 more course in progress" in panel


# ---------------------------------------------------------------------------- programmes and sessions


def test_a_programme_shows_its_percent_and_what_is_left_and_the_upcoming_session(client, learner):
    course = create_certified_course(title="Simplified cost options", lessons=2)
    programme = create_programme(title="Financial management track", courses=[course])
    soon = create_session(programme=programme, title="Finance day in Brussels", starts_in=timedelta(days=20))
    later = create_session(programme=programme, title="Closure clinic", starts_in=timedelta(days=90))
    enrol_in_programme(learner, programme)
    seat_services.register(learner, soon)
    seat_services.register(learner, later)
    db.session.commit()
    # Half of the course read: the course part counts 50, the two sessions 0 -> 16 %.
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id, course_id=course.id))
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key="lesson-1"))
    db.session.commit()

    html = client.get("/").get_data(as_text=True)
    programmes = _section(html, "Your programmes")
    assert f'href="/programmes/{programme.slug}">Financial management track' in programmes
    assert 'value="16" aria-label="Progress in Financial management track"' in programmes
    assert "3 required parts left" in programmes

    upcoming = _section(html, "Upcoming sessions")
    local = soon.starts_at.astimezone(ZoneInfo("Europe/Vienna"))
    assert f'href="/programmes/{programme.slug}#session-{soon.id}">Finance day in Brussels' in upcoming
    assert local.strftime("%H:%M") in upcoming and "(Europe/Vienna)" in upcoming
    assert "Interact Office Vienna" in upcoming and "Registered" in upcoming
    assert "Closure clinic" not in upcoming  # more than 60 days ahead


def test_a_cancelled_registration_and_a_completed_programme_are_not_shown(client, learner):
    programme = create_programme(title="Communication track", courses=[create_certified_course()])
    session = create_session(programme=programme, title="Branding workshop", online=True)
    enrol_in_programme(learner, programme)
    seat_services.register(learner, session)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Live online" in _section(html, "Upcoming sessions")
    seat_services.cancel(learner, session)
    row = programme_enrolment(learner, programme)
    row.completed_at = utcnow()
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Branding workshop" not in html and "Communication track" not in html


def programme_enrolment(user, programme):
    from academy.programmes.services.enrolment import enrolment_of

    return enrolment_of(user, programme)


# ---------------------------------------------------------------------------- certificates


def test_the_certificates_panel_counts_valid_certificates_and_links_the_latest(client, learner):
    create_certificate(user=learner, course=create_certified_course(title="Interreg basics"))
    revoked = create_certificate(user=learner, course=create_certified_course(title="Withdrawn course"))
    certificate_services.revoke(revoked, actor=None, reason=RevocationReason.COURSE_WITHDRAWN)
    latest = create_certificate(user=learner, course=create_certified_course(title="Jems reporting"))
    latest.issued_at = utcnow() + timedelta(seconds=5)
    db.session.commit()
    panel = _section(client.get("/").get_data(as_text=True), "Your certificates")
    assert '<span class="home-stat__number">2</span> valid certificates' in panel
    assert f'href="/certificates/{latest.id}">Jems reporting' in panel
    assert 'href="/certificates">All my certificates' in panel
    assert "Withdrawn course" not in panel


# ---------------------------------------------------------------------------- communities


def test_communities_show_their_unanswered_questions_and_never_a_stranger_community(client, learner):
    icon = create_community(name="ICON")
    add_member(community=icon, user=learner)
    open_question = create_thread(community=icon, title="Which logo on a poster?")
    create_thread(community=icon, title="Still open?")
    answered = create_thread(community=icon, title="Solved")
    reply = create_reply(thread=answered)
    thread_services.accept_answer(post=reply, actor=contact_of(icon))
    create_thread(community=icon, kind=ThreadKind.DISCUSSION, title="Chat")
    open_question.hidden_at = utcnow()  # hidden by a moderator: not counted
    finance = create_community(name="Finance")
    add_member(community=finance, user=learner)
    pending = create_community(name="Secret controllers")
    add_member(community=pending, user=learner, status=MemberStatus.PENDING)
    left = create_community(name="Former home")
    add_member(community=left, user=learner, status=MemberStatus.LEFT)
    create_thread(community=create_community(name="Auditors only"))
    db.session.commit()

    html = client.get("/").get_data(as_text=True)
    panel = _section(html, "Your communities")
    assert f'href="/c/{icon.slug}">ICON' in panel
    assert (
        f'href="/c/{icon.slug}?filter=unanswered">1 unanswered question<span class="visually-hidden"> in ICON' in panel
    )
    assert f'href="/c/{finance.slug}">Finance' in panel and "No unanswered questions" in panel
    for stranger in ("Secret controllers", "Former home", "Auditors only"):
        assert stranger not in html


# ---------------------------------------------------------------------------- queries


def _learner_with(n: int):
    user = create_user(name=f"Learner with {n}")
    for i in range(n):
        enrol(user, create_course(title=f"Course {n}-{i}", modules=3), done=["m1-l1"])
        programme = create_programme(courses=[create_certified_course()])
        session = create_session(programme=programme, starts_in=timedelta(days=10 + i))
        enrol_in_programme(user, programme)
        seat_services.register(user, session)
        create_certificate(user=user, course=create_certified_course())
        community = create_community()
        add_member(community=community, user=user)
        create_thread(community=community)
    db.session.commit()
    return user


def test_the_start_page_queries_do_not_grow(client, login, count_queries):
    counts = []
    for n in (1, 5):
        login(_learner_with(n))
        client.get("/")
        with count_queries() as queries:
            html = client.get("/").get_data(as_text=True)
        for title in (
            "Continue learning",
            "Your programmes",
            "Upcoming sessions",
            "Your certificates",
            "Your communities",
        ):
            assert _section(html, title), title
        counts.append(queries)
    few, many = counts
    assert few.count == many.count == HOME_QUERIES, many.statements


def test_a_returning_learner_is_welcomed_back(client, login):
    from datetime import timedelta

    from academy.db import utcnow
    from academy.extensions import db
    from tests.factories import create_user

    user = create_user(name="Lena Learner")
    user.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    login(user)
    assert "<h1>Welcome back, Lena</h1>" in client.get("/").get_data(as_text=True)
