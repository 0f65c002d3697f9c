"""The stored PDF: what it says, its fonts, its QR code, and that it is stored once."""

import hashlib
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from academy.certificates import pdf, services, storage
from tests.certificates.factories import create_certificate, create_course
from tests.factories import create_user

NAMES = ("Łukasz Żółć", "Ærøskøbing Sørensen", "Θεσσαλονίκη Παπαδοπούλου")


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} (poppler-utils) is required: apt-get install poppler-utils")
    return path


def _text(data: bytes) -> str:
    out = subprocess.run([_poppler("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def _content(**overrides) -> pdf.CertificateContent:
    values = {
        "holder_name": "Łukasz Żółć",
        "course_title": "Simplified cost options in Interreg",
        "version_number": 3,
        "hours": Decimal("12.0"),
        "credits": Decimal("1.5"),
        "issued_on": date(2026, 3, 12),
        "expires_on": date(2029, 3, 12),
        "issuer": "Interreg Academy",
        "code": "WHX2-K9TJ-W91N-YMZB-RP7S",
        "verify_url": "https://academy.example/verify/WHX2-K9TJ-W91N-YMZB-RP7S",
        "outcomes": [("LO1", "Explain simplified cost options."), ("LO2", "Calculate a flat rate.")],
    }
    values.update(overrides)
    return pdf.CertificateContent(**values)


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_european_script_print_right(name):
    text = _text(pdf.render(_content(holder_name=name)))
    assert name in text


def test_the_page_says_what_was_achieved():
    text = _text(pdf.render(_content()))
    for expected in (
        "Certificate of Completion",
        "Simplified cost options in Interreg",
        "Version 3",
        "12 hours of study",
        "1.5 ECTS credits",
        "LO1",
        "Explain simplified cost options.",
        "12 March 2026",
        "12 March 2029",
        "WHX2-K9TJ-W91N-YMZB-RP7S",
        "https://academy.example/verify/WHX2-K9TJ-W91N-YMZB-RP7S",
        "Interreg Academy",
    ):
        assert expected in text, expected


def test_no_expiry_and_no_credits_are_said_plainly():
    text = _text(pdf.render(_content(expires_on=None, credits=Decimal("0"))))
    assert "No expiry" in text
    assert "ECTS" not in text


def test_many_long_outcomes_stay_on_one_page():
    outcomes = [(f"LO{i}", "Describe the audit trail of a cooperation project in detail. " * 3) for i in range(1, 19)]
    data = pdf.render(_content(outcomes=outcomes))
    info = subprocess.run([_poppler("pdfinfo"), "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert "841.89 x 595.276 pts (A4)" in info
    text = _text(data)
    shown = len(re.findall(r"\bLO\d+\b", text))
    assert 0 < shown < 18
    assert f"and {18 - shown} more learning outcomes on the verification page" in text


def test_fonts_are_embedded_subsets():
    out = subprocess.run([_poppler("pdffonts"), "-"], input=pdf.render(_content()), capture_output=True, check=True)
    rows = out.stdout.decode().splitlines()[2:]
    assert rows
    for row in rows:
        assert "DejaVu" in row
        assert " yes yes " in row  # embedded, subset


def test_the_qr_code_on_the_page_is_the_verification_url():
    """Rasterise the page and read the modules back: they must equal qrcode's matrix for the URL."""
    url = "https://academy.example/verify/WHX2-K9TJ-W91N-YMZB-RP7S"
    data = pdf.render(_content(verify_url=url))
    dpi = 300
    png = subprocess.run(
        [_poppler("pdftoppm"), "-png", "-r", str(dpi), "-gray", "-"], input=data, capture_output=True, check=True
    ).stdout
    image = Image.open(BytesIO(png)).convert("L")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    scale = dpi / 72
    x0 = pdf.QR_X * scale
    top = (pdf.PAGE_H - (pdf.QR_Y + pdf.QR_SIZE)) * scale
    module = pdf.QR_SIZE * scale / n
    seen = [
        [image.getpixel((int(x0 + (c + 0.5) * module), int(top + (r + 0.5) * module))) < 128 for c in range(n)]
        for r in range(n)
    ]
    assert seen == [[bool(v) for v in row] for row in matrix]


def test_an_issued_pdf_is_stored_once_with_its_sha256(app, db):
    certificate = create_certificate(user=create_user(name="Łukasz Żółć"), course=create_course(validity_months=36))
    data = storage.read(certificate.pdf_path)
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert certificate.pdf_size == len(data)
    assert certificate.key_id.startswith("sha256:")
    code = services.stored_code(certificate)
    assert code in _text(data)
    assert "Łukasz Żółć" in _text(data)
    assert certificate.expires_at is not None
    assert (certificate.expires_at.year - certificate.issued_at.year) in (3, 2)
    # Storing the same bytes again leaves the file as it was.
    before = storage.path_of(certificate.pdf_path).stat().st_mtime_ns
    assert storage.store_pdf(data) == (certificate.pdf_path, certificate.pdf_sha256)
    assert storage.path_of(certificate.pdf_path).stat().st_mtime_ns == before


def test_the_database_keeps_a_hash_of_the_code_not_the_code(app, db):
    from sqlalchemy import text

    certificate = create_certificate()
    code = services.stored_code(certificate)
    compact = code.replace("-", "")
    row = db.session.execute(text("SELECT * FROM certificates WHERE id = :id"), {"id": certificate.id}).mappings().one()
    for value in row.values():
        assert compact not in str(value) and code not in str(value)
    assert row["code_hash"] == hashlib.sha256(compact.encode()).hexdigest()


def test_storage_refuses_paths_outside_its_folder(app):
    with pytest.raises(ValueError):
        storage.path_of("../secret_key")


def test_months_are_added_by_the_calendar():
    from datetime import UTC, datetime

    assert services.add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert services.add_months(datetime(2026, 11, 15, tzinfo=UTC), 36) == datetime(2029, 11, 15, tzinfo=UTC)


def _words(data: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every word on the page with its box in PDF points, origin bottom left: (text, x1, y1, x2, y2)."""
    out = subprocess.run([_poppler("pdftotext"), "-bbox", "-", "-"], input=data, capture_output=True, check=True)
    words = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out.stdout.decode()
    ):
        x1, top, x2, bottom, text = float(m[1]), float(m[2]), float(m[3]), float(m[4]), m[5]
        words.append((text, x1, pdf.PAGE_H - bottom, x2, pdf.PAGE_H - top))
    return words


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


SIX = [
    ("LO1", "Explain simplified cost options and when a programme may use them."),
    ("LO2", "Calculate a flat rate for staff costs from the eligible direct costs."),
    ("LO3", "Check the audit trail of a lump sum."),
    ("LO4", "Report costs in Jems."),
    ("LO5", "Plan a first-level control visit."),
    ("LO6", "Explain the roles of the joint secretariat and the managing authority."),
]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"issuer": "Interreg Europe Joint Secretariat Academy for Programme Bodies", "expires_on": date(2029, 9, 30)},
        {"verify_url": "https://academy.interreg-programmes.example.eu/certificates/verify/WHX2-K9TJ-W91N-YMZB-RP7S"},
    ],
)
def test_the_footer_keeps_dates_seal_code_and_qr_apart(overrides):
    words = _words(pdf.render(_content(outcomes=SIX, signatory_name="Maria Schmidt", **overrides)))
    seal = (pdf.SEAL_BOX.x1, pdf.SEAL_BOX.y1, pdf.SEAL_BOX.x2, pdf.SEAL_BOX.y2)
    qr = (pdf.QR_X, pdf.QR_Y, pdf.QR_X + pdf.QR_SIZE, pdf.QR_Y + pdf.QR_SIZE)
    footer = [w for w in words if w[2] < pdf.FOOTER_RULE_Y]
    assert {"WHX2-K9TJ-W91N-YMZB-RP7S", "DATE", "VALID", "ISSUED"} <= {w[0] for w in footer}
    for text, *box in footer:
        assert not _overlaps(tuple(box), seal), f"{text} is in the seal box"
        assert not _overlaps(tuple(box), qr), f"{text} is on the QR code"
        # Each word stays in its own column, with blank paper between the columns.
        assert box[2] <= pdf.SEAL_BOX.x1 - 12 or box[0] >= pdf.SEAL_BOX.x2 + 12, text
        assert box[2] <= pdf.QR_X - 12, text
    code = next(w for w in footer if w[0] == "WHX2-K9TJ-W91N-YMZB-RP7S")
    assert code[1] > pdf.SEAL_BOX.x2  # right of the seal, left of the QR code


def test_the_seal_box_is_blank_paper_until_the_seal_is_applied():
    png = subprocess.run(
        [_poppler("pdftoppm"), "-png", "-r", "72", "-gray", "-"],
        input=pdf.render(_content(outcomes=SIX)),
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(BytesIO(png)).convert("L")
    box = pdf.SEAL_BOX
    crop = image.crop((int(box.x1), int(pdf.PAGE_H - box.y2), int(box.x2), int(pdf.PAGE_H - box.y1)))
    assert crop.getextrema()[0] > 200  # nothing dark drawn where the visible seal goes


def test_the_signatory_line_names_who_signs_and_their_role():
    data = pdf.render(_content(signatory_name="Dr. Maria Schmidt", signatory_role="Head of Training"))
    text = _text(data)
    assert "Dr. Maria Schmidt" in text and "Head of Training" in text
    words = _words(data)
    name = next(w for w in words if w[0] == "Schmidt")
    # Under the signature line, above the footer, centred on the page.
    assert pdf.FOOTER_RULE_Y < name[2] < name[4] < pdf.SIGNATURE_Y
    assert abs((name[1] + name[3]) / 2 - pdf.PAGE_W / 2) < 60


def test_the_signatory_comes_from_the_configuration(app):
    app.config.update(CERTIFICATE_SIGNATORY_NAME="Anna Kovács", CERTIFICATE_SIGNATORY_ROLE="Academy Director")
    with app.app_context():
        text = _text(pdf.render(_content()))
    assert "Anna Kovács" in text and "Academy Director" in text
    app.config.update(CERTIFICATE_SIGNATORY_NAME="", CERTIFICATE_SIGNATORY_ROLE="")
    with app.app_context():
        assert "For Interreg Academy" in _text(pdf.render(_content()))


def test_outcomes_are_laid_across_the_page_above_the_signature():
    words = _words(pdf.render(_content(outcomes=SIX, signatory_name="Maria Schmidt")))
    codes = [w for w in words if re.fullmatch(r"LO\d", w[0])]
    assert len(codes) == 6
    columns = sorted({round(w[1]) for w in codes})
    assert len(columns) == 3  # three columns, two outcomes each
    assert columns[0] < pdf.PAGE_W / 3 and columns[-1] > pdf.PAGE_W / 2 + 100
    assert all(sum(1 for w in codes if round(w[1]) == x) == 2 for x in columns)
    body = [w for w in words if pdf.SIGNATURE_Y < w[2] < 300]
    assert min(w[2] for w in body) > pdf.SIGNATURE_Y  # nothing of the outcomes reaches the signature line
