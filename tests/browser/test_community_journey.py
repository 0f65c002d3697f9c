"""A community in a real browser: join Finance, get approved, ask with a PDF, get an answer, accept it.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import LiveServer, Site
from tests.community.factories import add_member, create_community, pdf_bytes
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server: LiveServer) -> dict:
    """Finance with a contact and a member; an asker and an outsider with no membership."""
    with live_server.app.app_context():
        contact = create_user(name="Carla Contact", email="carla@example.org")
        finance = create_community(name="Finance", slug="finance", contact=contact)
        add_member(community=finance, user=create_user(name="Ben Answer", email="ben@example.org"))
        create_user(name="Asha Asker", email="asha@example.org")
        create_user(name="Nora Outsider", email="nora@example.org")
        return {"slug": finance.slug}


@pytest.fixture
def second_tab(browser: Browser, live_server: LiveServer, axe_source: str) -> Iterator:
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


def test_join_approve_ask_answer_accept_and_keep_outsiders_out(
    site: Site, second_tab, people: dict, live_server: LiveServer, tmp_path: Path
):
    # Asha asks to join Finance.
    page = site.log_in("asha@example.org", DEFAULT_PASSWORD)
    site.follow(page.get_by_role("link", name="Communities"))
    site.follow(page.get_by_role("link", name="Finance", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Finance")
    page.get_by_label("Message to the contact persons").fill("I run payments at the Interreg Danube JS.")
    site.follow(page.get_by_role("button", name="Ask to join"))
    expect(page.locator(".flashes")).to_contain_text("Your request has been sent")

    # Carla, the contact, sees the badge and approves.
    carla = second_tab("carla")
    cpage = carla.log_in("carla@example.org", DEFAULT_PASSWORD)
    nav = cpage.get_by_role("navigation", name="Main")
    expect(nav.locator(".badge")).to_have_text("1")
    carla.follow(nav.get_by_role("link", name="Communities"))
    carla.follow(cpage.get_by_role("link", name="Finance", exact=True))
    carla.follow(cpage.get_by_role("link", name="Requests"))
    expect(cpage.locator(".request")).to_contain_text("I run payments at the Interreg Danube JS.")
    carla.follow(cpage.get_by_role("button", name="Approve"))
    expect(cpage.locator(".flashes")).to_contain_text("Asha Asker is now a member.")

    # Asha asks a question with a PDF attached.
    pdf = tmp_path / "Staff cost method.pdf"
    pdf.write_bytes(pdf_bytes("method"))
    site.visit(f"/c/{people['slug']}")
    site.follow(page.get_by_role("link", name="Ask or start a discussion"))
    page.get_by_label("Question").check()
    page.get_by_label("Title").fill("Which flat rate do you use for staff costs?")
    page.get_by_label("Text").fill("We are choosing between **20 %** and real costs.")
    page.get_by_label("Attach files").set_input_files(str(pdf))
    site.follow(page.get_by_role("button", name="Publish"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Which flat rate do you use for staff costs?")
    expect(page.get_by_role("link", name="Staff cost method.pdf", exact=True)).to_be_visible()
    thread_path = page.url.replace(live_server.base_url, "")

    # Ben, another member, answers.
    ben = second_tab("ben")
    bpage = ben.log_in("ben@example.org", DEFAULT_PASSWORD)
    ben.visit(f"/c/{people['slug']}")
    ben.follow(bpage.get_by_role("link", name="Which flat rate do you use for staff costs?"))
    with bpage.expect_download() as download:
        bpage.get_by_role("link", name="Staff cost method.pdf", exact=True).click()
    assert Path(download.value.path()).read_bytes() == pdf_bytes("method")
    bpage.get_by_label("Your reply").fill("We apply the 20 % flat rate; the audit accepted it.")
    ben.follow(bpage.get_by_role("button", name="Post"))
    expect(bpage.locator(".flashes")).to_contain_text("Your reply is posted.")

    # Asha accepts the answer; it is shown first and marked.
    site.visit(thread_path)
    site.follow(page.get_by_role("button", name="Accept this answer"))
    accepted = page.locator(".post--accepted")
    expect(accepted).to_contain_text("We apply the 20 % flat rate")
    expect(accepted).to_contain_text("Accepted answer")

    # Nora, not a member, gets nothing.
    nora = second_tab("nora")
    nora.log_in("nora@example.org", DEFAULT_PASSWORD)
    npage = nora.visit(thread_path, status=404)
    expect(npage.locator("main")).not_to_contain_text("flat rate")
    nora.visit(f"/c/{people['slug']}/files", status=404)
    npage = nora.visit(f"/c/{people['slug']}")
    expect(npage.locator("main")).not_to_contain_text("Which flat rate")
    expect(npage.get_by_role("button", name="Ask to join")).to_be_visible()
