"""A living community in a real browser: waiting requests on the start page, "new" threads, "This helped me",
sharing a file from the Files tab, initials avatars. Every page is checked with axe-core (see harness.py).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from academy.community.models import MemberStatus
from academy.db import utcnow
from academy.extensions import db
from tests.browser.harness import LiveServer, Site
from tests.community.factories import add_member, create_community, create_reply, create_thread, pdf_bytes
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def finance(live_server: LiveServer) -> dict:
    """Finance: Carla the contact, Ben a member since yesterday, a question answered by Carla, one request."""
    with live_server.app.app_context():
        carla = create_user(name="Carla Contact", email="carla@example.org")
        community = create_community(name="Finance", slug="finance", contact=carla)
        ben = add_member(community=community, user=create_user(name="Ben Member", email="ben@example.org"))
        ben.joined_at = utcnow() - timedelta(days=1)
        db.session.commit()
        asker = add_member(community=community, user=create_user(name="Asha Asker")).user
        thread = create_thread(community=community, author=asker, title="Staff costs: flat rate?")
        create_reply(thread=thread, author=carla, body="Yes, 20 percent works for us.")
        add_member(community=community, status=MemberStatus.PENDING, message="Hello", user=create_user(name="Pia"))
        return {"slug": community.slug}


def test_contact_and_member_find_a_living_community(site: Site, finance: dict, tmp_path: Path):
    # Carla, the contact, finds the waiting request on her start page.
    page = site.log_in("carla@example.org", DEFAULT_PASSWORD)
    site.follow(page.get_by_role("link", name="1 membership request waiting in Finance"))
    expect(page.locator(".request")).to_contain_text("Pia")
    page.locator("details.menu summary").click()
    site.follow(page.get_by_role("button", name="Log out"))

    # Ben sees the question as new, reads it and marks Carla's answer as helpful.
    page = site.log_in("ben@example.org", DEFAULT_PASSWORD)
    site.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities"))
    site.follow(page.get_by_role("link", name="Finance", exact=True))
    new_link = page.get_by_role("link", name="Staff costs: flat rate? (new since your last visit)")
    site.follow(new_link)
    expect(page.locator(".person-avatar").first).to_have_text("AA")
    helped = page.get_by_role("button", name="This helped me")
    expect(helped).to_have_attribute("aria-pressed", "false")
    site.follow(helped)
    expect(page.locator(".flashes")).to_contain_text("Marked as helpful")
    expect(page.get_by_role("button", name="This helped me")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".helpful-received")).to_have_text("1 helpful mark received")
    site.follow(page.get_by_role("link", name="Finance", exact=True).first)
    expect(page.get_by_role("link", name="Staff costs: flat rate?", exact=True)).to_be_visible()

    # Ben shares a file from the Files tab.
    site.follow(page.get_by_role("link", name="Files"))
    pdf = tmp_path / "Flat rate decision.pdf"
    pdf.write_bytes(pdf_bytes("decision"))
    page.get_by_label("File", exact=True).set_input_files(str(pdf))
    page.get_by_label("What is it? (optional)").fill("The monitoring committee's decision.")
    site.follow(page.get_by_role("button", name="Share the file"))
    expect(page.locator(".flashes")).to_contain_text("Flat rate decision.pdf is shared.")
    expect(page.get_by_role("rowheader").get_by_role("link", name="Flat rate decision.pdf")).to_be_visible()
