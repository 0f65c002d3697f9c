"""A trainer gives a learner 50% extra time on a timed quiz from the workspace; the learner sees it and gets it.

Every page is checked with axe-core and for console errors and CSP violations (see harness.py); the
learner's pages also for reflow at 320 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from academy.extensions import db
from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz

pytestmark = pytest.mark.browser


def test_a_trainer_grants_extra_time_and_the_learner_has_it(site: Site, live_server: LiveServer):
    with live_server.app.app_context():
        trainer = create_user(email="tina@example.org", name="Tina Trainer", trainer=True)
        course = create_course(title="Reporting in Interreg projects", owners=(trainer,))
        quiz = create_quiz(course, questions=[create_question(course)], title="Final check", time_limit_minutes=30)
        create_learner(course, email="asha@example.org", name="Asha Learner")
        create_learner(course, email="ben@example.org", name="Ben Learner")
        slug, quiz_id = course.slug, quiz.id
        db.session.remove()

    page = site.log_in("tina@example.org", DEFAULT_PASSWORD)
    site.visit(f"/teach/{slug}/quizzes")
    site.follow(page.get_by_role("link", name="Time accommodations Final check"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Time accommodations")
    page.get_by_label("Learner", exact=True).select_option(label="Asha Learner (asha@example.org)")
    page.get_by_label("Extra time as a percentage of the time limit").check()
    page.get_by_label("Extra time (per cent or minutes)").fill("50")
    site.follow(page.get_by_role("button", name="Save the accommodation"))
    expect(page.get_by_text("Asha Learner now has: 50% extra time.")).to_be_visible()
    row = page.get_by_role("row", name="Asha Learner")
    expect(row).to_contain_text("45 minutes")
    expect(page.get_by_role("region", name="History")).to_contain_text(
        "Tina Trainer granted Asha Learner: 50% extra time"
    )
    page.locator("header details.menu > summary").click()  # the account menu
    site.follow(page.get_by_role("button", name="Log out"))

    page.set_viewport_size({"width": 320, "height": 720})
    site.reflow_width = 320
    site.log_in("asha@example.org", DEFAULT_PASSWORD)
    site.visit(f"/courses/{slug}/quiz/{quiz_id}")
    expect(page.get_by_text("45 minutes for you")).to_be_visible()
    expect(page.get_by_text("Your trainer granted you an accommodation: 50% extra time")).to_be_visible()
    site.follow(page.get_by_role("button", name="Start attempt 1"))
    expect(page.locator(".deadline")).to_contain_text("Submit by")
