"""The PAdES seal: valid for pyHanko and poppler, pinned to our root, and tamper-evident."""

import shutil
import stat
import subprocess
from io import BytesIO

import pytest
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from academy import create_app
from academy.certificates import keys as seal_keys
from academy.certificates import signing, storage, verification
from academy.certificates.keys import ensure_dev_keys
from tests.certificates.factories import create_certificate


def _stored(certificate) -> bytes:
    return storage.read(certificate.pdf_path)


def test_the_stored_pdf_is_certified_and_its_bottom_line_holds(app, db):
    data = _stored(create_certificate(name="Łukasz Żółć"))
    key = seal_keys.seal_key()
    reader = PdfFileReader(BytesIO(data))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=list(key.roots), allow_fetching=False, revocation_mode="soft-fail")
    status = seal_keys.run_sync(async_validate_pdf_signature(signature, signer_validation_context=context))
    assert status.bottom_line
    assert signature.docmdp_level == MDPPerm.NO_CHANGES
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    # A visible seal: the widget has a real box on the page.
    x1, y1, x2, y2 = (float(v) for v in signature.sig_field["/Rect"])
    assert x2 - x1 > 100 and y2 - y1 > 30


def test_a_validator_that_does_not_pin_our_root_does_not_trust_it(app, db):
    data = _stored(create_certificate())
    [signature] = PdfFileReader(BytesIO(data)).embedded_signatures
    context = ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")
    status = seal_keys.run_sync(async_validate_pdf_signature(signature, signer_validation_context=context))
    assert status.intact and status.valid
    assert not status.bottom_line


def test_poppler_says_the_signature_is_valid_and_covers_the_whole_document(app, db, tmp_path):
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        pytest.fail("pdfsig (poppler-utils) is required: apt-get install poppler-utils")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(_stored(create_certificate()))
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    assert "Signature Type: ETSI.CAdES.detached" in out


def test_an_authentic_file_passes_the_upload_check(app, db):
    certificate = create_certificate()
    result = verification.check_upload(_stored(certificate))
    assert result.verdict == "authentic"
    assert result.seal.ok
    assert result.record.state.value == "valid"


def test_a_one_byte_change_is_caught(app, db):
    data = bytearray(_stored(create_certificate(name="Anna Berg")))
    # Change one letter of the holder's name in the document info, inside the signed range.
    offset = data.index(b"Anna Berg")
    data[offset] = ord("B")
    result = verification.check_upload(bytes(data))
    assert result.verdict == "modified"
    assert not result.seal.ok
    assert result.record is None


def test_a_one_byte_change_in_the_page_content_is_caught(app, db):
    data = bytearray(_stored(create_certificate()))
    offset = data.index(b"stream", len(data) // 4) + 40  # inside some compressed stream
    data[offset] ^= 0x01
    assert verification.check_upload(bytes(data)).verdict == "modified"


def test_an_appended_incremental_update_is_caught(app, db):
    original = _stored(create_certificate(name="Anna Berg"))
    writer = IncrementalPdfFileWriter(BytesIO(original))
    info = writer.trailer["/Info"]
    info["/Subject"] = generic.pdf_string("Certificate of completion awarded to Eve Forger")
    writer.update_container(info)
    out = BytesIO()
    writer.write(out)
    tampered = out.getvalue()
    assert tampered.startswith(original)
    result = verification.check_upload(tampered)
    assert result.verdict == "modified"
    assert result.seal.reason == "modified"


def test_an_incremental_update_that_changes_nothing_is_caught_too(app, db):
    """pyHanko's diff policy may tolerate it; the seal must then cover the whole file, and it does not."""
    original = _stored(create_certificate())
    writer = IncrementalPdfFileWriter(BytesIO(original))
    writer.update_root()  # rewrites the catalogue unchanged
    out = BytesIO()
    writer.write(out)
    assert len(out.getvalue()) > len(original)
    assert verification.check_upload(out.getvalue()).verdict == "modified"


def test_a_pdf_sealed_by_someone_else_is_not_ours(app, db, tmp_path):
    from academy.certificates import pdf as pdf_module

    other = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": tmp_path / "elsewhere"}
    )
    from datetime import date
    from decimal import Decimal

    content = pdf_module.CertificateContent(
        holder_name="Eve Forger",
        course_title="Simplified cost options in Interreg",
        version_number=1,
        hours=Decimal(1),
        credits=Decimal(0),
        issued_on=date(2026, 1, 1),
        issuer="Interreg Academy",
        code="WHX2-K9TJ-W91N-YMZB-RP7S",
        verify_url="http://localhost/verify/WHX2-K9TJ-W91N-YMZB-RP7S",
    )
    forged = signing.seal(pdf_module.render(content), box=pdf_module.SEAL_BOX, reason="forged", app=other)
    result = verification.check_upload(forged)
    assert result.verdict == "not_ours"
    assert result.seal.reason == "not_trusted"


def test_garbage_and_unsigned_pdfs_are_refused(app, db):
    from datetime import date
    from decimal import Decimal

    from academy.certificates import pdf as pdf_module

    assert verification.check_upload(b"hello").verdict == "unreadable"
    unsigned = pdf_module.render(
        pdf_module.CertificateContent(
            holder_name="Eve",
            course_title="X",
            version_number=1,
            hours=Decimal(1),
            credits=Decimal(0),
            issued_on=date(2026, 1, 1),
            issuer="Interreg Academy",
            code="WHX2-K9TJ-W91N-YMZB-RP7S",
            verify_url="http://localhost/verify/x",
        )
    )
    assert verification.check_upload(unsigned).verdict == "not_ours"


def test_development_keys_are_made_once_with_non_repudiation(app, tmp_path):
    folder = tmp_path / "keys"
    paths = ensure_dev_keys(folder)
    first = paths["cert"].read_bytes()
    assert ensure_dev_keys(folder)["cert"].read_bytes() == first
    assert stat.S_IMODE(paths["key"].stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(first)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature
    assert "development" in cert.subject.rfc4514_string()
    root = x509.load_pem_x509_certificate(paths["root"].read_bytes())
    assert cert.issuer == root.subject
    assert not list(folder.glob("*ca*.key*"))  # the CA's private key is not kept


def test_configured_keys_are_used_with_their_key_id(tmp_path, database_url):
    paths = ensure_dev_keys(tmp_path / "production-keys", issuer="Interact Programme")
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path / "instance",
            "CERTIFICATE_SIGNING_KEY": str(paths["key"]),
            "CERTIFICATE_SIGNING_CERT": str(paths["cert"]),
            "CERTIFICATE_TRUST_ROOTS": str(paths["root"]),
            "CERTIFICATE_KEY_ID": "interact-seal-2026",
        }
    )
    with app.app_context():
        key = seal_keys.seal_key()
        assert key.key_id == "interact-seal-2026"
        assert key.signer_name == "Interact Programme (development seal)"
    assert not (tmp_path / "instance" / "signing").exists()  # no development CA was made


def test_a_signing_key_without_its_certificate_is_a_clear_error(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "CERTIFICATE_SIGNING_KEY": str(tmp_path / "missing.pem"),
        }
    )
    with app.app_context(), pytest.raises(seal_keys.SigningConfigError, match="CERTIFICATE_SIGNING_CERT"):
        seal_keys.seal_key()
