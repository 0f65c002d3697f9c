"""A verifier without an account, at 320 px: from the home page to a valid, a revoked and a tampered certificate.

Every page is checked with axe-core, for console errors and CSP violations, and for reflow at 320 px.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.harness import LiveServer, Site

pytestmark = pytest.mark.browser


@pytest.fixture
def certificates(live_server: LiveServer, tmp_path: Path) -> dict:
    from academy.certificates import services, storage
    from academy.certificates.models import RevocationReason
    from academy.extensions import db
    from tests.certificates.factories import create_certificate, create_course
    from tests.factories import create_user

    with live_server.app.app_context():
        course = create_course(title="Simplified cost options in Interreg", slug="sco-basics")
        valid = create_certificate(user=create_user(name="Anna Berg"), course=course)
        revoked = create_certificate(user=create_user(name="Jonas Lind"), course=course)
        services.revoke(revoked, actor=None, reason=RevocationReason.ISSUED_IN_ERROR)
        db.session.commit()
        data = bytearray(storage.read(valid.pdf_path))
        offset = data.index(b"Anna Berg")
        data[offset] = ord("E")  # one changed byte in the sealed file
        tampered = tmp_path / "tampered-certificate.pdf"
        tampered.write_bytes(bytes(data))
        return {
            "valid": services.stored_code(valid),
            "revoked": services.stored_code(revoked),
            "tampered": tampered,
        }


def test_a_verifier_checks_a_valid_a_revoked_and_a_tampered_certificate(site: Site, certificates: dict):
    page = site.page
    page.set_viewport_size({"width": 320, "height": 720})
    site.reflow_width = 320
    site.visit("/")

    # The home page's certificate card leads to the check.
    card = page.locator("li.card", has=page.get_by_role("heading", name="Certificates you can verify"))
    site.follow(card.get_by_role("link", name="Verify a certificate"))
    page.get_by_label("Certificate code").fill(certificates["valid"])
    site.follow(page.get_by_role("button", name="Check"))
    expect(page.get_by_text("and is valid.")).to_be_visible()
    expect(page.get_by_text("Anna Berg")).to_be_visible()
    expect(page.locator("[data-qr-check]")).to_be_hidden()  # no QR token in the address: no spinner

    # A revoked one says so, and no QR panel can contradict it, even opened with a token in the address.
    page.get_by_label("Certificate code").fill(certificates["revoked"])
    site.follow(page.get_by_role("button", name="Check"))
    expect(page.get_by_text("is no longer valid")).to_be_visible()
    expect(page.get_by_text("Reason: Issued in error.")).to_be_visible()
    revoked_url = page.url
    site.follow(page.locator("footer").get_by_role("link", name="Verify a certificate"))
    site.visit(revoked_url + "#e30.e30.c2ln")  # as opened from a QR code carrying a token
    expect(page.get_by_text("is no longer valid")).to_be_visible()
    expect(page.get_by_text("QR code authentic")).to_have_count(0)

    # A tampered file is refused.
    site.follow(page.get_by_role("link", name="Check a PDF file"))
    page.get_by_label("Certificate PDF").set_input_files(str(certificates["tampered"]))
    site.follow(page.get_by_role("button", name="Check the file"))
    expect(page.get_by_role("status")).to_contain_text("has been changed after it was sealed")
    expect(page.get_by_text("Anna Berg")).to_have_count(0)
