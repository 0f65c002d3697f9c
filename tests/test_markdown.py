"""The shared Markdown renderer: useful formatting in, only safe HTML out."""

from __future__ import annotations

import pytest

from academy.markdown import render


def test_formats_common_markdown():
    html = render("**bold** and *it*\n\n- one\n- two\n\n`code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<li>one</li>" in html and "<code>code</code>" in html and "<table>" in html


def test_links_get_rel_and_keep_safe_schemes():
    html = render("[Interreg](https://interreg.eu) [mail](mailto:a@b.eu)")
    assert 'href="https://interreg.eu"' in html and "noopener" in html and 'href="mailto:a@b.eu"' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "![x](https://tracker.example/pixel.png)",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_dangerous_input_is_inert(source):
    html = str(render(source))
    assert "<script" not in html and "<img" not in html
    assert '<a href="javascript' not in html.lower() and '<a href="data' not in html and '<a href="vbscript' not in html


def test_mentions_need_a_resolver():
    assert "@[Ana]" in render("hi @[Ana]")
    html = render("hi @[Ana] and @[Bob]", mentions=lambda name: "/people/1" if name == "Ana" else None)
    assert '<a href="/people/1" class="mention"' in html and "@[Bob]" in html


def test_empty_text():
    assert render("") == ""


def test_a_wide_table_scrolls_inside_a_focusable_box():
    html = str(render("| a | b |\n|---|---|\n| 1 | 2 |\n", table_label="Table <scrolls>"))
    assert html.startswith('<div class="table-scroll" role="region" tabindex="0" aria-label="Table &lt;scrolls&gt;">')
    assert html.rstrip().endswith("</table></div>")
