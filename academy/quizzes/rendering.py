"""Question texts to safe HTML, in each of the four GIFT formats."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from academy.quizzes.models import TextFormat

# Tags a question may use; everything else (scripts, styles, event handlers) is removed.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "i", "li", "ol", "p", "pre",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan"}, "th": {"colspan", "scope"}}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _clean(html: str) -> Markup:
    return Markup(  # noqa: S704 (nh3 has sanitised it)
        nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer")
    )


def render(text: str, fmt: TextFormat | str, *, inline: bool = False) -> Markup:
    """Safe HTML for `text` written in `fmt`; `inline` avoids wrapping paragraphs (answer choices)."""
    fmt = TextFormat(fmt)
    text = text or ""
    if fmt == TextFormat.MARKDOWN:
        md = _markdown()
        return _clean(md.renderInline(text) if inline else md.render(text))
    if fmt == TextFormat.PLAIN:
        return Markup("<br>").join(escape(line) for line in text.split("\n"))
    if fmt == TextFormat.HTML:
        return _clean(text)
    # Moodle's auto-format: HTML allowed, line breaks kept.
    return _clean(text.replace("\n", "<br>\n"))
