"""A certified training programme in a real browser: enrol, register for the session, finish the course,
attendance marked by the trainer, the programme certificate issued and verified.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect

from academy.db import utcnow
from academy.extensions import db
from academy.programmes.models import TrainingSession
from tests.browser.harness import LiveServer, Site
from tests.certificates.factories import create_course
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.programmes.factories import create_programme, create_session

pytestmark = pytest.mark.browser

LEARNER = "ana.marin@example.org"
TRAINER = "tomas.trainer@example.org"
SESSION = "Finance day in Brussels"


@pytest.fixture
def programme(live_server: LiveServer) -> dict:
    with live_server.app.app_context():
        create_user(email=LEARNER, name="Ana Marin-Łęcka")
        trainer = create_user(email=TRAINER, name="Tomas Trainer", trainer=True)
        course = create_course(title="Simplified cost options in Interreg", slug="sco-basics", lessons=2)
        programme = create_programme(title="Financial management track", owner=trainer, courses=[course])
        session = create_session(programme=programme, title=SESSION, starts_in=timedelta(days=3), capacity=5)
        return {"slug": programme.slug, "session_id": session.id, "course": course.slug}


def log_out(site: Site) -> None:
    page = site.page
    page.locator("header details.menu > summary").click()
    site.follow(page.get_by_role("button", name="Log out"))


def test_learner_earns_a_programme_certificate(site: Site, live_server: LiveServer, programme: dict):
    page = site.page
    site.log_in(LEARNER, DEFAULT_PASSWORD)

    # The catalogue has its own switch to programmes.
    site.visit("/courses")
    site.follow(page.get_by_role("link", name="Certified training programmes"))
    site.follow(page.get_by_role("link", name="Financial management track"))
    site.follow(page.get_by_role("button", name="Enrol in this programme"))
    expect(page.locator(".flashes")).to_contain_text("You are enrolled in Financial management track")

    # My learning lists the programme beside its course.
    site.visit("/my-learning")
    site.follow(page.get_by_role("link", name="Financial management track"))

    # Register for the session and fetch its calendar file.
    site.follow(page.get_by_role("button", name=f"Register — {SESSION}"))
    expect(page.locator(".flashes")).to_contain_text("Your seat at")
    ics_link = page.get_by_role("link", name=f"Add to calendar (.ics) — {SESSION}")
    response = page.request.get(site.url(ics_link.get_attribute("href")))
    assert response.status == 200
    (event,) = icalendar.Calendar.from_ical(response.text()).walk("VEVENT")
    assert str(event["SUMMARY"]) == SESSION

    # Complete the course: its certificate is issued, the programme still waits for the session.
    for key in ("lesson-1", "lesson-2"):
        site.visit(f"/courses/{programme['course']}/lessons/{key}")
        site.follow(page.get_by_role("button", name="Mark as complete"))
    site.visit(f"/programmes/{programme['slug']}")
    expect(page.get_by_text(f"Attend {SESSION}")).to_be_visible()
    log_out(site)

    # The day of the session has come.
    with live_server.app.app_context():
        session = db.session.get(TrainingSession, programme["session_id"])
        session.starts_at = utcnow() - timedelta(hours=4)
        session.ends_at = utcnow() - timedelta(hours=1)
        session.registration_deadline = None
        db.session.commit()

    # The trainer marks attendance on the roster.
    site.log_in(TRAINER, DEFAULT_PASSWORD)
    site.visit(f"/teach/programmes/{programme['slug']}")
    site.follow(page.get_by_role("link", name=f"Roster and attendance — {SESSION}"))
    page.get_by_role("radio", name="Present").check()
    site.follow(page.get_by_role("button", name="Save attendance"))
    expect(page.locator(".flashes")).to_contain_text("Attendance is saved.")
    log_out(site)

    # The learner has the programme certificate, and its verification page says valid.
    site.log_in(LEARNER, DEFAULT_PASSWORD)
    site.visit(f"/programmes/{programme['slug']}")
    expect(page.get_by_text("You have completed the programme.")).to_be_visible()
    site.follow(page.get_by_role("link", name="Your programme certificate"))
    site.visit("/certificates")
    site.follow(page.get_by_role("link", name="Verification page — Financial management track"))
    expect(page.get_by_text("is valid")).to_be_visible()
    expect(page.get_by_text("Training programme")).to_be_visible()
    expect(page.get_by_text(SESSION)).to_be_visible()
    log_out(site)

    # The trainer sees the certificate in the programme's list; the roster downloads as CSV.
    site.log_in(TRAINER, DEFAULT_PASSWORD)
    site.visit("/teach/programmes")
    site.follow(page.get_by_role("link", name="Financial management track"))
    site.follow(page.get_by_label("Programme workspace").get_by_role("link", name="Certificates", exact=True))
    expect(page.get_by_role("row", name="Ana Marin-Łęcka")).to_contain_text("Valid")
    roster = page.request.get(site.url(f"/teach/sessions/{programme['session_id']}/roster.csv"))
    assert roster.status == 200 and "Ana Marin-Łęcka" in roster.text() and "present" in roster.text()
    # The session's edit form (with an error) is accessible too.
    site.visit(f"/teach/sessions/{programme['session_id']}/edit")
    page.get_by_label("Session title").fill("")
    site.follow(page.get_by_role("button", name="Save the session"), status=400)
    expect(page.get_by_role("alert")).to_contain_text("Give the session a title.")


def test_trainer_offers_another_date_then_cancels_it(site: Site, live_server: LiveServer, programme: dict):
    page = site.page
    site.log_in(TRAINER, DEFAULT_PASSWORD)
    site.visit(f"/teach/programmes/{programme['slug']}")
    site.follow(page.get_by_role("link", name=f"Add another date — {SESSION}"))
    page.get_by_label("Starts").fill("2027-03-10T09:30")
    page.get_by_label("Ends").fill("2027-03-10T12:30")
    site.follow(page.get_by_role("button", name="Add the date"))
    expect(page.get_by_role("status")).to_contain_text("now has another date: 10 March 2027")

    # The new date is cancelled from the editor, with a reason, after a confirmation page.
    site.follow(page.get_by_role("link", name=f"Cancel session — {SESSION}, 10 March 2027"))
    page.get_by_label("Why is the session cancelled?").fill("The venue is closed that week; a new date follows.")
    site.follow(page.get_by_role("button", name="Cancel the session and tell participants"))
    expect(page.get_by_role("status")).to_contain_text("The session is cancelled. 0 people")
    site.visit(f"/programmes/{programme['slug']}")
    expect(page.get_by_text("The venue is closed that week; a new date follows.")).to_be_visible()
