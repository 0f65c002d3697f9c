"""Every page the reachability crawler reaches reflows at 320 CSS px (WCAG 1.4.10), for every persona.

The world and the personas are those of tests/core/test_reachability.py (the demo seed plus a day of
use). Each persona crawls from `/` through the Flask test client (links and GET forms, as a user
clicks), then Chromium opens every page reached, 320 px wide, with the persona's session, and
measures `document.documentElement.scrollWidth`: wider than 320 means the page scrolls sideways.
Wide tables must scroll inside their own box instead.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from academy.auth import services as auth_services
from academy.extensions import db
from tests.browser.harness import LiveServer, reflow_problem
from tests.conftest import RequestClient
from tests.core.test_reachability import _build_world
from tests.crawl import crawl

WIDTH = 320


def _session_cookie(app, client) -> str | None:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return cookie.value if cookie else None


@pytest.mark.browser
def test_every_page_the_crawler_reaches_reflows_at_320_px(browser: Browser, live_server: LiveServer):
    app = live_server.app
    app.test_client_class = RequestClient  # each request in its own app context, as in production
    reached: dict[str, tuple[str | None, list[str]]] = {}
    with app.app_context():
        personas = _build_world(app)
        for name, user in personas.items():
            client = app.test_client()
            if user is not None:
                row = auth_services.start_session(user)
                db.session.commit()
                with client.session_transaction() as session:
                    session["_user_id"] = row.token
                    session["_fresh"] = True
            result = crawl(app, client, start="/", per_endpoint=3)
            assert result.errors == [], name
            reached[name] = (_session_cookie(app, client), sorted(result.pages))

    problems: list[str] = []
    measured = 0
    for name, (cookie, urls) in reached.items():
        context = browser.new_context(
            base_url=live_server.base_url, viewport={"width": WIDTH, "height": 720}, locale="en-GB"
        )
        context.set_default_timeout(15_000)
        if cookie:
            cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
            context.add_cookies([{"name": cookie_name, "value": cookie, "url": live_server.base_url}])
        page = context.new_page()
        try:
            for url in urls:
                response = page.goto(live_server.url(url))
                if response is None or response.status != 200:
                    problems.append(f"{name}: {url} answered {response.status if response else 'nothing'}")
                    continue
                measured += 1
                problem = reflow_problem(page, WIDTH)
                if problem:
                    problems.append(f"{name}: {problem}")
        finally:
            context.close()
    print(f"\nreflow at {WIDTH} px: {measured} page loads measured for {len(reached)} personas")
    assert measured >= 100  # the crawl really reached the site
    assert problems == [], "\n".join(problems)
