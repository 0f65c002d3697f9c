"""A member mentioned in a reply hears of it: the bell, the notification's link to the post, and an e-mail.

Every page is checked with axe-core, for console errors and CSP violations, and for reflow at 320 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import LiveServer, Site
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Which flat rate do you use for staff costs?"


@pytest.fixture
def finance(live_server: LiveServer) -> str:
    from tests.community.factories import add_member, create_community, create_thread
    from tests.factories import create_user

    with live_server.app.app_context():
        community = create_community(name="Finance", slug="finance")
        asha = create_user(name="Asha Asker", email="asha@example.org")
        add_member(community=community, user=asha)
        add_member(community=community, user=create_user(name="Ben Answer", email="ben@example.org"))
        create_thread(
            community=community, author=asha, title=TITLE, body="We are choosing between 20 % and real costs."
        )
        return community.slug


def test_a_member_mentioned_in_a_reply_gets_the_notification(
    site: Site, browser: Browser, live_server: LiveServer, axe_source: str, finance: str
):
    # Ben replies and mentions Asha, on a phone-width screen.
    page = site.page
    page.set_viewport_size({"width": 320, "height": 720})
    site.reflow_width = 320
    site.log_in("ben@example.org", DEFAULT_PASSWORD)
    site.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities"))
    site.follow(page.get_by_role("link", name="Finance", exact=True))
    site.follow(page.get_by_role("link", name=TITLE))
    page.get_by_label("Your reply").fill("@[Asha Asker] we apply the 20 % flat rate; the audit accepted it.")
    site.follow(page.get_by_role("button", name="Post"))
    expect(page.get_by_role("link", name="@Asha Asker")).to_be_visible()

    # Asha, in her own browser, sees the bell and follows the notification to the post.
    context = browser.new_context(base_url=live_server.base_url, viewport={"width": 320, "height": 720})
    context.set_default_timeout(10_000)
    asha = Site(context.new_page(), live_server, axe_source=axe_source, label="asha")
    asha.reflow_width = 320
    try:
        apage = asha.log_in("asha@example.org", DEFAULT_PASSWORD)
        bell = apage.get_by_role("link", name="Notifications: 1 unread")
        expect(bell).to_be_visible()
        asha.follow(bell)
        asha.follow(apage.get_by_role("link", name=f"Ben Answer mentioned you in “{TITLE}”."))
        expect(apage.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(apage.locator("main")).to_contain_text("we apply the 20 % flat rate")
        asha.finish()
    finally:
        context.close()
    mail = live_server.last_mail(to="asha@example.org", subject="mentioned you")
    assert TITLE in live_server.text_of(mail)
