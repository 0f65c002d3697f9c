"""Drawing helpers of the certificate page: frame, logo, QR code, centred text, outcome columns.

academy/certificates/pdf.py composes the page from these; nothing here knows what a certificate
says.
"""

from __future__ import annotations

import math
import re

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = landscape(A4)
BLUE = HexColor("#0b3d91")
BLUE_DARK = HexColor("#072a66")
GOLD = HexColor("#b08d2a")
YELLOW = HexColor("#ffcc00")
INK = HexColor("#1b1f24")
MUTED = HexColor("#4a5563")
PAPER = HexColor("#fdfcf8")
TINT = Color(0.043, 0.239, 0.569, alpha=0.045)
_PREFIX = "AcademyDejaVu"


def font(name: str) -> str:
    """The registered name of one of the vendored DejaVu fonts ("Sans", "Serif-Bold"...)."""
    return f"{_PREFIX}-{name}"


def fit(text: str, font: str, size: float, width: float, minimum: float) -> float:
    """The largest size up to `size` at which `text` fits `width`, not below `minimum`."""
    actual = pdfmetrics.stringWidth(text, font, size)
    if actual <= width:
        return size
    return max(minimum, size * width / actual)


def fit_lines(text: str, font_name: str, size: float, width: float, minimum: float) -> tuple[list[str], float]:
    """One line shrunk to fit down to `minimum`; else two lines at spaces, or an address broken after its "/"."""
    if pdfmetrics.stringWidth(text, font_name, minimum) <= width:
        return [text], fit(text, font_name, size, width, minimum)
    if " " in text.strip():
        for s in (size, (size + minimum) / 2, minimum):
            lines = simpleSplit(text, font_name, s, width)
            if len(lines) <= 2:
                return lines, s
        lines = simpleSplit(text, font_name, minimum, width)
        return lines[:2], minimum
    # An address: break after a "/" wherever the line is full (a part longer than a line is cut).
    lines = [""]
    for part in re.findall(r"[^/]*/|[^/]+$", text):
        while pdfmetrics.stringWidth(part, font_name, minimum) > width:
            cut = max(1, int(len(part) * width / pdfmetrics.stringWidth(part, font_name, minimum)) - 1)
            lines, part = [*[line for line in lines if line], part[:cut]], part[cut:]
            lines.append("")
        if lines[-1] and pdfmetrics.stringWidth(lines[-1] + part, font_name, minimum) > width:
            lines.append("")
        lines[-1] += part
    lines = [line for line in lines if line]
    return lines, min(fit(line, font_name, size, width, minimum) for line in lines)


def draw_logo(c: Canvas, x: float, y: float, size: float) -> None:
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


def draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
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


def draw_frame(c: Canvas) -> None:
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


def centre(c: Canvas, text: str, y: float, font: str, size: float, color: Color = INK) -> None:
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawCentredString(PAGE_W / 2, y, text)


def spaced(text: str) -> str:
    return "\u2009".join(text.upper())


def _balanced(heights: list[float], columns: int, height: float) -> list[tuple[int, float]] | None:
    """As many blocks in each column (the last may have fewer), or None if a column overflows."""
    per_column = -(-len(heights) // columns)
    places = []
    for i, h in enumerate(heights):
        column, row = divmod(i, per_column)
        offset = sum(heights[column * per_column : column * per_column + row])
        if offset + h > height:
            return None
        places.append((column, offset))
    return places


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


def draw_outcomes(
    c: Canvas, outcomes: list[tuple[str, str]], x: float, top: float, width: float, height: float
) -> None:
    """The outcomes across the page in up to three columns, shrunk until they fit; beyond that, the rest summarised."""
    if not outcomes:
        return
    # Across the page: two outcomes side by side, three columns from five on; one alone is centred.
    columns = 1 if len(outcomes) == 1 else 2 if len(outcomes) <= 4 else 3
    if columns == 1:
        x, width = x + width / 4, width / 2
    gap = 24
    col_w = (width - gap * (columns - 1)) / columns
    code_w = 30
    shown = outcomes
    for size in (10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5):
        leading = size * 1.28
        blocks = [simpleSplit(text, font("Sans"), size, col_w - code_w) for _, text in outcomes]
        heights = [len(lines) * leading + size * 0.45 for lines in blocks]
        places = _balanced(heights, columns, height) or _flow(heights, columns, height)
        if places is not None:
            break
    else:
        # Even the smallest size overflows: show what fits at a readable size and say where the rest is.
        size, leading = 8, 8 * 1.28
        blocks = [simpleSplit(text, font("Sans"), size, col_w - code_w) for _, text in outcomes]
        heights = [len(lines) * leading + size * 0.45 for lines in blocks]
        note_h = leading + 2
        count = len(outcomes)
        while count > 0 and _flow(heights[:count], columns, height - note_h) is None:
            count -= 1
        places = _flow(heights[:count], columns, height - note_h) or []
        shown = outcomes[:count]
        c.setFont(font("Serif-Italic"), size)
        c.setFillColor(MUTED)
        more = len(outcomes) - count
        c.drawCentredString(
            x + width / 2, top - height + 2, f"… and {more} more learning outcomes on the verification page"
        )
    for (code, _), lines, (column, offset) in zip(shown, blocks, places, strict=False):
        left = x + column * (col_w + gap)
        y = top - offset - size
        c.setFont(font("Sans-Bold"), size)
        c.setFillColor(BLUE)
        c.drawString(left, y, code[:6])
        c.setFont(font("Sans"), size)
        c.setFillColor(INK)
        for line in lines:
            c.drawString(left + code_w, y, line)
            y -= leading


def draw_parts(c: Canvas, parts: list[tuple[str, str]], heading: str, top: float, width: float) -> float:
    """The achievement's parts done under `heading`, one centred line each (at most eight); returns the height."""
    centre(c, spaced(heading), top, font("Sans-Bold"), 8, GOLD)
    y = top - 13
    shown = parts[:8]
    for title, detail in shown:
        line = f"{title} — {detail}" if detail else title
        size = fit(line, font("Sans"), 8.5, width, 6)
        centre(c, line, y, font("Sans"), size, INK)
        y -= 11
    if len(parts) > len(shown):
        centre(c, f"… and {len(parts) - len(shown)} more on the verification page", y, font("Sans"), 7.5, MUTED)
        y -= 11
    return top - y + 8
