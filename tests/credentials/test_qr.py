"""The QR code carries the verification URL with an ES256 token that verifies with the JWKS."""

from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from academy.certificates import services as certificate_services
from academy.certificates import storage
from academy.credentials import jws, keys
from tests.credentials.factories import create_certificate, create_course, create_user


def _qr_url(certificate) -> str:
    """The address behind the QR code (the same URL is its link annotation)."""
    reader = PdfFileReader(BytesIO(storage.read(certificate.pdf_path)))
    page = reader.root["/Pages"]["/Kids"][0]
    annots = [a.get_object() for a in page["/Annots"]]
    uris = [a["/A"]["/URI"] for a in annots if "/A" in a]
    assert len(uris) == 1
    return str(uris[0])


def test_qr_token_verifies_with_the_published_jwks(app, db, client, no_network):
    user = create_user(name="Ana Kovač")
    certificate = create_certificate(user=user, course=create_course(title="Reporting in Jems", credits="2.5"))
    url = _qr_url(certificate)
    code = certificate_services.stored_code(certificate)
    base, _, token = url.partition("#")
    assert base == certificate_services.verify_url(code)
    header = jws.header(token)
    jwks = client.get("/.well-known/jwks.json").get_json()
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jws.verify(token, public_key=keys.p256_public(jwk))
    assert claims == {
        "code": code,
        "name": "Ana Kovač",
        "course": "Reporting in Jems",
        "credits": 2.5,
        "date": certificate.issued_at.date().isoformat(),
    }
    assert not no_network


def test_a_changed_token_does_not_verify(app, db, client):
    token = _qr_url(create_certificate()).partition("#")[2]
    head, _payload, signature = token.split(".")
    forged_payload = keys.b64url(b'{"code":"X","name":"Mallory","course":"Anything","credits":60,"date":"2020-01-01"}')
    jwk = client.get("/.well-known/jwks.json").get_json()["keys"]
    key = keys.p256_public(next(k for k in jwk if k["kty"] == "EC"))
    with pytest.raises(ValueError):
        jws.verify(f"{head}.{forged_payload}.{signature}", public_key=key)


def test_verification_page_embeds_the_key_and_the_script_without_inline_code(app, db, client):
    certificate = create_certificate()
    code = certificate_services.stored_code(certificate)
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "data-qr-check" in html and "js/qr-verify.js" in html
    kid = jws.header(_qr_url(certificate).partition("#")[2])["kid"]
    assert kid in html
    assert "<script>" not in html


def test_holder_page_links_to_the_credential(app, db, client, login):
    user = create_user()
    certificate = create_certificate(user=user)
    login(user)
    html = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "Download the verifiable credential" in html
    assert "/credentials/" in html


def test_offline_page_and_service_worker_are_served_under_verify(app, db, client):
    create_certificate()
    worker = client.get("/verify/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    offline = client.get("/verify/offline")
    assert offline.status_code == 200
    html = offline.get_data(as_text=True)
    assert "You are offline" in html and "data-qr-check" in html and '"kty": "EC"' in html
