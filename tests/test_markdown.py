"""The shared Markdown renderer: useful formatting in, only safe HTML out."""

from __future__ import annotations

import pytest

from academy.markdown import LinkedFile, render, sanitise


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


def test_posts_never_show_images_even_of_attachments():
    html = str(render("![map](attachment:1) ![x](https://example.org/a.png)"))
    assert "<img" not in html


def test_with_files_only_resolved_images_become_img_tags():
    def files(address: str) -> LinkedFile | None:
        return {"attachment:1": LinkedFile(url="/c/x/documents/1/files/1", alt="Map", is_image=True)}.get(address)

    html = str(render("![](attachment:1) ![x](attachment:2) ![y](//evil.example/a.png)", files=files))
    assert html.count("<img") == 1
    assert '<img src="/c/x/documents/1/files/1" alt="Map">' in html  # the description given at upload


def test_the_image_sanitiser_keeps_only_local_addresses():
    html = sanitise(
        '<img src="/c/x/f/1" alt="ok"><img src="//evil.example/a.png"><img src="https://evil.example/b.png">'
        '<img src="data:image/png;base64,AAAA"><img src="javascript:alert(1)" onerror="alert(1)">',
        images=True,
    )
    assert html.count('src="') == 1 and 'src="/c/x/f/1"' in html and "onerror" not in html
    assert "<img" not in sanitise('<img src="/c/x/f/1">')
