"""The signed-in start page in a real browser: every panel passes axe, and Continue works from the keyboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from academy.extensions import db
from academy.programmes.services import seats
from tests.browser.harness import LiveServer, Site
from tests.certificates.factories import create_certificate
from tests.certificates.factories import create_course as create_certified_course
from tests.community.factories import add_member, create_community, create_thread
from tests.courses.factories import create_course, enrol
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.programmes.factories import create_programme, create_session
from tests.programmes.factories import enrol as enrol_in_programme

pytestmark = pytest.mark.browser

LEARNER = "lena.learner@example.org"


@pytest.fixture
def learner_world(live_server: LiveServer) -> str:
    """A learner halfway through a course, in a programme with a session soon, holding a certificate, in a community."""
    with live_server.app.app_context():
        learner = create_user(email=LEARNER, name="Lena Learner")
        course = create_course(slug="jems-in-practice", title="Jems in practice", modules=2, lessons=2)
        enrolment = enrol(learner, course, done=["m1-l1"])
        enrolment.last_lesson_key = "m1-l1"
        programme = create_programme(
            title="Financial management track", courses=[create_certified_course(slug="sco", title="SCO basics")]
        )
        session = create_session(programme=programme, title="Finance day in Brussels", starts_in=timedelta(days=12))
        enrol_in_programme(learner, programme)
        seats.register(learner, session)
        create_certificate(user=learner, course=create_certified_course(slug="brand", title="Interreg brand"))
        icon = create_community(name="ICON")
        add_member(community=icon, user=learner)
        create_thread(community=icon, title="Which logo on a poster?")
        db.session.commit()
    return LEARNER


def test_the_start_page_passes_axe_and_continue_works_by_keyboard(site: Site, learner_world: str):
    page = site.log_in(learner_world, DEFAULT_PASSWORD)  # login lands on the start page, checked by axe
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lena")  # a new account's first session
    for title in ("Continue learning", "Your programmes", "Upcoming sessions", "Your certificates", "Your communities"):
        expect(page.get_by_role("region", name=title)).to_be_visible()
    card = (
        page.get_by_role("region", name="Continue learning").get_by_role("listitem").filter(has_text="Jems in practice")
    )
    expect(card.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "25")

    # Tab from the top of the page to the Continue button, then follow it with Enter.
    button = page.get_by_role("link", name=re.compile(r"^Continue\W+Jems in practice$"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    expect(button).to_be_focused()
    with site.new_page():
        page.keyboard.press("Enter")
    expect(page).to_have_url(site.url("/courses/jems-in-practice/lessons/m1-l2"))
    expect(page.locator("#lesson-title")).to_have_text("Lesson 1.2")


def test_the_empty_start_page_passes_axe(site: Site, live_server: LiveServer):
    with live_server.app.app_context():
        email = create_user(name="Nina Newcomer").email
    page = site.log_in(email, DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Your start page is still empty")).to_be_visible()
    site.follow(page.get_by_role("link", name="Browse the catalogue"))
    expect(page).to_have_url(site.url("/courses"))
