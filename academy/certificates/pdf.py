"""The certificate as a PDF page: A4 landscape, drawn with reportlab in embedded DejaVu fonts.

Rendering happens once, at issue; the sealed result is stored and never drawn again. This
module knows nothing of the database: it draws a `CertificateContent` (the drawing helpers are in
pdf_layout.py).

The page, top to bottom: issuer, title, holder, course and its facts, the learning outcomes laid
across the page in up to three columns, the signatory line (name and role from the config keys
CERTIFICATE_SIGNATORY_NAME and CERTIFICATE_SIGNATORY_ROLE), then the footer in three columns
that never touch: dates and issuer on the left, the seal box in the middle, the certificate code
and verification address on the right, and the QR code in the corner.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from flask import current_app, has_app_context
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from academy.certificates import pdf_layout as layout
from academy.certificates.pdf_layout import BLUE, BLUE_DARK, GOLD, INK, MUTED, PAGE_H, PAGE_W
from academy.certificates.pdf_layout import font as _font
from academy.certificates.signing import SealBox
from academy.formats import english_date as _date

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {
    "Sans": "DejaVuSans.ttf",
    "Sans-Bold": "DejaVuSans-Bold.ttf",
    "Serif-Bold": "DejaVuSerif-Bold.ttf",
    "Serif-Italic": "DejaVuSerif-Italic.ttf",
}
_fonts_lock = threading.Lock()

MARGIN = 70
GAP = 18  # at least this much blank paper between the footer's columns, the seal and the QR code
QR_SIZE = 80  # with six or more modules of blank paper between it and the frame
QR_X, QR_Y = PAGE_W - 48 - QR_SIZE, 46
SEAL_BOX = SealBox(x1=PAGE_W / 2 - 85, y1=52, x2=PAGE_W / 2 + 85, y2=104)
FOOTER_RULE_Y = 118
LEFT_COLUMN = (MARGIN, SEAL_BOX.x1 - GAP)  # dates and issuer
RIGHT_COLUMN = (SEAL_BOX.x2 + GAP, QR_X - 14)  # code and address, clear of the QR code's quiet zone
SIGNATURE_Y = 150  # the signatory's line; name and role below it, above the footer rule
OUTCOMES_BOTTOM = SIGNATURE_Y + 12


@dataclass(frozen=True)
class CertificateContent:
    """What the page says."""

    holder_name: str
    course_title: str
    version_number: int
    hours: Decimal
    credits: Decimal
    issued_on: date
    issuer: str
    code: str
    verify_url: str
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    expires_on: date | None = None
    replaces_on: date | None = None  # a corrected re-issue names the date of the one it replaces
    qr_url: str = ""  # what the QR code carries, when it is more than verify_url (a signature)
    # An achievement made of parts (courses and sessions), as (title, detail), under `parts_heading`.
    parts: list[tuple[str, str]] = field(default_factory=list)
    # What the achievement's kind says of itself (its registered pdf_options may change these).
    completed_phrase: str = "has successfully completed the course"
    parts_heading: str = "Components completed"
    show_version: bool = True
    # Who signs for the issuer; None: the configured CERTIFICATE_SIGNATORY_NAME / _ROLE.
    signatory_name: str | None = None
    signatory_role: str | None = None


def register_fonts() -> None:
    """Register the vendored DejaVu fonts with reportlab once per process."""
    if _font("Sans") in pdfmetrics.getRegisteredFontNames():
        return
    with _fonts_lock:
        for name, filename in FONTS.items():
            if _font(name) not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(_font(name), str(FONT_DIR / filename)))


class _Info(PDFInfo):
    """Document info with the certificate code under /CertificateCode, for our own look-ups."""

    code = ""

    def format(self, document) -> bytes:  # noqa: ANN001
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "CertificateCode": PDFString(self.code),
            "Trapped": PDFName(self.trapped),
        }
        entries["CreationDate"] = entries["ModDate"] = PDFDate(ts=document._timeStamp)
        return PDFDictionary(entries).format(document)


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def signatory(content: CertificateContent) -> tuple[str, str]:
    """The signatory's name and role: the content's, else the app's configuration."""
    config = current_app.config if has_app_context() else {}
    name = content.signatory_name
    role = content.signatory_role
    if name is None:
        name = config.get("CERTIFICATE_SIGNATORY_NAME", "")
    if role is None:
        role = config.get("CERTIFICATE_SIGNATORY_ROLE", "") or f"For {content.issuer}"
    return name.strip(), role.strip()


def _label_value(c: Canvas, label: str, value: str, y: float, value_font: str, size: float) -> None:
    """A small label and its value (on two lines if it must) in the footer's left column."""
    left, right = LEFT_COLUMN
    value_x = left + 64
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 7)
    c.drawString(left, y + 1, label)
    c.setFillColor(INK)
    lines, value_size = layout.fit_lines(value, value_font, size, right - value_x, 6)
    c.setFont(value_font, value_size)
    for i, line in enumerate(lines):
        c.drawString(value_x, y - i * (value_size + 1), line)


def _draw_signatory(c: Canvas, name: str, role: str) -> None:
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.line(PAGE_W / 2 - 110, SIGNATURE_Y, PAGE_W / 2 + 110, SIGNATURE_Y)
    y = SIGNATURE_Y - 12
    if name:
        layout.centre(c, name, y, _font("Sans-Bold"), layout.fit(name, _font("Sans-Bold"), 9.5, 300, 6))
        y -= 11
    layout.centre(c, role, y, _font("Sans"), layout.fit(role, _font("Sans"), 8, 300, 5.5), MUTED)


def _draw_footer(c: Canvas, content: CertificateContent) -> None:
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.5)
    c.line(MARGIN, FOOTER_RULE_Y, QR_X - 14, FOOTER_RULE_Y)  # stops short of the QR code's quiet zone
    valid = _date(content.expires_on) if content.expires_on else "No expiry"
    _label_value(c, "DATE OF ISSUE", _date(content.issued_on), 96, _font("Serif-Bold"), 11)
    _label_value(c, "VALID UNTIL", valid, 76, _font("Serif-Bold"), 11)
    _label_value(c, "ISSUED BY", content.issuer, 58, _font("Sans-Bold"), 9.5)

    left, right = RIGHT_COLUMN
    width = right - left
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 7)
    c.drawRightString(right, 97, "CERTIFICATE CODE")
    c.setFillColor(INK)
    c.setFont(_font("Sans-Bold"), layout.fit(content.code, _font("Sans-Bold"), 10.5, width, 6))
    c.drawRightString(right, 84, content.code)
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 7)
    c.drawRightString(right, 68, "Scan the code or visit")
    lines, url_size = layout.fit_lines(content.verify_url, _font("Sans"), 7.5, width, 5.5)
    c.setFont(_font("Sans"), url_size)
    c.setFillColor(BLUE)
    for i, line in enumerate(lines):
        c.drawRightString(right, 57 - i * (url_size + 1.5), line)

    # The QR code fills the corner between the footer rule and the inner frame: 80 pt (28 mm) a
    # side, so the ~140 characters of an address with its signature (49 modules) still decode from
    # a 100 dpi scan (tests/certificates/test_qr_scan.py).
    target = content.qr_url or content.verify_url
    layout.draw_qr(c, target, QR_X, QR_Y, QR_SIZE)
    c.linkURL(target, (QR_X, QR_Y, QR_X + QR_SIZE, QR_Y + QR_SIZE), relative=0)


def render(content: CertificateContent) -> bytes:
    """Draw the certificate page and return the (unsealed) PDF."""
    register_fonts()
    buffer = BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, lang="en", initialFontName=_font("Sans"))
    info = _Info()
    info.code = content.code
    c._doc.info = info  # reportlab has no public hook for custom document-info keys
    c.setTitle(f"Certificate: {content.course_title}")
    c.setAuthor(content.issuer)
    c.setSubject(f"Certificate of completion awarded to {content.holder_name}")
    c.setKeywords(f"certificate {content.code}")
    c.setCreator("Interreg Academy")

    layout.draw_frame(c)
    text_w = PAGE_W - 2 * MARGIN
    y = _draw_heading(c, content, text_w)

    outcomes_top = y - 26
    if content.parts:
        outcomes_top -= layout.draw_parts(c, content.parts, content.parts_heading, outcomes_top, text_w - 60)
    if content.outcomes and outcomes_top - 8 - OUTCOMES_BOTTOM >= 12:
        layout.centre(c, layout.spaced("Learning outcomes achieved"), outcomes_top, _font("Sans-Bold"), 8, GOLD)
        height = outcomes_top - 8 - OUTCOMES_BOTTOM
        layout.draw_outcomes(c, content.outcomes, MARGIN + 30, outcomes_top - 8, text_w - 60, height)

    _draw_signatory(c, *signatory(content))
    _draw_footer(c, content)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _draw_heading(c: Canvas, content: CertificateContent, text_w: float) -> float:
    """Issuer, title, holder, course and its facts; returns the baseline reached."""
    layout.draw_logo(c, PAGE_W / 2 - 18, PAGE_H - 96, 36)
    layout.centre(c, layout.spaced(content.issuer), PAGE_H - 114, _font("Sans-Bold"), 9.5, BLUE)
    layout.centre(c, "Certificate of Completion", PAGE_H - 152, _font("Serif-Bold"), 32, BLUE_DARK)
    layout.centre(c, "This is to certify that", PAGE_H - 180, _font("Serif-Italic"), 13, MUTED)

    name_size = layout.fit(content.holder_name, _font("Serif-Bold"), 30, text_w - 120, 16)
    layout.centre(c, content.holder_name, PAGE_H - 218, _font("Serif-Bold"), name_size)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.line(PAGE_W / 2 - 170, PAGE_H - 229, PAGE_W / 2 + 170, PAGE_H - 229)

    layout.centre(c, content.completed_phrase, PAGE_H - 250, _font("Serif-Italic"), 12, MUTED)
    title_font = _font("Sans-Bold")
    title_lines = simpleSplit(content.course_title, title_font, 18, text_w)
    title_size = 18
    if len(title_lines) > 2:
        title_size = 14
        title_lines = simpleSplit(content.course_title, title_font, title_size, text_w)[:2]
    y = PAGE_H - 276
    for line in title_lines:
        layout.centre(c, line, y, title_font, title_size, BLUE)
        y -= title_size * 1.2
    hours = _number(content.hours)
    facts = [f"Version {content.version_number}", f"{hours} hour{'' if hours == '1' else 's'} of study"]
    if not content.show_version:
        facts = facts[1:]  # an achievement without versions
    if content.credits:
        credits = _number(content.credits)
        facts.append(f"{credits} ECTS credit{'' if credits == '1' else 's'}")
    layout.centre(c, "  ·  ".join(facts), y - 4, _font("Sans"), 10.5, INK)
    if content.replaces_on:
        y -= 14
        note = f"Corrected re-issue replacing the certificate dated {_date(content.replaces_on)}"
        layout.centre(c, note, y - 4, _font("Serif-Italic"), 8.5, MUTED)
    return y
