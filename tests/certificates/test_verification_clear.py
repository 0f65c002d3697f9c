"""Verification is easy to find and never contradicts itself."""

from pathlib import Path

from academy.certificates import services, storage, verification
from academy.certificates.models import RevocationReason
from tests.certificates.factories import create_certificate


def _revoked():
    certificate = create_certificate()
    services.revoke(certificate, actor=None, reason=RevocationReason.MISCONDUCT, note="Copied the final quiz")
    from academy.extensions import db

    db.session.commit()
    return certificate


def test_verify_a_certificate_is_linked_from_every_page_and_the_home_card(client):
    html = client.get("/").get_data(as_text=True)
    card = html.split("Certificates you can verify")[1].split("</li>")[0]
    assert 'href="/verify"' in card
    footer = html.split('<footer class="site-footer">')[1]
    assert 'href="/verify">Verify a certificate</a>' in footer


def test_hidden_wins_over_a_components_display_rule():
    css = (Path(__file__).parents[2] / "academy/static/css/academy.css").read_text()
    assert "[hidden] { display: none !important; }" in css


def test_a_revoked_certificate_page_has_no_qr_authenticity_panel(client, db):
    certificate = _revoked()
    html = client.get(f"/verify/{services.stored_code(certificate)}").get_data(as_text=True)
    assert "Revoked" in html
    assert "data-qr-check" not in html and "QR code authentic" not in html


def test_the_upload_check_of_a_revoked_certificate_leads_with_revoked(client, db):
    certificate = _revoked()
    result = verification.check_upload(storage.read(certificate.pdf_path))
    assert result.message.startswith("This certificate has been revoked")
    assert "Academic misconduct" in result.message
    assert result.tone == "error"


def test_my_certificates_show_the_reason_and_offer_no_share_for_a_revoked_one(client, db, login):
    certificate = _revoked()
    login(certificate.user)
    mine = client.get("/certificates").get_data(as_text=True)
    assert "Reason: Academic misconduct." in mine
    assert "Share and privacy" not in mine
    detail = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "This certificate was revoked" in detail
    assert 'id="share-url"' not in detail
