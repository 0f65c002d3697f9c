"""A certificate's life in a real browser: earned by completing a course, checked logged out, revoked.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import LiveServer, Site
from tests.certificates.factories import create_course, create_enrolment
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser

LEARNER = "ana.marin@example.org"
ADMIN = "ada.admin@example.org"


@pytest.fixture
def course_slug(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        learner = create_user(email=LEARNER, name="Ana Marin-Łęcka")
        create_user(email=ADMIN, name="Ada Admin", admin=True)
        course = create_course(title="Simplified cost options in Interreg", slug="sco-basics", lessons=2)
        create_enrolment(user=learner, course=course, done=["lesson-1"])
        return course.slug


def log_out(site: Site) -> None:
    page = site.page
    page.locator("header details.menu > summary").click()
    site.follow(page.get_by_role("button", name="Log out"))


def test_learner_earns_a_certificate_that_anyone_can_verify_until_it_is_revoked(site: Site, course_slug: str):
    page = site.page
    site.log_in(LEARNER, DEFAULT_PASSWORD)

    # The last lesson completes the course; the certificate is issued by the job after the commit.
    site.visit(f"/courses/{course_slug}/lessons/lesson-2")
    site.follow(page.get_by_role("button", name="Mark as complete"))
    # The bell announces the certificate; its page says what happened.
    bell = page.get_by_role("link", name="Notifications: 1 unread")
    expect(bell).to_be_visible()
    site.follow(bell)
    issued = "Your certificate for Simplified cost options in Interreg is ready."
    expect(page.get_by_role("link", name=issued)).to_be_visible()

    site.visit("/certificates")
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    expect(page.get_by_text("Simplified cost options in Interreg").first).to_be_visible()

    download = page.get_by_role("link", name="Download PDF — Simplified cost options in Interreg")
    pdf = page.request.get(site.url(download.get_attribute("href")))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    site.follow(page.get_by_role("link", name="Verification page — Simplified cost options in Interreg"))
    verification_url = page.url
    log_out(site)

    # Anyone, logged out, sees it valid with the holder's name.
    site.visit(verification_url)
    expect(page.get_by_text("is valid")).to_be_visible()
    expect(page.get_by_text("Ana Marin-Łęcka")).to_be_visible()

    # An admin suspends it from the course's certificate list; verifiers see it suspended; lifted again.
    site.log_in(ADMIN, DEFAULT_PASSWORD)
    site.visit(f"/certificates/course/{course_slug}")
    site.follow(page.get_by_role("button", name="Suspend — Ana Marin-Łęcka"))
    expect(page.locator(".flashes")).to_contain_text("is suspended")
    site.visit(verification_url)
    expect(page.get_by_role("heading", name="Suspended")).to_be_visible()
    site.visit(f"/certificates/course/{course_slug}")
    site.follow(page.get_by_role("button", name="Lift suspension — Ana Marin-Łęcka"))
    expect(page.locator(".flashes")).to_contain_text("suspension of Ana Marin-Łęcka's certificate is lifted")

    # The admin revokes it from the same list.
    site.follow(page.get_by_role("link", name="Revoke — Ana Marin-Łęcka"))
    page.get_by_label("Reason").select_option(label="Issued in error")
    site.follow(page.get_by_role("button", name="Revoke the certificate"))
    expect(page.locator(".flashes")).to_contain_text("is revoked")
    log_out(site)

    site.visit(verification_url)
    expect(page.get_by_text("was revoked")).to_be_visible()
    expect(page.get_by_text("Reason: Issued in error.")).to_be_visible()
