"""The QR code carries the verification URL with a detached ES256 signature of the code; it scans from paper."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey
from pyhanko.pdf_utils.reader import PdfFileReader

from academy.certificates import codes, storage
from academy.certificates import services as certificate_services
from academy.credentials import jws, keys
from tests.credentials.factories import create_certificate, create_course, create_user
from tests.services import skip_or_fail


def _qr_url(certificate) -> str:
    """The address behind the QR code (the same URL is its link annotation)."""
    reader = PdfFileReader(BytesIO(storage.read(certificate.pdf_path)))
    page = reader.root["/Pages"]["/Kids"][0]
    annots = [a.get_object() for a in page["/Annots"]]
    uris = [a["/A"]["/URI"] for a in annots if "/A" in a]
    assert len(uris) == 1
    return str(uris[0])


def _scan(pdf: bytes, dpi: int, tmp_path: Path) -> list[str]:
    """What zbarimg reads from the page rendered at `dpi` (as a scan of the printed page would be)."""
    for tool in ("pdftoppm", "zbarimg"):
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is not installed (Debian packages poppler-utils, zbar-tools)")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    image = tmp_path / f"page-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(image)], check=True)
    done = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{image}.png"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.splitlines()


@pytest.mark.parametrize("dpi", [150, 100])
def test_the_printed_qr_code_scans_at_low_resolution_and_its_signature_checks(app, db, client, tmp_path, dpi):
    app.config["BASE_URL"] = "https://academy.interact-eu.net"  # a production-length host
    certificate = create_certificate(
        user=create_user(name="Ana Kovač"), course=create_course(title="Reporting in Jems")
    )
    code = certificate_services.stored_code(certificate)
    assert _scan(storage.read(certificate.pdf_path), dpi, tmp_path) == [_qr_url(certificate)]
    url = _qr_url(certificate)
    assert len(url) < 150
    base, _, signature = url.partition("#")
    compact = codes.normalise(code)
    assert base == f"https://academy.interact-eu.net/verify/{compact}"
    # The compact code leads to the page's one address (browsers keep the fragment across the redirect).
    assert client.get(f"/verify/{compact}").headers["Location"].endswith(f"/verify/{code}")
    published = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert jws.verify_code(compact, signature, keys=published)
    assert jws.verify_code(compact[:-1] + ("A" if compact[-1] != "A" else "B"), signature, keys=published) is None


def test_the_qr_signature_is_a_detached_es256_jws_any_jose_library_checks(app, db, client):
    url = _qr_url(create_certificate())
    base, _, signature = url.partition("#")
    compact = base.rsplit("/", 1)[1]
    header = keys.b64url(b'{"alg":"ES256"}')
    token = f"{header}.{keys.b64url(compact.encode())}.{signature}"
    jwk = next(k for k in client.get("/.well-known/jwks.json").get_json()["keys"] if k["kty"] == "EC")
    assert (
        joserfc_jws.deserialize_compact(token, ECKey.import_key(jwk), algorithms=["ES256"]).payload == compact.encode()
    )


def test_a_changed_signature_or_an_unknown_key_does_not_verify(app, db, client):
    url = _qr_url(create_certificate())
    base, _, signature = url.partition("#")
    compact = base.rsplit("/", 1)[1]
    published = client.get("/.well-known/jwks.json").get_json()["keys"]
    forged = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert jws.verify_code(compact, forged, keys=published) is None
    assert jws.verify_code(compact, signature, keys=[k for k in published if k["kty"] != "EC"]) is None
    assert jws.verify_code(compact, signature[:-1], keys=published) is None


def test_tokens_printed_before_still_verify(app, db, client):
    """Certificates printed earlier carry a full token with claims; it still checks with joserfc."""
    from academy.credentials.models import KeyAlgorithm

    create_certificate()
    key = keys.signing_key(KeyAlgorithm.ES256)
    token = jws.sign({"code": "X", "name": "Ana"}, private_key=keys.private_key(key), kid=key.kid)
    jwk = next(
        k for k in client.get("/.well-known/jwks.json").get_json()["keys"] if k["kid"] == jws.header(token)["kid"]
    )
    assert jws.verify_token(token, public_key=jwk) == {"code": "X", "name": "Ana"}
    head, _payload, sig = token.split(".")
    with pytest.raises(ValueError):
        jws.verify_token(f"{head}.{keys.b64url(b'{}')}.{sig}", public_key=jwk)


def test_verification_page_embeds_the_key_and_the_script_without_inline_code(app, db, client):
    certificate = create_certificate()
    code = certificate_services.stored_code(certificate)
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "data-qr-check" in html and "js/qr-verify.js" in html
    kid = next(k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"] if k["kty"] == "EC")
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
