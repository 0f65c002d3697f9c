"""Two members co-edit a community document in two browsers at once: a silent merge, then a conflict resolved.

Every page on the way is checked with axe-core and for console errors and CSP violations (see harness.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.browser.harness import LiveServer, Site
from tests.community.factories import add_member, create_community
from tests.factories import DEFAULT_PASSWORD, create_user

pytestmark = pytest.mark.browser

TEXT = "Check the invoices.\n\nCheck the staff costs.\n\nCheck public procurement."


@pytest.fixture
def people(live_server: LiveServer) -> None:
    """Controllers, with Anna and Jonas as members."""
    with live_server.app.app_context():
        community = create_community(name="Controllers", slug="controllers")
        add_member(community=community, user=create_user(name="Anna Aalto", email="anna@example.org"))
        add_member(community=community, user=create_user(name="Jonas Berg", email="jonas@example.org"))


@pytest.fixture
def other_browser(browser: Browser, live_server: LiveServer, axe_source: str) -> Iterator:
    """A second checked tab in its own browser profile (another person)."""
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


def _open_document(site: Site, title: str) -> None:
    page = site.page
    nav = page.get_by_role("navigation", name="Main")
    site.follow(nav.get_by_role("link", name="Communities"))
    site.follow(page.get_by_role("link", name="Controllers", exact=True))
    site.follow(page.get_by_role("navigation", name="Community sections").get_by_role("link", name="Documents"))
    site.follow(page.get_by_role("link", name=title))


def test_two_members_edit_at_once_merge_then_resolve_a_conflict(site: Site, other_browser, people: None):
    # Anna starts the checklist from the Documents tab.
    anna = site.log_in("anna@example.org", DEFAULT_PASSWORD)
    site.follow(anna.get_by_role("navigation", name="Main").get_by_role("link", name="Communities"))
    site.follow(anna.get_by_role("link", name="Controllers", exact=True))
    site.follow(anna.get_by_role("navigation", name="Community sections").get_by_role("link", name="Documents"))
    site.follow(anna.get_by_role("link", name="New document"))
    anna.get_by_label("Title").fill("FLC checklist")
    anna.get_by_label("Text").fill(TEXT)
    site.follow(anna.get_by_role("button", name="Save document"))
    expect(anna.get_by_role("heading", level=1)).to_have_text("FLC checklist")

    # Jonas opens the editor; Anna opens it too and sees him there.
    jonas_site = other_browser("jonas")
    jonas = jonas_site.log_in("jonas@example.org", DEFAULT_PASSWORD)
    _open_document(jonas_site, "FLC checklist")
    jonas_site.follow(jonas.get_by_role("button", name="Edit", exact=True))
    site.follow(anna.get_by_role("button", name="Edit", exact=True))
    expect(anna.locator("#doc-presence")).to_contain_text("Jonas Berg")

    # Both edit different paragraphs of revision 1: Anna's save merges with Jonas's.
    jonas.get_by_label("Text").fill(TEXT.replace("Check the invoices.", "Check the invoices against the bank."))
    jonas_site.follow(jonas.get_by_role("button", name="Save", exact=True))
    expect(jonas.locator(".flashes")).to_contain_text("Saved as revision 2")
    anna.get_by_label("Text").fill(TEXT.replace("public procurement.", "public procurement above thresholds."))
    site.follow(anna.get_by_role("button", name="Save", exact=True))
    expect(anna.locator(".flashes")).to_contain_text("Merged with Jonas Berg's changes")
    expect(anna.get_by_role("article")).to_contain_text("against the bank")
    expect(anna.get_by_role("article")).to_contain_text("above thresholds")

    # Both edit the same paragraph of revision 3: Jonas saves first, Anna gets the conflict page.
    jonas_site.follow(jonas.get_by_role("button", name="Edit", exact=True))
    site.follow(anna.get_by_role("button", name="Edit", exact=True))
    jonas_text = jonas.get_by_label("Text").input_value().replace("staff costs.", "staff costs with time sheets.")
    jonas.get_by_label("Text").fill(jonas_text)
    jonas_site.follow(jonas.get_by_role("button", name="Save", exact=True))
    anna_text = anna.get_by_label("Text").input_value().replace("staff costs.", "staff costs at the 20% flat rate.")
    anna.get_by_label("Text").fill(anna_text)
    site.follow(anna.get_by_role("button", name="Save", exact=True), status=409)
    expect(anna.get_by_role("heading", level=1)).to_contain_text("overlaps with Jonas Berg")
    editor = anna.get_by_label("Text", exact=True)
    offered = editor.input_value()
    assert "with time sheets" in offered and "20% flat rate" in offered and "<<<<<<<" in offered

    # She keeps both ideas, removes the markers and saves.
    resolved = anna_text.replace(
        "staff costs at the 20% flat rate.", "staff costs with time sheets or the 20% flat rate."
    )
    editor.fill(resolved)
    site.follow(anna.get_by_role("button", name="Save the resolved text"))
    expect(anna.locator(".flashes")).to_contain_text("Saved as revision 5")
    expect(anna.get_by_role("article")).to_contain_text("with time sheets or the 20% flat rate")

    # The history shows who changed what, word by word.
    site.follow(anna.get_by_role("link", name="History"))
    expect(anna.locator(".doc-diff ins")).to_contain_text(["or the 20% flat rate"])

    # Both change different words of one paragraph; Anna also puts in a picture. Her save merges.
    site.follow(anna.get_by_role("link", name="FLC checklist"))
    jonas_site.follow(jonas.get_by_role("button", name="Edit", exact=True))
    site.follow(anna.get_by_role("button", name="Edit", exact=True))
    jonas.get_by_label("Text").fill(
        jonas.get_by_label("Text").input_value().replace("Check the invoices", "Check all the invoices")
    )
    jonas_site.follow(jonas.get_by_role("button", name="Save", exact=True))
    text = anna.get_by_label("Text")
    text.fill(text.input_value().replace("against the bank.", "against the bank statements."))
    text.evaluate(
        "area => area.setSelectionRange(area.value.indexOf('Check the staff'), area.value.indexOf('Check the staff'))"
    )
    picture = io.BytesIO()
    Image.new("RGB", (60, 30), "teal").save(picture, "PNG")
    anna.get_by_label("Image or file").set_input_files(
        {"name": "route.png", "mimeType": "image/png", "buffer": picture.getvalue()}
    )
    anna.get_by_label("Description of the image").fill("Map of the audit route")
    anna.get_by_role("button", name="Upload and insert").click()
    expect(anna.get_by_role("status").filter(has_text="Uploaded")).to_be_visible()
    assert "![Map of the audit route](attachment:" in text.input_value().split("Check the staff")[0]
    site.check()
    site.follow(anna.get_by_role("button", name="Save", exact=True))
    expect(anna.locator(".flashes")).to_contain_text("Merged with Jonas Berg's changes")
    article = anna.get_by_role("article")
    expect(article).to_contain_text("Check all the invoices against the bank statements.")
    image = article.get_by_role("img", name="Map of the audit route")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 60  # served to a member, allowed by the CSP
