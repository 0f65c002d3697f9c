"""The harness itself: it must catch what it promises to catch, or the browser tests prove nothing.

Broken pages are served by Playwright on the live server's origin, with the app's own CSP header.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Route

from academy.security import CSP
from tests.browser.harness import PageProblems, Site

pytestmark = pytest.mark.browser

PAGES = {
    "ok": '<h1>Fine</h1><p><a href="/_harness/ok-2">next</a></p>',
    "ok-2": '<h1>Fine too</h1><p><a href="/_harness/ok-3">next</a></p>',
    "ok-3": "<h1>Fine as well</h1>",
    "no-alt": '<h1>Picture</h1><img src="/static/img/logo.svg" class="portrait">',
    "inline-script": "<h1>Inline</h1><script>document.title = 'changed';</script>",
    "inline-style": '<h1 style="color: red">Styled</h1>',
    "console-error": '<h1>Script</h1><script src="/_harness/boom.js"></script>',
}


def serve_test_pages(site: Site) -> None:
    def handler(route: Route) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if name == "boom.js":
            route.fulfill(body='console.error("boom from a script");', content_type="text/javascript")
            return
        head = f'<!doctype html><html lang="en"><head><title>{name}</title></head>'
        html = f"{head}<body><main>{PAGES[name]}</main></body></html>"
        route.fulfill(body=html, content_type="text/html", headers={"Content-Security-Policy": CSP})

    site.page.route(site.url("/_harness/*"), handler)


def test_a_clean_page_passes(site: Site):
    serve_test_pages(site)
    site.visit("/_harness/ok")


def test_an_accessibility_violation_fails_with_rule_impact_and_element(site: Site):
    serve_test_pages(site)
    with pytest.raises(PageProblems) as failure:
        site.visit("/_harness/no-alt")
    message = str(failure.value)
    assert "/_harness/no-alt" in message
    assert "image-alt (critical)" in message
    assert "at img: Fix any of the following: Element does not have an alt attribute;" in message


@pytest.mark.parametrize("name", ["inline-script", "inline-style"])
def test_a_csp_violation_fails(site: Site, name: str):
    serve_test_pages(site)
    with pytest.raises(PageProblems, match="Content Security Policy"):
        site.visit(f"/_harness/{name}")


def test_a_console_error_fails(site: Site):
    serve_test_pages(site)
    with pytest.raises(PageProblems, match="boom from a script"):
        site.visit("/_harness/console-error")


def test_a_page_left_before_it_was_checked_fails(site: Site):
    serve_test_pages(site)
    page = site.visit("/_harness/ok")
    # Navigating behind the harness's back: the middle page is never checked.
    with page.expect_navigation():
        page.get_by_role("link", name="next").click()
    with page.expect_navigation():
        page.get_by_role("link", name="next").click()
    with pytest.raises(PageProblems, match=r"_harness/ok-2 loaded but the test moved on before it was checked"):
        site.finish()


def test_an_unexpected_status_fails_and_an_expected_one_passes(site: Site):
    with pytest.raises(PageProblems, match="answered HTTP 404, the test expected 200"):
        site.visit("/no-such-page")
    page = site.visit("/no-such-page", status=404)
    assert page.get_by_role("heading", level=1).count() == 1
