"""A document's Markdown as a Word file (python-docx) or a PDF (reportlab), from markdown-it tokens.

Images the document holds (`![description](attachment:12)`) are put in at their place, at most the
width of the text (96 pixels to the inch); any other image is written as its description.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from academy.community.documents.files import referenced
from academy.community.documents.models import Document
from academy.community.services.files import blob_path

# Widest and tallest an image may be: A4 with 20 mm margins on both sides, less room for a heading.
MAX_IMAGE_WIDTH_MM, MAX_IMAGE_HEIGHT_MM = 170.0, 230.0
MM_PER_PIXEL = 25.4 / 96

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core (see .ci/run)
_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_fonts_lock = threading.Lock()


@dataclass
class Run:
    """A stretch of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    image: Path | None = None  # an image file to show here (`text` is its description)


def image_mm(path: Path) -> tuple[float, float]:
    """The image's size on paper in millimetres: 96 pixels to the inch, shrunk to fit the page."""
    from PIL import Image

    with Image.open(path) as picture:
        width, height = picture.size
    scale = min(1.0, MAX_IMAGE_WIDTH_MM / (width * MM_PER_PIXEL), MAX_IMAGE_HEIGHT_MM / (height * MM_PER_PIXEL))
    return width * MM_PER_PIXEL * scale, height * MM_PER_PIXEL * scale


def image_paths(document: Document) -> dict[str, Path]:
    """`attachment:<id>` addresses of the document's images that its text shows, to their stored files."""
    return {
        f"attachment:{file.id}": blob_path(file.sha256)
        for file in referenced(document, document.body).values()
        if file.is_image and blob_path(file.sha256).is_file()
    }


@dataclass
class Block:
    """A heading, paragraph, list item, quote, code block, rule or table."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    rows: list[list[list[Run]]] = field(default_factory=list)
    number: int = 0  # the item's number in an ordered list


def _runs(inline: Token, images: dict[str, Path]) -> list[Run]:
    runs: list[Run] = []
    state = {"bold": False, "italic": False, "strike": False}
    href = ""
    for child in inline.children or []:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            state["bold"] = kind == "strong_open"
        elif kind in ("em_open", "em_close"):
            state["italic"] = kind == "em_open"
        elif kind in ("s_open", "s_close"):
            state["strike"] = kind == "s_open"
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            if href and not href.startswith("#"):
                runs.append(Run(f" ({href})", **state))
            href = ""
        elif kind == "code_inline":
            runs.append(Run(child.content, code=True, **state))
        elif kind == "image":
            path = images.get(str(child.attrs.get("src", "")).strip())
            runs.append(Run(child.content, image=path) if path else Run(child.content, **state))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" " if kind == "softbreak" else "\n", **state))
        elif child.content:
            runs.append(Run(child.content, **state))
    return runs


def blocks(text: str, images: dict[str, Path] | None = None) -> list[Block]:
    """The Markdown text as a flat list of blocks; `images` maps image addresses to files to show."""
    images = images or {}
    out: list[Block] = []
    lists: list[list] = []  # [kind, items so far, start] per open list
    quote = 0
    table: Block | None = None
    tokens = _MD.parse(text or "")
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1) if kind == "ordered_list_open" else 1
            lists.append(["bullet" if kind == "bullet_list_open" else "number", 0, start])
        elif kind == "list_item_open" and lists:
            lists[-1][1] += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "table_open":
            table = Block("table")
        elif kind == "table_close" and table is not None:
            out.append(table)
            table = None
        elif kind == "tr_open" and table is not None:
            table.rows.append([])
        elif kind == "inline" and table is not None and table.rows:
            table.rows[-1].append(_runs(token, images))
        elif kind == "inline":
            opener = tokens[i - 1].type if i else ""
            if opener == "heading_open":
                out.append(Block("heading", _runs(token, images), level=int(tokens[i - 1].tag[1])))
            elif lists:
                kind_of, count, start = lists[-1]
                out.append(Block(kind_of, _runs(token, images), level=len(lists), number=start + count - 1))
            else:
                out.append(Block("quote" if quote else "paragraph", _runs(token, images)))
        elif kind in ("fence", "code_block"):
            out.append(Block("code", [Run(token.content.rstrip("\n"), code=True)]))
        elif kind == "hr":
            out.append(Block("rule"))
    return out


def to_docx(document: Document) -> io.BytesIO:
    """The document as a .docx file."""
    from docx import Document as WordDocument
    from docx.shared import Mm

    word = WordDocument()
    word.core_properties.title = document.title
    word.add_heading(document.title, level=0)

    def fill(paragraph, runs: list[Run]) -> None:  # noqa: ANN001
        for r in runs:
            if r.image is not None:
                width, height = image_mm(r.image)
                shape = paragraph.add_run().add_picture(str(r.image), width=Mm(width), height=Mm(height))
                shape._inline.docPr.set("descr", r.text)  # the alt text Word reads out
                continue
            run = paragraph.add_run(r.text)
            run.bold, run.italic = r.bold or None, r.italic or None
            run.font.strike = r.strike or None
            if r.code:
                run.font.name = "Courier New"

    for block in blocks(document.body, image_paths(document)):
        if block.kind == "heading":
            fill(word.add_heading("", level=min(block.level, 9)), block.runs)
        elif block.kind in ("bullet", "number"):
            style = "List Bullet" if block.kind == "bullet" else "List Number"
            fill(word.add_paragraph(style=style if block.level == 1 else f"{style} {min(block.level, 3)}"), block.runs)
        elif block.kind == "quote":
            fill(word.add_paragraph(style="Quote"), block.runs)
        elif block.kind == "rule":
            word.add_paragraph("―" * 20)
        elif block.kind == "table" and block.rows:
            width = max(len(row) for row in block.rows)
            grid = word.add_table(rows=len(block.rows), cols=width)
            grid.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    fill(grid.cell(r, c).paragraphs[0], cell)
        else:
            fill(word.add_paragraph(), block.runs)
    out = io.BytesIO()
    word.save(out)
    out.seek(0)
    return out


def _pdf_fonts() -> tuple[str, str, str, str, str]:
    """(regular, bold, italic, bold italic, mono) font names; DejaVu when installed, else the PDF base fonts."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
    names = ("DocSans", "DocSans-Bold", "DocSans-Italic", "DocSans-BoldItalic")
    if not all((FONT_DIR / f).is_file() for f in files):
        return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique", "Courier"
    with _fonts_lock:
        if names[0] not in pdfmetrics.getRegisteredFontNames():
            for name, filename in zip(names, files, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            addMapping("DocSans", 0, 0, names[0])
            addMapping("DocSans", 1, 0, names[1])
            addMapping("DocSans", 0, 1, names[2])
            addMapping("DocSans", 1, 1, names[3])
            mono = FONT_DIR / "DejaVuSansMono.ttf"
            if mono.is_file():
                pdfmetrics.registerFont(TTFont("DocMono", str(mono)))
    mono_name = "DocMono" if "DocMono" in pdfmetrics.getRegisteredFontNames() else "Courier"
    return (*names, mono_name)  # type: ignore[return-value]


def _markup(runs: list[Run], mono: str) -> str:
    parts = []
    for r in runs:
        text = escape(r.text).replace("\n", "<br/>")
        if r.code:
            text = f'<font face="{mono}">{text}</font>'
        if r.strike:
            text = f"<strike>{text}</strike>"
        if r.italic:
            text = f"<i>{text}</i>"
        if r.bold:
            text = f"<b>{text}</b>"
        parts.append(text)
    return "".join(parts)


def _split_images(runs: list[Run]) -> list[list[Run] | Path]:
    """Text runs and image files in order, for a PDF that shows images as blocks of their own."""
    out: list[list[Run] | Path] = [[]]
    for r in runs:
        if r.image is not None:
            out += [r.image, []]
        else:
            out[-1].append(r)  # type: ignore[union-attr]
    return out


def to_pdf(document: Document) -> io.BytesIO:
    """The document as an A4 PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        HRFlowable,
        Image,
        Paragraph,
        Preformatted,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold, _italic, _bold_italic, mono = _pdf_fonts()
    family = "DocSans" if regular == "DocSans" else "Helvetica"
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("DocBody", parent=sheet["BodyText"], fontName=family, fontSize=10.5, leading=14)
    quote = ParagraphStyle("DocQuote", parent=body, leftIndent=8 * mm, textColor="#444444")
    code = ParagraphStyle("DocCode", parent=body, fontName=mono, fontSize=9, leading=12, leftIndent=4 * mm)
    headings = {n: ParagraphStyle(f"DocH{n}", parent=sheet[f"Heading{min(n, 6)}"], fontName=bold) for n in range(1, 7)}
    story = [Paragraph(escape(document.title), ParagraphStyle("DocTitle", parent=sheet["Title"], fontName=bold))]
    for block in blocks(document.body, image_paths(document)):
        if any(r.image for r in block.runs):
            # Images stand on their own between the text around them.
            for piece in _split_images(block.runs):
                if isinstance(piece, Path):
                    width, height = image_mm(piece)
                    story.append(Image(str(piece), width=width * mm, height=height * mm))
                elif piece:
                    story.append(Paragraph(_markup(piece, mono), body))
            story.append(Spacer(1, 2 * mm))
            continue
        text = _markup(block.runs, mono)
        if block.kind == "heading":
            story.append(Paragraph(text, headings[min(block.level, 6)]))
        elif block.kind in ("bullet", "number"):
            indent = ParagraphStyle("DocItem", parent=body, leftIndent=6 * mm * block.level)
            story.append(Paragraph(text, indent, bulletText="•" if block.kind == "bullet" else f"{block.number}."))
        elif block.kind == "quote":
            story.append(Paragraph(text, quote))
        elif block.kind == "code":
            story.append(Preformatted(block.runs[0].text if block.runs else "", code))
        elif block.kind == "rule":
            story.append(HRFlowable(width="100%"))
        elif block.kind == "table" and block.rows:
            width = max(len(row) for row in block.rows)
            data = [
                [Paragraph(_markup(cell, mono), body) for cell in row] + [""] * (width - len(row)) for row in block.rows
            ]
            grid = Table(data, repeatRows=1)
            grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(grid)
        else:
            story.append(Paragraph(text, body))
        story.append(Spacer(1, 2 * mm))
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, title=document.title, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm
    ).build(story)
    out.seek(0)
    return out
