"""An admin creates a community from the admin start page and names its contact; the contact approves a request.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server: LiveServer) -> None:
    """An admin, the future contact person and a learner who will ask to join."""
    with live_server.app.app_context():
        create_user(name="Ada Admin", email="ada@example.org", admin=True)
        create_user(name="Carla Contact", email="carla@example.org")
        create_user(name="Asha Asker", email="asha@example.org")


@pytest.fixture
def other_person(browser: Browser, live_server: LiveServer, axe_source: str) -> Iterator:
    """Open further checked tabs, each in its own browser profile (another person)."""
    opened: list[tuple] = []

    def _open(label: str) -> Site:
        context = browser.new_context(base_url=live_server.base_url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        site = Site(context.new_page(), live_server, axe_source=axe_source, label=label)
        opened.append((context, site))
        return site

    yield _open
    for context, site in opened:
        site.finish()
        context.close()


def test_admin_creates_a_community_names_its_contact_who_approves_a_request(site: Site, other_person, people):
    # Ada, an admin, creates the community from the admin start page.
    page = site.log_in("ada@example.org", DEFAULT_PASSWORD)
    page.locator("header details.menu > summary").click()
    site.follow(page.locator("header").get_by_role("link", name="Administration"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    site.follow(page.get_by_role("region", name="Run the place").get_by_role("link", name="Communities"))
    site.follow(page.get_by_role("link", name="Create a community"))
    page.get_by_label("Name").fill("Audit Authorities")
    page.get_by_label("Web address").fill("Audit Authorities!")
    page.get_by_label("Description").fill("Peers who audit Interreg programmes.")
    site.follow(page.get_by_role("button", name="Create the community"), status=400)
    expect(page.locator(".error-summary")).to_contain_text("Use lower-case letters")
    expect(page.get_by_label("Description")).to_have_value("Peers who audit Interreg programmes.")
    page.get_by_label("Web address").fill("audit-authorities")
    site.follow(page.get_by_role("button", name="Create the community"))
    expect(page.locator(".flashes")).to_contain_text("Community created. Now name its contact persons.")
    expect(page.get_by_text("This community has no contact person")).to_be_visible()
    page.get_by_label("E-mail address of the contact person").fill("carla@example.org")
    site.follow(page.get_by_role("button", name="Add contact person"))
    expect(page.locator(".flashes")).to_contain_text("Carla Contact is now a contact person of Audit Authorities.")

    # Asha asks to join it from the directory.
    asha = other_person("asha")
    apage = asha.log_in("asha@example.org", DEFAULT_PASSWORD)
    asha.follow(apage.get_by_role("link", name="Communities"))
    asha.follow(apage.get_by_role("link", name="Audit Authorities", exact=True))
    apage.get_by_label("Message to the contact persons").fill("I audit the Danube programme.")
    asha.follow(apage.get_by_role("button", name="Ask to join"))
    expect(apage.locator(".flashes")).to_contain_text("Your request has been sent")

    # Carla, the contact person, sees the waiting request and approves it.
    carla = other_person("carla")
    cpage = carla.log_in("carla@example.org", DEFAULT_PASSWORD)
    nav = cpage.get_by_role("navigation", name="Main")
    expect(nav.locator(".badge")).to_have_text("1")
    carla.follow(nav.get_by_role("link", name="Communities"))
    carla.follow(cpage.get_by_role("link", name="Audit Authorities", exact=True))
    carla.follow(cpage.get_by_role("link", name="Requests"))
    expect(cpage.locator(".request")).to_contain_text("I audit the Danube programme.")
    carla.follow(cpage.get_by_role("button", name="Approve"))
    expect(cpage.locator(".flashes")).to_contain_text("Asha Asker is now a member.")
