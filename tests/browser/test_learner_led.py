"""A learner led from registration to a certificate by the primary action of each page, on a 320 px screen.

Every page is checked with axe-core, for console errors and CSP violations, and for reflow: at 320 CSS
px no page may scroll sideways (WCAG 1.4.10); wide tables scroll inside their own box.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, Site

pytestmark = pytest.mark.browser

NAME = "Zuzana Dvořáková-Łęcka"
EMAIL = "zuzana.dvorakova@example.org"
PASSWORD = "seven quiet lanterns over Tallinn"
WIDE_TABLE = (
    "| Cost category | Flat rate | Basis | Who checks it | Where it is reported in Jems |\n"
    "|---|---|---|---|---|\n"
    "| Office and administration | 15 % | eligible direct staff costs | the controller of each partner | "
    "the partner report, section on office and administration costs |\n"
)


@pytest.fixture
def course_slug(live_server: LiveServer) -> str:
    from academy.quizzes.models import QuestionType
    from academy.quizzes.services import bank
    from academy.quizzes.spec import QuestionSpec
    from tests.courses.factories import create_course
    from tests.quizzes.factories import DATA, create_quiz

    with live_server.app.app_context():
        from academy.extensions import db

        course = create_course(
            title="Simplified cost options in Interreg", slug="sco-basics", modules=2, lessons=1, sequential=True,
            outcomes=1,
        )  # fmt: skip
        lesson = course.published_version.modules[0].lessons[0]
        lesson.body = "## Flat rates\n\nA flat rate replaces receipts.\n\n" + WIDE_TABLE
        spec = QuestionSpec(
            type=QuestionType.SINGLE, title="Who reports", text="Who submits the progress report?", data=DATA["single"]
        )
        question = bank.create_question(course, spec, ["lo1"])  # the courses factory's outcome key
        db.session.commit()
        create_quiz(course, questions=[question], title="Final assessment", pass_mark=100)
        return course.slug


def _register(site: Site, live_server: LiveServer) -> Page:
    page = site.visit("/")
    site.follow(page.get_by_role("link", name="Create account"))
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Organisation").fill("Joint Secretariat Interreg Česko–Österreich")
    page.get_by_label("Country").select_option(label="Czechia")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    site.follow(page.get_by_role("button", name="Create account"))
    mail = live_server.last_mail(to=EMAIL, subject="Confirm your Interreg Academy account")
    link = re.search(r"^(http\S+/register/confirm/\S+)$", live_server.text_of(mail), re.MULTILINE)
    assert link
    site.visit(link.group(1))
    site.follow(page.get_by_role("button", name="Create my account"))
    return page


def test_a_new_learner_follows_the_primary_action_to_a_certificate(
    site: Site, page: Page, live_server: LiveServer, course_slug: str
):
    page.set_viewport_size({"width": 320, "height": 720})
    site.reflow_width = 320
    _register(site, live_server)

    # From the start page to the course, and in.
    menu = page.get_by_role("navigation", name="Main")
    site.follow(menu.get_by_role("link", name="Catalogue"))
    site.follow(page.get_by_role("link", name="Simplified cost options in Interreg"))
    enrol = page.get_by_role("button", name="Enrol in this course")
    assert enrol.bounding_box()["y"] < page.get_by_role("heading", name="Modules and lessons").bounding_box()["y"]
    site.follow(enrol)
    site.follow(page.get_by_role("link", name="Start the first lesson"))

    # The lesson comes before its outline; its wide table scrolls in its own box.
    expect(page.locator("#lesson-title")).to_have_text("Lesson 1.1")
    box = page.get_by_role("region", name="Table (scrolls sideways)")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    # The last lesson of module 1 carries on into module 2, which it unlocks.
    site.follow(page.get_by_role("button", name="Mark as complete and continue"))
    expect(page.locator("#lesson-title")).to_have_text("Lesson 2.1")
    site.follow(page.get_by_role("button", name="Mark as complete"))

    # Every lesson is read: the course page's primary action is the final assessment.
    expect(page.locator(".flashes")).to_contain_text("You have completed every lesson")
    site.follow(page.get_by_role("link", name="Take the assessment “Final assessment”"))
    site.follow(page.get_by_role("button", name="Start attempt 1"))
    page.get_by_label("The lead partner").check()
    site.follow(page.get_by_role("button", name="Save and finish"))
    site.follow(page.get_by_role("button", name="Submit and see the result"))

    # The result that completes the course says where the certificate is, and leads there.
    expect(page.get_by_role("heading", name="You have completed the course")).to_be_visible()
    certificate_link = page.get_by_role("link", name=re.compile("See your certificate|Go to My certificates"))
    site.follow(certificate_link)
    if page.get_by_role("heading", level=1, name="My certificates").count():
        site.follow(page.get_by_role("link", name="Share and privacy — Simplified cost options in Interreg"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Simplified cost options in Interreg")
    expect(page.get_by_label("Verification link")).to_be_visible()

    # My learning lists the course as completed, with its certificate.
    site.follow(menu.get_by_role("link", name="My learning"))
    completed = page.locator('section[aria-labelledby="completed-title"]')
    link = completed.get_by_role("link", name=re.compile(r"^See your certificate"))
    expect(link).to_contain_text("Simplified cost options in Interreg")
    site.follow(link)
    expect(page.get_by_label("Verification link")).to_be_visible()
