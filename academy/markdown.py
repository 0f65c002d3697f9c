"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises what comes out.

Shared by every feature that stores Markdown (community posts, lessons). Raw HTML in the source
is not passed through, and nh3 strips anything the renderer might still let slip, so the result
is safe to insert into a page as-is.
"""

from __future__ import annotations

from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape

# Resolves a mentioned name (the text inside `@[...]`) to a URL, or None when nobody matches.
MentionResolver = Callable[[str], str | None]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_MENTION_LENGTH = 120


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """`@[Full Name]` becomes a link to the person when the resolver in env knows them."""
    src, pos = state.src, state.pos
    if not src.startswith("@[", pos):
        return False
    end = src.find("]", pos + 2)
    if end == -1 or end - pos - 2 > MAX_MENTION_LENGTH:
        return False
    name = src[pos + 2 : end].strip()
    resolver = state.env.get("mentions") if isinstance(state.env, dict) else None
    url = resolver(name) if (resolver and name and "\n" not in name) else None
    if url is None:
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": url, "class": "mention"}
        text = state.push("text", "", 0)
        text.content = f"@{name}"
        state.push("link_close", "a", -1)
    state.pos = end + 1
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Images would load from anywhere (and the CSP blocks them anyway): keep them as text.
    md.disable("image")
    md.inline.ruler.before("link", "mention", _mention_rule)
    return md


_MD = _parser()


def sanitise(html: str) -> str:
    """Keep only the tags, attributes and URL schemes a post may contain."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


# A wide table scrolls inside its own box instead of pushing the page sideways (WCAG 1.4.10);
# the box takes keyboard focus so people without a mouse can scroll it too.
_TABLE_OPEN = '<div class="table-scroll" role="region" tabindex="0" aria-label="{label}"><table>'


def _wrap_tables(html: str, label: str) -> str:
    """Put every (sanitised, attribute-free) table in a focusable box that scrolls sideways."""
    if "<table>" not in html:
        return html
    opening = _TABLE_OPEN.format(label=escape(label))
    return html.replace("<table>", opening).replace("</table>", "</table></div>")


def render(text: str, *, mentions: MentionResolver | None = None, table_label: str = "Table") -> Markup:
    """Render Markdown `text` to sanitised HTML; `@[Name]` links where `mentions` resolves it."""
    html = _MD.render(text or "", {"mentions": mentions} if mentions else {})
    return Markup(_wrap_tables(sanitise(html), table_label))  # noqa: S704  (nh3 has just cleaned it)
