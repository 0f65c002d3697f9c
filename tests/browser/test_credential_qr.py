"""The verification page checks the QR code's signed token in the browser (WebCrypto, no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from academy.certificates import services as certificate_services
from tests.browser.harness import LiveServer, Site
from tests.credentials.factories import create_certificate, create_course, create_user
from tests.credentials.test_qr import _qr_url

pytestmark = pytest.mark.browser


@pytest.fixture
def qr(live_server: LiveServer) -> tuple[str, str]:
    """(path with the token fragment, certificate code) of a freshly issued certificate."""
    with live_server.app.app_context():
        certificate = create_certificate(
            user=create_user(name="Ana Marin-Łęcka"), course=create_course(title="Reporting in Jems", credits="2")
        )
        url = _qr_url(certificate)
        return url.removeprefix(live_server.app.config["BASE_URL"]), certificate_services.stored_code(certificate)


def test_scanned_qr_code_shows_authentic_and_a_forged_one_does_not(site: Site, qr: tuple[str, str]):
    path, code = qr
    page = site.visit(path)
    expect(page.get_by_role("heading", name="QR code authentic")).to_be_visible()
    claims = page.locator("[data-qr-claims]")
    expect(claims).to_contain_text("Ana Marin-Łęcka")
    expect(claims).to_contain_text("Reporting in Jems")
    expect(claims).to_contain_text(code)
    # The live status from the server is on the same page.
    expect(page.get_by_role("heading", name="Valid")).to_be_visible()

    head, payload, signature = path.partition("#")[2].split(".")
    forged = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    site.visit("/verify")  # a new load: changing only the fragment would not reload the page
    page = site.visit(path.partition("#")[0] + f"#{head}.{forged}.{signature}")
    expect(page.get_by_role("heading", name="QR code not authentic")).to_be_visible()
