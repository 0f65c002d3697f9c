from academy.markdown import render


def test_renders_commonmark_and_tables():
    html = render("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n*em* and **strong**")
    assert "<h1>Title</h1>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html


def test_raw_html_and_scripts_are_not_interpreted():
    html = render('<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_links_get_safe_rel_and_dangerous_schemes_are_dropped():
    html = render("[ok](https://interreg.eu) [bad](javascript:alert(1))")
    assert '<a href="https://interreg.eu" rel="' in html and "noopener noreferrer" in html
    assert 'href="javascript' not in html


def test_returns_markup_that_jinja_does_not_escape_again():
    assert render("a & b").__html__() == "<p>a &amp; b</p>\n"


def test_empty_text():
    assert str(render("")) == ""
