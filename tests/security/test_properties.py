"""Property tests on the parsers and renderers that take text from people: whatever comes in, they
never crash and never emit anything that could run script.

Existing properties elsewhere: GIFT export/import round trip (tests/quizzes/test_gift_roundtrip.py),
single-character and swap detection of certificate codes (tests/certificates/test_codes.py), API
input fuzzing (tests/api/test_fuzz.py).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import config
from academy import markdown
from academy.certificates import codes
from academy.courses.packages.reader import PackageError, read_package
from academy.quizzes import rendering
from academy.quizzes.gift import parser as gift
from academy.quizzes.models import TextFormat

# Pieces attackers and clumsy typists use; hypothesis glues them together with arbitrary text.
HOSTILE = (
    "<script>", "</script>", "alert(1)", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "&#106;avascript:", "&#x6A;avascript:", "data:text/html,",
    "vbscript:", "[a](", "](", ")", "<a href=\"", "\">", "' onmouseover='x", "\" onfocus=\"x", "<style>",
    "<iframe src=x>", "<object data=x>", "<math><mi xlink:href=\"javascript:1\">", "<details open ontoggle=x>",
    "<!--", "-->", "`", "```\n", "\n\n", "\n", "<", ">", "&", "\"", "'", "**", "_", "# ", "> ", "- ",
    "| a | b |\n|---|---|\n| ", "@[", "]", "<https://x.example>", "<javascript:alert(1)>", "![i](x.png)",
    "<p style=\"x\">", "<form action=x>", "<base href=x>", "<meta http-equiv=refresh>",
)  # fmt: skip
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=16).map("".join)

_RISKY_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "base", "meta", "link", "img"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}
# A URL has a scheme only if it starts like one (RFC 3986: a letter, then letters, digits, + - .);
# anything else, such as "<b>x:y", is a relative reference and cannot run script.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
_SAFE_SCHEMES = {"http", "https", "mailto"}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _RISKY_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}=")
            if name in _URL_ATTRIBUTES:
                # Browsers skip whitespace and control characters inside a scheme.
                url = re.sub(r"[\x00-\x20\x7f]", "", value or "")
                scheme = _SCHEME.match(url)
                if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES:
                    self.problems.append(f"{tag} {name}={value!r}")


def assert_safe(html: str) -> None:
    audit = _Audit()
    audit.feed(str(html))
    audit.close()
    assert not audit.problems, (audit.problems, html)


# --- Markdown -------------------------------------------------------------------------------------


@given(hostile_text)
def test_markdown_never_emits_script_or_event_handlers(text):
    assert_safe(markdown.render(text))


@given(hostile_text, st.sampled_from(list(TextFormat)), st.booleans())
def test_question_text_in_every_format_is_safe(text, fmt, inline):
    assert_safe(rendering.render(text, fmt, inline=inline))


# --- GIFT -----------------------------------------------------------------------------------------

GIFT_PIECES = (
    "::", "::Title::", "{", "}", "=", "~", "#", "####", "->", "%50%", "%-100%", "T", "F", "TRUE", "FALSE",
    ":", "..", "1:0.5", "\\{", "\\}", "\\=", "\\~", "\\#", "\\:", "[html]", "[markdown]", "[plain]", "[moodle]",
    "$CATEGORY: a/b", "// note", "// outcomes: LO1", "\n", "\n\n", " ", "{#", "{=", "{~", "<script>",
)  # fmt: skip
gift_text = st.lists(
    st.one_of(st.sampled_from(GIFT_PIECES), st.sampled_from(HOSTILE), st.text(max_size=8)), max_size=30
).map("".join)


@settings(max_examples=300)
@given(gift_text)
def test_gift_parser_never_crashes_and_points_errors_at_real_lines(source):
    result = gift.parse(source)
    lines = max(1, len(source.splitlines()))
    for error in result.errors:
        assert 1 <= error.line <= lines + 1 and error.reason
    for spec in result.questions:
        assert_safe(rendering.render(spec.text, spec.text_format))
        assert_safe(rendering.render(spec.general_feedback or "", spec.text_format))


# --- certificate codes ----------------------------------------------------------------------------


@given(st.text())
def test_any_text_either_is_a_well_formed_code_or_is_refused(text):
    compact = codes.parse(text)
    if compact is not None:
        assert len(compact) == codes.LENGTH and set(compact) <= set(codes.ALPHABET)
        assert codes.is_well_formed(compact)
        assert codes.parse(codes.group(compact)) == compact
    normal = codes.normalise(text)
    assert normal is None or codes.normalise(normal) == normal


@given(
    st.builds(lambda _: codes.generate(), st.integers()),
    st.lists(st.sampled_from(["lower", "compact", "spaces", "o-for-0", "i-for-1", "l-for-1", "dots"]), max_size=4),
)
def test_any_way_of_typing_a_code_finds_the_same_certificate(code, variants):
    typed = code
    for variant in variants:
        typed = {
            "lower": typed.lower(),
            "compact": typed.replace("-", ""),
            "spaces": typed.replace("-", " "),
            "o-for-0": typed.replace("0", "O"),
            "i-for-1": typed.replace("1", "I"),
            "l-for-1": typed.replace("1", "l"),
            "dots": typed.replace("-", "."),
        }[variant]
    assert codes.parse(typed) == code.replace("-", "")
    assert codes.digest(typed) == codes.digest(code)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=60))
def test_the_verification_page_answers_any_code_without_error(client, text):
    assume("/" not in text and "\x00" not in text)
    for path in (f"/verify/{text}", f"/verify/{text}.json"):
        response = client.get(path.replace("?", "%3F").replace("#", "%23"))
        # Control characters in an address are refused (400) before any view (academy/inputs.py).
        expected = (400, 404) if any(ord(c) < 32 or ord(c) == 127 for c in text) else (200, 404)
        assert response.status_code in expected, (text, response.status_code)


# --- course packages ------------------------------------------------------------------------------

SAMPLE = config.ROOT / "courses" / "simplified-cost-options"
YAML_PIECES = (
    ":", ": ", "- ", "  ", "\t", "|", ">", "'", "\"", "{", "}", "[", "]", "&a", "*a", "!!python/object:os.system",
    "!!binary", "%YAML 1.1", "---", "...", "#", "\n", "key: value", "modules:", "lessons:", "- ../../etc/passwd.md",
    "- /etc/passwd.md", "slug: ../x", "hours: -1", "credits: 1e9", "validity_months: 99999999999999999999",
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_package_loader_reports_errors_and_never_crashes(data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        shutil.copytree(SAMPLE, root)
        course_yaml = root / "course.yaml"
        lines = course_yaml.read_text(encoding="utf-8").split("\n")
        for _ in range(data.draw(st.integers(1, 4))):
            at = data.draw(st.integers(0, len(lines)))
            piece = data.draw(st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=6)), max_size=4))
            action = data.draw(st.sampled_from(["insert", "replace", "delete"]))
            if action == "insert" or not lines or at == len(lines):
                lines.insert(at, "".join(piece))
            elif action == "replace":
                lines[at] = "".join(piece)
            else:
                del lines[at]
        course_yaml.write_text("\n".join(lines), encoding="utf-8")
        lesson = next(root.glob("lessons/*/*.md"))
        if data.draw(st.booleans()):
            lesson.write_text(data.draw(hostile_text), encoding="utf-8")
        package, errors = read_package(root)
        assert (package is None) == bool(errors)
        assert all(isinstance(e, PackageError) and str(e) for e in errors)
        if package is not None:
            for module in package.modules:
                for spec in module.lessons:
                    assert Path(spec.path).resolve().is_relative_to(root.resolve())


def test_lesson_paths_outside_the_course_folder_are_refused(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(SAMPLE, root)
    (tmp_path / "secret.md").write_text("# Secret\n")
    course_yaml = root / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    first = re.search(r"^      - (lessons/\S+\.md)$", text, re.M).group(1)
    for outside in ("../secret.md", str(tmp_path / "secret.md"), "lessons/../../secret.md"):
        course_yaml.write_text(text.replace(first, outside, 1), encoding="utf-8")
        package, errors = read_package(root)
        assert package is None
        assert any("outside the course folder" in e.message for e in errors), errors


def test_the_audit_itself_catches_what_it_looks_for():
    import pytest

    for bad in (
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="&#106;avascript:1">x</a>',
        "<p onclick=x>x</p>",
        "<script>1</script>",
        '<a href="data:text/html,1">x</a>',
    ):
        with pytest.raises(AssertionError):
            assert_safe(bad)
    assert_safe('<a href="https://interreg.eu/x" rel="nofollow">ok</a><a href="/c/x#p-1">ok</a>')
