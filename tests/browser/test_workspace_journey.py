"""The trainer's workspace in a real browser, clicking from the start page only: preview a quiz, a
publish refused for a quiz that cannot start, fixed and published; then the Learners tab, grading an
essay, item analysis and revoking a certificate. axe-core checks every page (see harness.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from academy.certificates import services as certificate_services
from academy.courses.models import Course
from academy.extensions import db
from academy.quizzes.models import Question, QuestionType
from academy.quizzes.services import bank
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.spec import QuestionSpec
from tests.browser.harness import LiveServer, Site
from tests.certificates.factories import complete_lessons, create_enrolment
from tests.courses.factories import create_course
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.quizzes.factories import DATA, create_quiz, take_attempt

pytestmark = pytest.mark.browser

TRAINER = "tina.trainer@example.org"


def _question(course: Course, qtype: QuestionType, title: str) -> Question:
    spec = QuestionSpec(type=qtype, title=title, text=f"{title}?", data=DATA[qtype.value])
    return bank.create_question(course, spec, ["lo1"])


@pytest.fixture
def world(live_server: LiveServer) -> None:
    with live_server.app.app_context():
        trainer = create_user(email=TRAINER, name="Tina Trainer", trainer=True)
        # A draft whose required quiz asks for three questions of LO1 from a bank holding one.
        draft = create_course(
            owner=trainer, title="Reporting in Jems", modules=2, lessons=1, outcomes=1, published=False
        )
        _question(draft, QuestionType.SINGLE, "Who reports")
        quiz = quiz_services.create_quiz(draft, title="Final check", published=True, shuffle_answers=False)
        quiz_services.add_slot(quiz, "outcome", outcome_key="lo1", count=3)
        # A published course with a learner who finished it, wrote an essay and holds a certificate.
        live = create_course(owner=trainer, title="Simplified cost options", modules=1, lessons=1, outcomes=1)
        essay = create_quiz(live, questions=[_question(live, QuestionType.ESSAY, "Why SCOs")], title="SCO essay")
        learner = create_user(name="Lena Learner")
        enrolment = create_enrolment(user=learner, course=live, commit=False)
        complete_lessons(enrolment, commit=False)
        certificate_services.issue_for_enrolment(enrolment, force=True)
        db.session.commit()
        take_attempt(essay, learner, {1: "They cut the paperwork of partners."})
        db.session.remove()


def _tab(site: Site, name: str) -> None:
    site.follow(site.page.get_by_role("navigation", name="Course workspace").get_by_role("link", name=name))


def test_trainer_publishes_safely_and_follows_learners_from_the_start_page(site: Site, world: None):
    page = site.log_in(TRAINER, DEFAULT_PASSWORD)

    # The start page counts what waits, linking into the workspace.
    expect(page.get_by_role("link", name="Simplified cost options: 1 essay to grade")).to_be_visible()
    expect(page.get_by_role("link", name="Reporting in Jems: 1 quiz learners cannot start")).to_be_visible()
    site.follow(page.get_by_role("link", name="Reporting in Jems", exact=True))
    expect(page.get_by_text("Quiz “Final check”, slot 1 asks for 3 questions")).to_be_visible()

    # Preview the quiz: it says why learners could not start it.
    _tab(site, "Assessment")
    site.follow(page.get_by_role("navigation", name="Assessment").get_by_role("link", name="Quizzes"))
    site.follow(page.get_by_role("link", name="Preview Final check"))
    expect(page.get_by_text("Learners could not start this quiz:")).to_be_visible()

    # Publishing is refused, with the reason.
    _tab(site, "Settings")
    site.follow(page.get_by_role("button", name="Publish version 1"))
    expect(page.locator(".flashes")).to_contain_text("slot 1 asks for 3 questions but the bank holds 1 that fit")

    # Fixed: the random slot makes way for the one question, which the preview then grades.
    _tab(site, "Assessment")
    site.follow(page.get_by_role("navigation", name="Assessment").get_by_role("link", name="Quizzes"))
    site.follow(page.get_by_role("link", name="Questions Final check"))
    # Removing asks first, in a dialog (a page of its own without JavaScript).
    page.get_by_role("button", name="Remove slot 1").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove slot 1 from the quiz?")
    site.check()
    site.follow(dialog.get_by_role("button", name="Remove the slot"))
    page.get_by_label("Slot holds").select_option(label="A fixed question")
    page.get_by_label("Question", exact=True).select_option(index=1)
    site.follow(page.get_by_role("button", name="Add slot"))
    site.follow(page.get_by_role("link", name="Preview as a learner"))
    page.get_by_label("The lead partner").check()
    site.follow(page.get_by_role("button", name="Grade my answers"))
    expect(page.get_by_role("heading", name="Score: 1 of 1 points (100%)")).to_be_visible()

    _tab(site, "Settings")
    site.follow(page.get_by_role("button", name="Publish version 1"))
    expect(page.locator(".flashes")).to_contain_text("Version 1 is published.")

    # Back to the start page, then the other course: learners, grading, analysis, certificates.
    site.follow(page.get_by_role("link", name="Courses you teach"))
    site.follow(page.get_by_role("link", name="Simplified cost options", exact=True))
    _tab(site, "Learners")
    row = page.get_by_role("row", name="Lena Learner")
    expect(row).to_contain_text("100%")
    _tab(site, "Grading")
    page.get_by_label("Points (0 to 1)").fill("5")
    page.get_by_label("Comment for the learner").fill("Clear and to the point.")
    site.follow(page.get_by_role("button", name="Save grade"), status=400)
    expect(page.get_by_label("Comment for the learner")).to_have_value("Clear and to the point.")
    page.get_by_label("Points (0 to 1)").fill("1")
    site.follow(page.get_by_role("button", name="Save grade"))
    expect(page.get_by_text("Nothing waits for grading.")).to_be_visible()
    _tab(site, "Analytics")
    site.follow(page.get_by_role("link", name="SCO essay"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Item analysis")
    _tab(site, "Certificates")
    site.follow(page.get_by_role("link", name="Revoke — Lena Learner"))
    page.get_by_label("Reason").select_option(index=1)
    site.follow(page.get_by_role("button", name="Revoke the certificate"))
    expect(page.get_by_text("revoked").first).to_be_visible()
