"""A course's life in a real browser: a trainer builds and publishes it, a learner studies it to 100 %.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser

TRAINER = "tomas.trainer@example.org"
LEARNER = "lena.learner@example.org"


def flash(page: Page):
    """The flash messages area."""
    return page.locator(".flashes")


def log_out(site: Site) -> None:
    page = site.page
    page.locator("header details.menu > summary").click()
    site.follow(page.get_by_role("button", name="Log out"))


def add_lesson(site: Site, module_title: str, title: str, body: str) -> None:
    page = site.page
    site.follow(page.get_by_role("link", name=f"Add lesson to {module_title}"))
    page.get_by_label("Title").fill(title)
    page.get_by_label("Lesson text").fill(body)
    page.get_by_label("Estimated minutes").fill("8")
    page.get_by_label("LO1 — Find a project's reports in Jems.").check()
    site.follow(page.get_by_role("button", name="Save lesson"))
    expect(flash(page)).to_contain_text(f"Lesson “{title}” added.")


@pytest.fixture
def people(live_server: LiveServer) -> None:
    with live_server.app.app_context():
        create_user(email=TRAINER, name="Tomas Trainer", trainer=True)
        create_user(email=LEARNER, name="Lena Learner")


def test_trainer_builds_and_publishes_a_course_and_a_learner_completes_it(site: Site, people: None):
    page = site.page
    site.log_in(TRAINER, DEFAULT_PASSWORD)

    # A new course; a first attempt with bad credits comes back with the error explained.
    site.visit("/trainer/courses")
    site.follow(page.get_by_role("link", name="New course"))
    page.get_by_label("Web address").fill("jems-reporting")
    page.get_by_label("Title").fill("Reporting in Jems")
    page.get_by_label("Summary").fill("Partner reports, control and project reports in the shared monitoring system.")
    page.get_by_label("Topic").fill("Monitoring")
    page.get_by_label("Level").select_option(label="Intermediate")
    page.get_by_label("Estimated hours").fill("1.5")
    page.get_by_label("Credits (ECTS)").fill("0.3")
    site.follow(page.get_by_role("button", name="Save course"), status=400)
    expect(page.get_by_role("alert")).to_contain_text("Credits go in steps of 0.5.")
    page.get_by_label("Credits (ECTS)").fill("0.5")
    site.follow(page.get_by_role("button", name="Save course"))
    expect(flash(page)).to_contain_text("Course created as a draft.")
    expect(page.get_by_text("Add at least one module.")).to_be_visible()

    # A learning outcome, two modules and one lesson in each.
    site.follow(page.get_by_role("link", name="Add outcome"))
    page.get_by_label("What the learner can do").fill("Find a project's reports in Jems.")
    site.follow(page.get_by_role("button", name="Save outcome"))
    for title in ("Partner reports", "Project reports"):
        site.follow(page.get_by_role("link", name="Add module"))
        page.get_by_label("Title", exact=True).fill(title)
        site.follow(page.get_by_role("button", name="Save module"))

    # The Markdown preview works without JavaScript too: here the server renders it.
    site.follow(page.get_by_role("link", name="Add lesson to Partner reports"))
    page.get_by_label("Title").fill("Writing a partner report")
    page.get_by_label("Lesson text").fill("## Per period\n\nEach partner reports **what it did** and spent.")
    page.get_by_label("LO1 — Find a project's reports in Jems.").check()
    page.get_by_role("button", name="Preview").click()  # the script renders it in place, unsaved
    expect(page.locator("#lesson-preview strong")).to_have_text("what it did")
    site.follow(page.get_by_role("button", name="Save lesson"))
    expect(flash(page)).to_contain_text("Lesson “Writing a partner report” added.")
    add_lesson(site, "Project reports", "From partner to project report", "The lead partner **combines** reports.")

    # Put the second module first and back again with the no-JavaScript buttons.
    site.follow(page.get_by_role("button", name=re.compile(r"^Move up\W+Project reports$")))
    expect(page.get_by_role("heading", level=3).first).to_have_text("Module 1: Project reports")
    site.follow(page.get_by_role("button", name=re.compile(r"^Move down\W+Project reports$")))
    expect(page.get_by_role("heading", level=3).first).to_have_text("Module 1: Partner reports")

    site.follow(page.get_by_role("link", name="Preview as a learner", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting in Jems")
    site.follow(page.get_by_role("link", name="Back to the editor"))
    site.follow(page.get_by_role("navigation", name="Course workspace").get_by_role("link", name="Settings"))
    site.follow(page.get_by_role("button", name="Publish version 1"))
    expect(flash(page)).to_contain_text("Version 1 is published.")
    log_out(site)

    # The learner finds the course, enrols and reads every lesson.
    site.log_in(LEARNER, DEFAULT_PASSWORD)
    site.follow(page.get_by_role("link", name="Catalogue", exact=True))
    page.get_by_role("searchbox", name="Search").fill("jems")
    site.follow(page.get_by_role("button", name="Search"))
    site.follow(page.get_by_role("link", name="Reporting in Jems"))
    site.follow(page.get_by_role("button", name="Enrol in this course"))
    progress = page.get_by_role("progressbar", name="Course progress")
    expect(progress).to_have_attribute("value", "0")

    site.follow(page.get_by_role("link", name="Start the first lesson"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Writing a partner report")
    expect(page.locator(".markdown-text strong")).to_have_text("what it did")
    site.follow(page.get_by_role("button", name="Mark as complete and continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("From partner to project report")
    expect(page.get_by_role("progressbar", name="Course progress")).to_have_attribute("value", "50")
    site.follow(page.get_by_role("button", name="Mark as complete"))
    expect(flash(page)).to_contain_text("You have completed every lesson of this course.")
    expect(page.get_by_role("progressbar", name="Course progress")).to_have_attribute("value", "100")

    site.follow(page.get_by_role("link", name="My learning"))
    expect(page.get_by_role("heading", name="Completed")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "100")


def test_demo_catalogue_pages_are_accessible(site: Site, live_server: LiveServer):
    from academy import demo
    from academy.extensions import db

    with live_server.app.app_context():
        list(demo.seed())
        db.session.commit()
    page = site.page
    site.log_in("learner@academy.example", demo.DEMO_PASSWORD)
    site.visit("/courses")
    site.follow(page.get_by_role("link", name="Jems and electronic monitoring"))
    site.follow(page.get_by_role("button", name="Enrol in this course"))
    # Sequential: the second module is locked and says what unlocks it.
    expect(page.get_by_text("Complete “From eMS to Jems” to unlock this module.")).to_be_visible()
    site.follow(page.get_by_role("link", name="Start the first lesson"))
    site.visit("/courses/jems-joint-electronic-monitoring-system/lessons/calls-and-applications", status=403)
    expect(page.get_by_text("Complete “From eMS to Jems” to unlock this module.")).to_be_visible()
    site.visit("/my-learning")
    site.visit("/courses/simplified-cost-options")
