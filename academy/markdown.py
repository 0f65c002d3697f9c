"""Markdown to safe HTML: CommonMark plus tables, rendered by markdown-it-py and sanitised by nh3.

Raw HTML in the source is escaped rather than passed through, and the output is cleaned again
with an allow-list, so neither a trainer nor a community member can inject markup or scripts.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    # markdown-it marks fenced code with the language as a class ("language-python").
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, never interpreted.
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table").enable("strikethrough")


def render(text: str) -> Markup:
    """Render Markdown to sanitised HTML that templates may output as is."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704  (sanitised by nh3 just above)
