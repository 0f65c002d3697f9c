"""A new trainer builds a course in a real browser, clicking from the start page only: a course, an
outcome, two modules with lessons (one with an uploaded image and its text alternative, using the
toolbar and the live preview), an untagged Moodle GIFT file whose questions get their outcome in
the import preview, a quiz, a publish refused by its checks (the quiz has no questions yet), fixed
and published, and the course and lesson as a learner will see them. axe-core checks every page
(see harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.harness import LiveServer, Site
from tests.community.factories import png_bytes
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser

TRAINER = "nina.new@example.org"
MOODLE_GIFT = """$CATEGORY: $course$/top/Default for Reporting

::Q1::[html]<p>Who signs the <b>partner report</b>?</p>{=The partner ~The programme ~The auditor}

::Q1::[moodle]Who checks the partner report first?{=The controller ~Nobody ~The lead partner}
"""


@pytest.fixture
def world(live_server: LiveServer) -> None:
    with live_server.app.app_context():
        create_user(email=TRAINER, name="Nina New", trainer=True)
        from academy.extensions import db

        db.session.commit()
        db.session.remove()


def _tab(site: Site, name: str) -> None:
    site.follow(site.page.get_by_role("navigation", name="Course workspace").get_by_role("link", name=name))


def _add_module_with_lesson(site: Site, module: str, lesson: str, body: str) -> None:
    page = site.page
    site.follow(page.get_by_role("link", name="Add module"))
    page.get_by_label("Title").fill(module)
    site.follow(page.get_by_role("button", name="Save module"))
    site.follow(page.get_by_role("link", name=f"Add lesson to {module}"))
    page.get_by_label("Title").fill(lesson)
    page.get_by_label("Lesson text").fill(body)


def test_a_new_trainer_builds_and_publishes_a_course_from_the_start_page(site: Site, world: None, tmp_path: Path):
    page = site.log_in(TRAINER, DEFAULT_PASSWORD)

    # A course: the web address comes from the title.
    site.follow(page.get_by_role("link", name="Create your first course"))
    page.get_by_label("Title").fill("Partner reports")
    expect(page.get_by_label("Web address")).to_have_value("partner-reports")  # follows the title as typed
    page.get_by_label("Summary").fill("How partners report costs and progress.")
    page.get_by_label("Topic").fill("Reporting")
    site.follow(page.get_by_role("button", name="Save course"))

    site.follow(page.get_by_role("link", name="Add outcome"))
    page.get_by_label("What the learner can do").fill("Explain who signs and checks a partner report.")
    site.follow(page.get_by_role("button", name="Save outcome"))

    # A lesson with an uploaded image: the toolbar formats, the preview follows, the text stays.
    _add_module_with_lesson(site, "Reporting basics", "Who reports", "The partner reports.")
    text = page.get_by_label("Lesson text")
    text.press("End")
    text.press("Shift+Home")
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bold (Ctrl+B)").click()
    expect(text).to_have_value("**The partner reports.**")
    preview = page.locator("#lesson-preview")
    expect(preview.locator("strong")).to_have_text("The partner reports.")
    image = tmp_path / "report-flow.png"
    image.write_bytes(png_bytes())
    page.get_by_label("Image or file").set_input_files(image)
    site.follow(page.get_by_role("button", name="Upload and insert"), status=400)  # no text alternative yet
    expect(page.locator("#upload_alt-error")).to_contain_text("Describe the image for people who cannot see it")
    expect(text).to_have_value("**The partner reports.**")
    page.get_by_label("Image or file").set_input_files(image)
    page.get_by_label("Text alternative (required for an image)").fill("The report goes from partner to controller")
    site.follow(page.get_by_role("button", name="Upload and insert"))
    expect(text).to_have_value("**The partner reports.**\n\n![The report goes from partner to controller](upload:1)\n")
    expect(preview.get_by_role("img", name="The report goes from partner to controller")).to_be_visible()
    site.check()
    site.follow(page.get_by_role("button", name="Save lesson"))
    expect(page.locator(".flashes")).to_contain_text("Lesson “Who reports” added.")

    _add_module_with_lesson(site, "Controls", "First-level control", "The controller checks the report.")
    site.follow(page.get_by_role("button", name="Save lesson"))

    # Questions from an untagged Moodle file: one outcome for all of them, chosen in the preview.
    _tab(site, "Assessment")
    site.follow(page.get_by_role("navigation", name="Assessment").get_by_role("link", name="Import GIFT"))
    gift = tmp_path / "moodle-export.gift"
    gift.write_text(MOODLE_GIFT)
    page.get_by_label("GIFT file").set_input_files(gift)
    site.follow(page.get_by_role("button", name="Preview the import"))
    page.get_by_label("Every untagged question").select_option(index=1)
    site.follow(page.get_by_role("button", name="Apply and preview again"))
    site.follow(page.get_by_role("button", name="Import 2 questions"))
    expect(page.get_by_role("link", name="Q1", exact=True)).to_have_count(2)

    # A required quiz, visible to learners.
    site.follow(page.get_by_role("navigation", name="Assessment").get_by_role("link", name="Quizzes"))
    site.follow(page.get_by_role("link", name="New quiz"))
    page.get_by_label("Title", exact=True).fill("Reporting check")
    page.get_by_label("Visible to learners").check()
    site.follow(page.get_by_role("button", name="Save settings"))

    # Publishing checks the course first: a required quiz without questions stops it.
    _tab(site, "Settings")
    expect(page.get_by_text("Quiz “Reporting check” has no questions.").first).to_be_visible()
    site.follow(page.get_by_role("button", name="Publish version 1"))
    expect(page.locator(".flashes")).to_contain_text("Quiz “Reporting check” has no questions.")

    # Fixed: a slot drawing both questions of the outcome.
    _tab(site, "Assessment")
    site.follow(page.get_by_role("navigation", name="Assessment").get_by_role("link", name="Quizzes"))
    site.follow(page.get_by_role("link", name="Questions Reporting check"))
    page.get_by_label("Slot holds").select_option(label="Random questions for a learning outcome")
    page.get_by_label("Learning outcome").select_option(index=1)
    page.get_by_label("How many").fill("2")
    site.follow(page.get_by_role("button", name="Add slot"))

    _tab(site, "Settings")
    site.follow(page.get_by_role("button", name="Publish version 1"))
    expect(page.locator(".flashes")).to_contain_text("Version 1 is published.")

    # The course and the lesson with its image, as a learner will see them.
    _tab(site, "Content")
    site.follow(page.get_by_role("link", name="Preview as a learner"))
    site.follow(page.get_by_role("link", name="Who reports").first)
    expect(page.get_by_role("img", name="The report goes from partner to controller")).to_be_visible()
