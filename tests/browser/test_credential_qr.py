"""The verification page checks the QR code's signature of the code in the browser (WebCrypto, no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from academy.certificates import services as certificate_services
from tests.browser.harness import LiveServer, Site
from tests.credentials.factories import create_certificate, create_course, create_user
from tests.credentials.test_qr import _qr_url

pytestmark = pytest.mark.browser


def _issue(live_server: LiveServer, *, name: str) -> tuple[str, str]:
    certificate = create_certificate(
        user=create_user(name=name), course=create_course(title="Reporting in Jems", credits="2")
    )
    url = _qr_url(certificate)
    return url.removeprefix(live_server.app.config["BASE_URL"]), certificate_services.stored_code(certificate)


@pytest.fixture
def qr(live_server: LiveServer) -> tuple[str, str]:
    """(path with the token fragment, certificate code) of a freshly issued certificate."""
    with live_server.app.app_context():
        return _issue(live_server, name="Ana Marin-Łęcka")


def test_scanned_qr_code_shows_authentic_and_a_forged_one_does_not(site: Site, qr: tuple[str, str]):
    path, code = qr
    page = site.visit(path)  # the compact code redirects to the page's address; the fragment stays
    expect(page.get_by_role("heading", name="QR code authentic")).to_be_visible()
    expect(page.locator("[data-qr-claims]")).to_contain_text(code)
    # The live status and the holder's name come from the server, on the same page.
    expect(page.get_by_role("heading", name="Valid")).to_be_visible()
    expect(page.get_by_text("Ana Marin-Łęcka").first).to_be_visible()

    signature = path.partition("#")[2]
    forged = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    site.visit("/verify")  # a new load: changing only the fragment would not reload the page
    page = site.visit(path.partition("#")[0] + f"#{forged}")
    expect(page.get_by_role("heading", name="QR code not authentic")).to_be_visible()


def test_offline_a_scanned_qr_code_is_still_checked(site: Site, live_server: LiveServer, qr: tuple[str, str]):
    _path, code = qr
    page = site.visit(f"/verify/{code}")  # any verification page installs the service worker
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    with live_server.app.app_context():
        other_path, other_code = _issue(live_server, name="Jonas Petraitis")
    # Offline: the server is gone (Playwright's offline mode does not reach service workers).
    live_server.stop()
    page = site.visit(other_path)
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_role("heading", name="QR code authentic")).to_be_visible()
    expect(page.locator("[data-qr-claims]")).to_contain_text(other_code)
    # A signature of another code than the address names is refused.
    site.visit("/verify/offline")
    page = site.visit("/verify/" + code + "#" + other_path.partition("#")[2])
    expect(page.get_by_role("heading", name="QR code not authentic")).to_be_visible()
