"""Markdown documents as Word and PDF: headings, lists, tables and emphasis survive."""

from __future__ import annotations

import io
import shutil
import subprocess
from types import SimpleNamespace

from docx import Document as WordDocument

from academy.community.documents import export
from tests.services import skip_or_fail

DOC = SimpleNamespace(
    title="Prüfliste für die Kontrolle",
    body=(
        "# Staff costs\n\nCheck **every** payslip and *some* contracts.\n\n- Payslips\n- Time sheets\n\n"
        "1. Sample\n2. Report\n\n| Cost | Rate |\n|---|---|\n| Office | 15 % |\n\n```\nrate = 0.15\n```\n"
    ),
)


def test_word_file_keeps_structure():
    word = WordDocument(io.BytesIO(export.to_docx(DOC).read()))
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", "Prüfliste für die Kontrolle") in paragraphs
    assert ("Heading 1", "Staff costs") in paragraphs
    assert ("List Bullet", "Time sheets") in paragraphs and ("List Number", "Report") in paragraphs
    emphasis = next(p for p in word.paragraphs if p.text.startswith("Check"))
    assert [r.text for r in emphasis.runs if r.bold] == ["every"]
    assert [[c.text for c in row.cells] for row in word.tables[0].rows] == [["Cost", "Rate"], ["Office", "15 %"]]


def test_pdf_holds_the_text():
    pdf = export.to_pdf(DOC).read()
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext is missing (apt-get install poppler-utils)")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for expected in ("Prüfliste für die Kontrolle", "Staff costs", "every payslip", "2.", "Office", "rate = 0.15"):
        assert expected in text
