"""The certificate as a PDF page: A4 landscape, drawn with reportlab in embedded DejaVu fonts.

Rendering happens once, at issue; the sealed result is stored and never drawn again. This
module knows nothing of the database: it draws a `CertificateContent`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import qrcode
from babel.dates import format_date
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from academy.certificates.signing import SealBox

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {
    "Sans": "DejaVuSans.ttf",
    "Sans-Bold": "DejaVuSans-Bold.ttf",
    "Serif-Bold": "DejaVuSerif-Bold.ttf",
    "Serif-Italic": "DejaVuSerif-Italic.ttf",
}
_PREFIX = "AcademyDejaVu"
_fonts_lock = threading.Lock()

PAGE_W, PAGE_H = landscape(A4)
BLUE = HexColor("#0b3d91")
BLUE_DARK = HexColor("#072a66")
GOLD = HexColor("#b08d2a")
YELLOW = HexColor("#ffcc00")
INK = HexColor("#1b1f24")
MUTED = HexColor("#4a5563")
PAPER = HexColor("#fdfcf8")
TINT = Color(0.043, 0.239, 0.569, alpha=0.045)

# Bottom band: the visible seal sits in the middle, between the dates and the QR code.
QR_SIZE = 80  # with six or more modules of blank paper between it and the frame
QR_X, QR_Y = PAGE_W - 48 - QR_SIZE, 46
SEAL_BOX = SealBox(x1=PAGE_W / 2 - 95, y1=52, x2=PAGE_W / 2 + 95, y2=104)


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
    # Programme certificates: the courses and sessions that made it up, as (title, detail).
    parts: list[tuple[str, str]] = field(default_factory=list)
    programme: bool = False


def _font(name: str) -> str:
    return f"{_PREFIX}-{name}"


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


def _fit(text: str, font: str, size: float, width: float, minimum: float) -> float:
    """The largest size up to `size` at which `text` fits `width`, not below `minimum`."""
    actual = pdfmetrics.stringWidth(text, font, size)
    if actual <= width:
        return size
    return max(minimum, size * width / actual)


def _draw_logo(c: Canvas, x: float, y: float, size: float) -> None:
    # The Academy mark (static/img/logo.svg) in vectors: twelve stars around a rising arrow.
    s = size / 48
    c.setFillColor(BLUE)
    c.roundRect(x, y, size, size, 10 * s, stroke=0, fill=1)
    c.setFillColor(YELLOW)
    stars = [(24, 9), (31.5, 11), (37, 16.5), (39, 24), (37, 31.5), (31.5, 37), (24, 39), (16.5, 37), (11, 31.5)]
    stars += [(9, 24), (11, 16.5), (16.5, 11)]
    path = c.beginPath()
    for cx, cy in stars:
        path.circle(x + cx * s, y + (48 - cy) * s, 2.2 * s)
    c.drawPath(path, stroke=0, fill=1)
    c.setFillColor(HexColor("#ffffff"))
    arrow = c.beginPath()
    points = [(16, 28), (24, 18), (32, 28), (28, 28), (28, 33), (20, 33), (20, 28)]
    arrow.moveTo(x + points[0][0] * s, y + (48 - points[0][1]) * s)
    for px, py in points[1:]:
        arrow.lineTo(x + px * s, y + (48 - py) * s)
    arrow.close()
    c.drawPath(arrow, stroke=0, fill=1)


def _draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of horizontal runs (reportlab's widget is ~7x slower)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    module = size / n
    path = c.beginPath()
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * module
        col = 0
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                # A hair of overlap hides the seams some viewers draw between adjacent rectangles.
                path.rect(x + start * module, top, (col - start) * module + 0.02, module + 0.02)
            else:
                col += 1
    c.setFillColor(INK)
    c.drawPath(path, stroke=0, fill=1)


def _draw_frame(c: Canvas) -> None:
    c.setFillColor(PAPER)
    c.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    # Outer band, inner hairline and corner marks: the look of an engraved diploma, kept simple.
    c.setStrokeColor(BLUE)
    c.setLineWidth(9)
    c.rect(20, 20, PAGE_W - 40, PAGE_H - 40, stroke=1, fill=0)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.2)
    c.rect(32, 32, PAGE_W - 64, PAGE_H - 64, stroke=1, fill=0)
    c.setLineWidth(0.5)
    c.rect(36, 36, PAGE_W - 72, PAGE_H - 72, stroke=1, fill=0)
    c.setFillColor(GOLD)
    for cx, cy in ((36, 36), (PAGE_W - 36, 36), (36, PAGE_H - 36), (PAGE_W - 36, PAGE_H - 36)):
        diamond = c.beginPath()
        diamond.moveTo(cx, cy - 6)
        diamond.lineTo(cx + 6, cy)
        diamond.lineTo(cx, cy + 6)
        diamond.lineTo(cx - 6, cy)
        diamond.close()
        c.drawPath(diamond, stroke=0, fill=1)
    # A faint ring of twelve stars behind the text.
    c.setFillColor(TINT)
    ring = c.beginPath()
    for i in range(12):
        angle = math.pi / 2 - i * math.pi / 6
        _star(ring, PAGE_W / 2 + 150 * math.cos(angle), PAGE_H / 2 + 10 + 150 * math.sin(angle), 14)
    c.drawPath(ring, stroke=0, fill=1)


def _star(path, cx: float, cy: float, radius: float) -> None:  # noqa: ANN001
    """Add a five-pointed star to `path`."""
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        angle = math.pi / 2 + i * math.pi / 5
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()


def _centre(c: Canvas, text: str, y: float, font: str, size: float, color: Color = INK) -> None:
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawCentredString(PAGE_W / 2, y, text)


def _spaced(text: str) -> str:
    return "\u2009".join(text.upper())


def _flow(heights: list[float], columns: int, height: float) -> list[tuple[int, float]] | None:
    """Place blocks top to bottom, column after column; (column, offset) each, or None if they do not fit."""
    places = []
    column, used = 0, 0.0
    for h in heights:
        if used + h > height and used > 0:
            column, used = column + 1, 0.0
        if column >= columns or h > height:
            return None
        places.append((column, used))
        used += h
    return places


def _draw_outcomes(
    c: Canvas, outcomes: list[tuple[str, str]], x: float, top: float, width: float, height: float
) -> None:
    """The outcomes in one or two columns, shrunk until they fit; beyond that, the rest summarised."""
    if not outcomes:
        return
    columns = 1 if len(outcomes) <= 3 else 2
    gap = 24
    col_w = (width - gap * (columns - 1)) / columns
    code_w = 30
    shown = outcomes
    for size in (10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5):
        leading = size * 1.28
        blocks = [simpleSplit(text, _font("Sans"), size, col_w - code_w) for _, text in outcomes]
        heights = [len(lines) * leading + size * 0.45 for lines in blocks]
        places = _flow(heights, columns, height)
        if places is not None:
            break
    else:
        # Even the smallest size overflows: show what fits and say where the rest is.
        note_h = leading + 2
        count = len(outcomes)
        while count > 0 and _flow(heights[:count], columns, height - note_h) is None:
            count -= 1
        places = _flow(heights[:count], columns, height - note_h) or []
        shown = outcomes[:count]
        c.setFont(_font("Serif-Italic"), size)
        c.setFillColor(MUTED)
        more = len(outcomes) - count
        c.drawCentredString(
            x + width / 2, top - height + 2, f"… and {more} more learning outcomes on the verification page"
        )
    for (code, _), lines, (column, offset) in zip(shown, blocks, places, strict=False):
        left = x + column * (col_w + gap)
        y = top - offset - size
        c.setFont(_font("Sans-Bold"), size)
        c.setFillColor(BLUE)
        c.drawString(left, y, code[:6])
        c.setFont(_font("Sans"), size)
        c.setFillColor(INK)
        for line in lines:
            c.drawString(left + code_w, y, line)
            y -= leading


def _draw_parts(c: Canvas, parts: list[tuple[str, str]], top: float, width: float) -> float:
    """The programme's completed parts, one centred line each (at most eight); returns the height used."""
    _centre(c, _spaced("Programme components completed"), top, _font("Sans-Bold"), 8, GOLD)
    y = top - 13
    shown = parts[:8]
    for title, detail in shown:
        line = f"{title} — {detail}" if detail else title
        size = _fit(line, _font("Sans"), 8.5, width, 6)
        _centre(c, line, y, _font("Sans"), size, INK)
        y -= 11
    if len(parts) > len(shown):
        _centre(c, f"… and {len(parts) - len(shown)} more on the verification page", y, _font("Sans"), 7.5, MUTED)
        y -= 11
    return top - y + 8


def _date(value: date) -> str:
    return format_date(value, "d MMMM y", locale="en")


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

    _draw_frame(c)
    margin = 70
    text_w = PAGE_W - 2 * margin

    _draw_logo(c, PAGE_W / 2 - 18, PAGE_H - 96, 36)
    _centre(c, _spaced(content.issuer), PAGE_H - 114, _font("Sans-Bold"), 9.5, BLUE)
    _centre(c, "Certificate of Completion", PAGE_H - 152, _font("Serif-Bold"), 32, BLUE_DARK)
    _centre(c, "This is to certify that", PAGE_H - 180, _font("Serif-Italic"), 13, MUTED)

    name_size = _fit(content.holder_name, _font("Serif-Bold"), 30, text_w - 120, 16)
    _centre(c, content.holder_name, PAGE_H - 218, _font("Serif-Bold"), name_size)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.line(PAGE_W / 2 - 170, PAGE_H - 229, PAGE_W / 2 + 170, PAGE_H - 229)

    completed = "has successfully completed the training programme" if content.programme else None
    _centre(c, completed or "has successfully completed the course", PAGE_H - 250, _font("Serif-Italic"), 12, MUTED)
    title_font = _font("Sans-Bold")
    title_lines = simpleSplit(content.course_title, title_font, 18, text_w)
    title_size = 18
    if len(title_lines) > 2:
        title_size = 14
        title_lines = simpleSplit(content.course_title, title_font, title_size, text_w)[:2]
    y = PAGE_H - 276
    for line in title_lines:
        _centre(c, line, y, title_font, title_size, BLUE)
        y -= title_size * 1.2
    hours = _number(content.hours)
    facts = [f"Version {content.version_number}", f"{hours} hour{'' if hours == '1' else 's'} of study"]
    if content.programme:
        facts = facts[1:]  # programmes have no versions
    if content.credits:
        credits = _number(content.credits)
        facts.append(f"{credits} ECTS credit{'' if credits == '1' else 's'}")
    _centre(c, "  ·  ".join(facts), y - 4, _font("Sans"), 10.5, INK)
    if content.replaces_on:
        y -= 14
        note = f"Corrected re-issue replacing the certificate dated {_date(content.replaces_on)}"
        _centre(c, note, y - 4, _font("Serif-Italic"), 8.5, MUTED)

    outcomes_top = y - 26
    outcomes_height = 128.0
    if content.parts:
        used = _draw_parts(c, content.parts, outcomes_top, text_w - 60)
        outcomes_top -= used
        outcomes_height = max(outcomes_height - used, 30)
    if content.outcomes:
        _centre(c, _spaced("Learning outcomes achieved"), outcomes_top, _font("Sans-Bold"), 8, GOLD)
        _draw_outcomes(
            c, content.outcomes, margin + 30, outcomes_top - 8, text_w - 60, outcomes_top - 8 - outcomes_height
        )

    # Footer: dates and issuer on the left, the seal in the middle, the QR code on the right.
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.5)
    c.line(margin, 116, QR_X - 12, 116)  # stops short of the QR code's quiet zone
    left = margin
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 8)
    c.drawString(left, 96, "DATE OF ISSUE")
    c.setFillColor(INK)
    c.setFont(_font("Serif-Bold"), 11.5)
    c.drawString(left, 82, _date(content.issued_on))
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 8)
    c.drawString(left + 130, 96, "VALID UNTIL")
    c.setFillColor(INK)
    c.setFont(_font("Serif-Bold"), 11.5)
    c.drawString(left + 130, 82, _date(content.expires_on) if content.expires_on else "No expiry")
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 8)
    c.drawString(left, 62, "ISSUED BY")
    c.setFillColor(INK)
    c.setFont(_font("Sans-Bold"), 9.5)
    issuer_size = _fit(content.issuer, _font("Sans-Bold"), 9.5, SEAL_BOX.x1 - left - 12, 6)
    c.setFont(_font("Sans-Bold"), issuer_size)
    c.drawString(left, 49, content.issuer)

    # The QR code fills the corner between the footer rule and the inner frame: 80 pt (28 mm) a
    # side, so the ~140 characters of an address with its signature (49 modules) still decode from
    # a 100 dpi scan (tests/certificates/test_qr_scan.py).
    qr_size, qr_y = QR_SIZE, QR_Y
    qr_x = QR_X
    _draw_qr(c, content.qr_url or content.verify_url, qr_x, qr_y, qr_size)
    right = qr_x - 12
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 8)
    c.drawRightString(right, 96, "CERTIFICATE CODE")
    c.setFillColor(INK)
    c.setFont(_font("Sans-Bold"), 10.5)
    c.drawRightString(right, 82, content.code)
    c.setFillColor(MUTED)
    c.setFont(_font("Sans"), 7.5)
    c.drawRightString(right, 62, "Scan the code or visit")
    url_size = _fit(content.verify_url, _font("Sans"), 7.5, right - SEAL_BOX.x2 - 10, 5)
    c.setFont(_font("Sans"), url_size)
    c.setFillColor(BLUE)
    c.drawRightString(right, 51, content.verify_url)
    c.linkURL(content.qr_url or content.verify_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)

    c.showPage()
    c.save()
    return buffer.getvalue()
