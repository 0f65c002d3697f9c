"""Quizzes in a real browser: a learner fails, retries and passes; an attempt done with the keyboard
only; a trainer imports GIFT with a preview and reads the item analysis. Every page is checked with
axe-core and for console errors and CSP violations (see harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from academy.extensions import db
from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz, take_attempt

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).parent.parent / "quizzes" / "data" / "every_feature.gift"


def _seed_quiz(live_server: LiveServer, **settings) -> dict:
    with live_server.app.app_context():
        course = create_course(title="Reporting in Interreg projects")
        questions = [
            create_question(course, title="Reporting", outcomes=("LO1",)),
            create_question(course, type="truefalse", text="Every project has one lead partner.", outcomes=("LO2",)),
            create_question(
                course, type="short", text="Name the monitoring system built by Interact.", outcomes=("LO2",)
            ),
        ]
        quiz = create_quiz(course, questions=questions, title="Reporting check", **settings)
        learner = create_learner(course, email="lena@example.org", name="Lena Learner")
        ids = {"slug": course.slug, "quiz": quiz.id, "email": learner.email}
        db.session.remove()
    return ids


def _answer_page_one(page: Page, choice: str) -> None:
    page.get_by_label(choice).check()


def test_learner_fails_retries_and_passes(site: Site, live_server: LiveServer):
    ids = _seed_quiz(live_server, pass_mark=100, max_attempts=2, time_limit_minutes=30)
    page = site.log_in(ids["email"], DEFAULT_PASSWORD)
    site.visit(f"/courses/{ids['slug']}/quiz/{ids['quiz']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting check")
    expect(page.get_by_text("If you start now, you must submit by")).to_be_visible()

    # First attempt: two wrong answers.
    site.follow(page.get_by_role("button", name="Start attempt 1"))
    expect(page.locator(".deadline")).to_contain_text("Submit by")
    _answer_page_one(page, "Each partner alone")
    site.follow(page.get_by_role("button", name="Save and continue"))
    page.get_by_label("False").check()
    site.follow(page.get_by_role("button", name="Save and continue"))
    page.get_by_label("Your answer").fill("Jems")
    site.follow(page.get_by_role("button", name="Save and finish"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your attempt?")
    site.follow(page.get_by_role("button", name="Submit and see the result"))
    expect(page.locator(".result-score")).to_contain_text("You scored 1 of 3 points (33.3%).")
    expect(page.get_by_text("Below the pass mark of 100%")).to_be_visible()
    expect(page.get_by_role("heading", name="Score per learning outcome")).to_be_visible()

    # Second attempt: all right.
    site.follow(page.get_by_role("button", name="Try again"))
    _answer_page_one(page, "The lead partner")
    site.follow(page.get_by_role("button", name="Save and continue"))
    page.get_by_label("True").check()
    # Jump back with the question navigation: answers of this page are saved on the way.
    site.follow(page.get_by_role("button", name="Question 1: answered"))
    expect(page.get_by_label("The lead partner")).to_be_checked()
    site.follow(page.get_by_role("button", name="Question 3: not answered yet"))
    page.get_by_label("Your answer").fill("jems")
    site.follow(page.get_by_role("button", name="Save and finish"))
    expect(page.get_by_text("You have answered every question.")).to_be_visible()
    site.follow(page.get_by_role("button", name="Submit and see the result"))
    expect(page.locator(".result-score")).to_contain_text("(100%)")
    expect(page.locator(".result-score")).to_contain_text("Passed")

    site.follow(page.get_by_role("link", name="Back to the quiz"))
    expect(page.get_by_text("Your grade: 100%")).to_be_visible()
    expect(page.get_by_text("You have used all your attempts.")).to_be_visible()


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_an_attempt_with_the_keyboard_only(site: Site, live_server: LiveServer):
    ids = _seed_quiz(live_server, per_page=3)
    page = site.log_in(ids["email"], DEFAULT_PASSWORD)
    site.visit(f"/courses/{ids['slug']}/quiz/{ids['quiz']}")

    _tab_to(page, "form[action$='/start'] button")
    with site.new_page():
        page.keyboard.press("Enter")
    _tab_to(page, "input[name=q1]")
    # Arrow keys move through a radio group and select.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("The lead partner")).to_be_checked()
    _tab_to(page, "input[name=q2]")
    page.keyboard.press("Space")
    expect(page.get_by_label("True")).to_be_checked()
    _tab_to(page, "input[name=q3]")
    page.keyboard.type("Jems")
    _tab_to(page, "button[value=finish].button:not(.button--small)")
    with site.new_page():
        page.keyboard.press("Enter")
    _tab_to(page, "form[action$='/submit'] button")
    with site.new_page():
        page.keyboard.press("Enter")
    expect(page.locator(".result-score")).to_contain_text("(100%)")


def test_enter_in_a_text_answer_saves_and_stays(site: Site, live_server: LiveServer):
    ids = _seed_quiz(live_server, per_page=3)
    page = site.log_in(ids["email"], DEFAULT_PASSWORD)
    site.visit(f"/courses/{ids['slug']}/quiz/{ids['quiz']}")
    site.follow(page.get_by_role("button", name="Start attempt 1"))
    page.get_by_label("Your answer").fill("Jems")
    with site.new_page():
        page.get_by_label("Your answer").press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Your answers are saved.")
    expect(page.get_by_label("Your answer")).to_have_value("Jems")


def test_trainer_imports_gift_and_reads_the_item_analysis(site: Site, live_server: LiveServer):
    with live_server.app.app_context():
        trainer = create_user(email="tomas@example.org", name="Tomas Trainer", trainer=True)
        course = create_course(owners=(trainer,), title="Interreg tools")
        slug = course.slug
        db.session.remove()
    page = site.log_in("tomas@example.org", DEFAULT_PASSWORD)
    site.visit(f"/teach/{slug}/bank")
    expect(page.get_by_text("No question matches.")).to_be_visible()
    site.follow(page.get_by_label("Assessment").get_by_role("link", name="Import GIFT"))
    page.get_by_label("GIFT file").set_input_files(str(EXAMPLE))
    page.get_by_label("Import nothing").check()
    site.follow(page.get_by_role("button", name="Preview the import"))
    expect(page.locator(".lead")).to_contain_text("12 questions can be imported (12 new, 0 updated, 0 unchanged)")
    site.follow(page.get_by_role("button", name="Import 12 questions"))
    expect(page.locator(".flashes")).to_contain_text("Imported: 12 new")
    expect(page.get_by_role("link", name="Who reports", exact=True)).to_be_visible()

    # A quiz built from the imported questions, taken by four learners.
    with live_server.app.app_context():
        from academy.quizzes.services import bank

        course = bank.access.get_course(slug)
        by_key = {q.key: q for q in bank.list_questions(course)}
        quiz = create_quiz(
            course, title="Tools check", questions=[by_key["report-lead"], by_key["tf-lead"], by_key["sco-rate"]]
        )
        for answers in ({1: 0, 2: True, 3: "15"}, {1: 0, 2: True, 3: "12"}, {1: 2, 2: True, 3: "3"}, {1: 2, 2: True}):
            take_attempt(quiz, create_learner(course), answers)
        quiz_id = quiz.id
        db.session.remove()

    site.visit(f"/teach/{slug}/quizzes")
    site.follow(page.get_by_role("link", name="Item analysis Tools check"))
    expect(page.locator(".lead").first).to_contain_text("4 graded attempts")
    expect(page.get_by_role("img", name="Distribution of scores in Tools check")).to_be_visible()
    expect(page.get_by_role("row", name="Lead partner principle")).to_contain_text("Very easy")
    assert page.url.endswith(f"/teach/{slug}/quizzes/{quiz_id}/analysis")


def test_trainer_pages_pass_the_checks(site: Site, live_server: LiveServer):
    with live_server.app.app_context():
        trainer = create_user(email="olga@example.org", name="Olga Owner", trainer=True)
        course = create_course(owners=(trainer,))
        essay = create_question(course, type="essay", title="Branding essay", outcomes=("LO3",))
        matching = create_question(course, type="matching", title="Tools", outcomes=("LO2",))
        quiz = create_quiz(course, questions=[essay, matching], title="Mixed")
        take_attempt(quiz, create_learner(course, name="Ana Learner"), {1: "Visible cooperation.", 2: {"0": 0}})
        ids = {"slug": course.slug, "quiz": quiz.id, "question": matching.id}
        db.session.remove()
    page = site.log_in("olga@example.org", DEFAULT_PASSWORD)
    s = ids["slug"]
    for path in (
        f"/teach/{s}/bank/{ids['question']}",
        f"/teach/{s}/bank/{ids['question']}/edit",
        f"/teach/{s}/bank/new?type=numerical",
        f"/teach/{s}/bank/new?type=truefalse",
        f"/teach/{s}/quizzes/new",
        f"/teach/{s}/quizzes/{ids['quiz']}/edit",
        f"/teach/{s}/quizzes/{ids['quiz']}/slots",
        f"/teach/{s}/mastery",
    ):
        site.visit(path)
    # A refused form shows its errors accessibly.
    site.visit(f"/teach/{s}/bank/new?type=single")
    page.get_by_label("Title").fill("No answers yet")
    page.get_by_label("Question text").fill("Which fund finances Interreg?")
    page.get_by_label("LO1 — Can explain topic LO1").check()
    site.follow(page.get_by_role("button", name="Save question"), status=400)
    expect(page.get_by_role("alert")).to_contain_text("A choice question needs at least two answers.")
    # Grade the essay.
    site.visit(f"/teach/{s}/grading")
    page.get_by_label("Points (0 to 1)").fill("1")
    page.get_by_label("Comment for the learner").fill("Clear.")
    site.follow(page.get_by_role("button", name="Save grade"))
    expect(page.get_by_text("Nothing waits for grading.")).to_be_visible()
