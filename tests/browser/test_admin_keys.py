"""The Signing keys admin page in a real browser: reached from the menu, create and retire, axe-checked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser


def test_admin_creates_and_retires_a_key(site: Site, live_server: LiveServer):
    with live_server.app.app_context():
        email = create_user(name="Ada Admin", admin=True).email
    page = site.log_in(email, DEFAULT_PASSWORD)
    page.locator("header details.menu > summary").click()
    site.follow(page.locator("header").get_by_role("link", name="Signing keys"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing keys")
    expect(page.get_by_role("heading", name="Certificate seal key")).to_be_visible()

    page.get_by_label("Ed25519: signs credentials and status lists").check()
    site.follow(page.get_by_role("button", name="Create key"))
    expect(page.locator(".flashes")).to_contain_text("created: new signatures use it from now on")
    expect(page.get_by_text("Last active Ed25519 key: create another before retiring it.")).to_be_visible()

    site.follow(page.get_by_role("button", name="Create key"))
    retire = page.locator("details.confirm").first
    retire.locator("summary").click()
    expect(retire).to_contain_text("Credentials it signed keep verifying; new ones use the next active key.")
    site.check()  # with the confirmation open
    site.follow(retire.get_by_role("button"))
    expect(page.locator(".flashes")).to_contain_text("retired. Credentials it signed keep verifying")
    expect(page.locator("tbody .tag--retired")).to_have_count(1)
