"""An account's life in a real browser: register, log out and in, reset the password, edit the profile.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser

NAME = "Zoë Ångström-Łęcka"
EMAIL = "zoe.angstrom@example.org"
FIRST_PASSWORD = "violet harbour sings at dawn"
NEW_PASSWORD = "seven quiet lanterns over Tallinn"


def flash(page: Page):
    """The flash messages area."""
    return page.locator(".flashes")


def account_menu(page: Page):
    """The <summary> that opens the account menu in the header."""
    return page.locator("header details.menu > summary")


def log_out(site: Site) -> None:
    """Open the account menu and press its log-out button."""
    page = site.page
    account_menu(page).click()
    site.follow(page.get_by_role("button", name="Log out"))
    expect(flash(page)).to_contain_text("You are logged out.")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def fill_login(page: Page, email: str, password: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)


def test_register_log_out_log_in_reset_password_and_edit_profile(site: Site, live_server: LiveServer):
    page = site.visit("/")

    # Register; a first attempt with passwords that differ comes back with the error explained.
    site.follow(page.get_by_role("link", name="Create account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Organisation").fill("Joint Secretariat Interreg Česko–Österreich")
    page.get_by_label("Country").select_option(label="Czechia")
    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Repeat password").fill(FIRST_PASSWORD + " again")
    site.follow(page.get_by_role("button", name="Create account"), status=400)
    expect(page.get_by_role("alert")).to_contain_text("The passwords do not match.")
    expect(page.get_by_label("Repeat password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Full name")).to_have_value(NAME)

    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Repeat password").fill(FIRST_PASSWORD)
    site.follow(page.get_by_role("button", name="Create account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    # The account exists once the link from the e-mail is opened and confirmed.
    mail = live_server.last_mail(to=EMAIL, subject="Confirm your Interreg Academy account")
    match = re.search(r"^(http\S+/register/confirm/\S+)$", live_server.text_of(mail), re.MULTILINE)
    assert match, live_server.text_of(mail)
    site.visit(match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your account")
    site.follow(page.get_by_role("button", name="Create my account"))
    expect(flash(page)).to_contain_text(f"Welcome, {NAME}. Your account is ready.")
    expect(account_menu(page)).to_contain_text(NAME)

    log_out(site)

    # Log in again with the first password.
    site.follow(page.get_by_role("link", name="Log in"))
    fill_login(page, EMAIL, FIRST_PASSWORD)
    site.follow(page.get_by_role("button", name="Log in"))
    expect(flash(page)).to_contain_text("You are logged in.")
    expect(account_menu(page)).to_contain_text(NAME)

    log_out(site)

    # Forgotten password: ask for a link, open it from the e-mail, choose a new password.
    site.follow(page.get_by_role("link", name="Log in"))
    site.follow(page.get_by_role("link", name="Forgotten your password?"))
    page.get_by_label("E-mail address").fill(EMAIL)
    site.follow(page.get_by_role("button", name="Send the link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    mail = live_server.last_mail(to=EMAIL, subject="Reset your Interreg Academy password")
    body = live_server.text_of(mail)
    assert f"Hello {NAME}," in body
    match = re.search(r"^(http\S+/reset-password/\S+)$", body, re.MULTILINE)
    assert match, body
    link = match.group(1)
    assert link.startswith(live_server.base_url + "/reset-password/")

    site.visit(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(page.get_by_text(f"For the account {EMAIL}.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    site.follow(page.get_by_role("button", name="Save new password"))
    expect(page).to_have_url(site.url("/login"))
    expect(flash(page)).to_contain_text("Your password has been changed.")

    # The old password no longer works; the new one does.
    fill_login(page, EMAIL, FIRST_PASSWORD)
    site.follow(page.get_by_role("button", name="Log in"), status=400)
    expect(flash(page)).to_contain_text("The e-mail address or password is not right.")
    fill_login(page, EMAIL, NEW_PASSWORD)
    site.follow(page.get_by_role("button", name="Log in"))
    expect(flash(page)).to_contain_text("You are logged in.")

    # The link worked once.
    site.visit(link, status=400)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")

    # Edit the profile from the account menu; the change is saved and shown everywhere.
    account_menu(page).click()
    site.follow(page.get_by_role("link", name="Profile"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_label("Full name")).to_have_value(NAME)
    expect(page.get_by_label("Country")).to_have_value("CZ")
    page.get_by_label("Full name").fill("Zoë Ångström-Nagy")
    page.get_by_label("Organisation").fill("Managing Authority Interreg Danube Region — Győr office")
    site.follow(page.get_by_role("button", name="Save profile"))
    expect(flash(page)).to_contain_text("Your profile has been saved.")
    expect(account_menu(page)).to_contain_text("Zoë Ångström-Nagy")

    site.visit("/account")
    expect(page.get_by_label("Full name")).to_have_value("Zoë Ångström-Nagy")
    expect(page.get_by_label("Organisation")).to_have_value("Managing Authority Interreg Danube Region — Győr office")
    expect(page.get_by_label("Country")).to_have_value("CZ")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(site: Site):
    page = site.visit("/")
    skip = page.get_by_role("link", name="Skip to main content")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then on screen

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_account_menu_works_with_the_keyboard(site: Site, live_server: LiveServer):
    with live_server.app.app_context():
        email = create_user(name="Kalle Keyboard").email
    page = site.log_in(email, DEFAULT_PASSWORD)
    summary = account_menu(page)
    menu = page.locator("header details.menu")
    profile = page.get_by_role("link", name="Profile")

    # Tab through the header until the menu button has focus; its links are not Tab stops while closed.
    for _ in range(10):
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name(re.compile("Kalle Keyboard"))
    expect(profile).to_be_hidden()

    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(profile).to_be_visible()
    page.keyboard.press("Space")
    expect(menu).not_to_have_attribute("open", "")
    expect(profile).to_be_hidden()

    # Escape closes the open menu from inside it and gives the focus back to its button.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(profile).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(profile).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Change password")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="My certificates")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Notification settings")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log out")).to_be_focused()

    for _ in range(4):  # back past Notification settings, My certificates, Change password to Profile
        page.keyboard.press("Shift+Tab")
    with site.new_page():
        page.keyboard.press("Enter")
    expect(page).to_have_url(site.url("/account"))

    # A click elsewhere on the page closes an open menu.
    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.get_by_role("heading", level=1).click()
    expect(menu).not_to_have_attribute("open", "")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")


def test_account_pages_pass_on_a_phone_sized_screen(site: Site, live_server: LiveServer):
    site.page.set_viewport_size({"width": 390, "height": 844})
    with live_server.app.app_context():
        email = create_user(name="Mira Mobile").email
    site.visit("/")
    site.visit("/register")
    page = site.log_in(email, DEFAULT_PASSWORD)
    site.visit("/account")
    # The name is out of sight on a phone, yet it still names the menu button for screen readers.
    expect(account_menu(page)).to_have_accessible_name(re.compile("Mira Mobile"))
    account_menu(page).click()
    expect(page.locator("header").get_by_role("link", name="Change password")).to_be_visible()
    site.check()  # again, with the menu open
