"""Fixtures for browser tests: a live server per test, one Chromium per worker, a checked tab per test.

Run them with `pytest tests/browser` (they carry the `browser` marker). Every page a test loads is
checked with axe-core and for console errors and CSP violations; see tests/browser/harness.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from academy import create_app
from academy.extensions import db
from tests.browser.harness import AXE_SOURCE_PATH, CHROMIUM, CHROMIUM_ARGS, LiveServer, Site
from tests.services import skip_or_fail


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, shared by the tests of this worker."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The vendored axe-core script."""
    return AXE_SOURCE_PATH.read_text(encoding="utf-8")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a free port with its own SQLite file and mail folder; CSRF stays on."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'academy.sqlite'}",
            "INSTANCE_PATH": tmp_path,
            "MAIL_DIR": tmp_path / "mail",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.create_all()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) for one test."""
    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """One tab."""
    return context.new_page()


@pytest.fixture
def site(request: pytest.FixtureRequest, page: Page, live_server: LiveServer, axe_source: str) -> Site:
    """The tab wrapped so that every page it loads is checked (axe, console errors, CSP)."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail("browser tests must be marked with @pytest.mark.browser", pytrace=False)
    return Site(page, live_server, axe_source=axe_source, label=request.node.name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body: check the last page and fail on problems the test did not see yet."""
    site = getattr(item, "funcargs", {}).get("site")
    try:
        result = yield
    except BaseException as exc:
        if isinstance(site, Site):
            for problem in site.pending_problems():
                exc.add_note(problem)
        raise
    if isinstance(site, Site):
        site.finish()
    return result
