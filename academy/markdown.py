"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises what comes out.

Shared by every feature that stores Markdown (community posts, lessons). Raw HTML in the source
is not passed through, and nh3 strips anything the renderer might still let slip, so the result
is safe to insert into a page as-is.

Images are off by default (they would load from anywhere). A caller that keeps files of its own
(community documents) passes a `files` resolver: `![alt](attachment:12)` then shows its image
file 12 and `[minutes](attachment:13)` links to file 13, at the addresses the resolver gives;
any other image is shown as a link. The sanitiser lets an `<img>` through only with a local
address (one path on this site), whatever the source says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
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
FILE_SCHEME = "attachment:"


@dataclass(frozen=True)
class LinkedFile:
    """A file a document refers to with `attachment:<id>`: where it is served and how to show it."""

    url: str
    alt: str = ""
    is_image: bool = False


# Resolves an `attachment:<id>` address to the file, or None when there is no such file.
FileResolver = Callable[[str], LinkedFile | None]


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


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _as_link(image: Token, href: str) -> list[Token]:
    """An image that is not one of our files becomes a link to it, labelled with its alt text."""
    opening = Token("link_open", "a", 1)
    opening.attrs = {"href": href}
    return [opening, *(image.children or [_text_token(href)]), Token("link_close", "a", -1)]


def _files_rule(state: StateCore) -> None:
    """Point `attachment:<id>` links and images at the files the resolver in env knows."""
    resolver = state.env.get("files") if isinstance(state.env, dict) else None
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            href = str(token.attrs.get("href" if token.type == "link_open" else "src", ""))
            found = resolver(href) if resolver and href.startswith(FILE_SCHEME) else None
            if token.type == "link_open" and href.startswith(FILE_SCHEME):
                if found is None:
                    token.attrs.pop("href", None)
                else:
                    token.attrs["href"] = found.url
            elif token.type == "image":
                if found is None or not found.is_image:
                    children.extend(_as_link(token, found.url if found else href))
                    continue
                token.attrs["src"] = found.url
                if not "".join(c.content for c in token.children or []).strip():
                    token.children = [_text_token(found.alt)]  # the description given at upload
            children.append(token)
        block.children = children


def _parser(*, images: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    if images:
        md.core.ruler.after("inline", "files", _files_rule)
    else:
        # Images would load from anywhere (and the CSP blocks them anyway): keep them as text.
        md.disable("image")
    md.inline.ruler.before("link", "mention", _mention_rule)
    return md


_MD = _parser()
_MD_FILES = _parser(images=True)


def _local_images_only(element: str, attribute: str, value: str) -> str | None:
    """nh3 filter: an image's address must be a path on this site (not another host, not data:)."""
    if element == "img" and attribute == "src" and not (value.startswith("/") and not value.startswith("//")):
        return None
    return value


def sanitise(html: str, *, images: bool = False) -> str:
    """Keep only the tags, attributes and URL schemes a post may contain (and local images if asked)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"img"} if images else ALLOWED_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, "img": {"src", "alt"}} if images else ALLOWED_ATTRIBUTES,
        attribute_filter=_local_images_only,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


# A wide table scrolls inside its own box instead of pushing the page sideways (WCAG 1.4.10);
# the box takes keyboard focus so people without a mouse can scroll it too.
_TABLE_OPEN = '<div class="table-scroll" role="region" tabindex="0" aria-label="{label}"><table>'


def wrap_tables(html: str, label: str) -> str:
    """Put every (sanitised, attribute-free) table in a focusable box that scrolls sideways."""
    if "<table>" not in html:
        return html
    opening = _TABLE_OPEN.format(label=escape(label))
    return html.replace("<table>", opening).replace("</table>", "</table></div>")


def render(
    text: str,
    *,
    mentions: MentionResolver | None = None,
    files: FileResolver | None = None,
    table_label: str = "Table",
) -> Markup:
    """Render Markdown `text` to sanitised HTML; `@[Name]` links where `mentions` resolves it.

    With `files`, `attachment:<id>` images and links show the files it resolves (see the module doc).
    """
    env: dict = {"mentions": mentions} if mentions else {}
    if files is not None:
        env["files"] = files
    html = (_MD_FILES if files is not None else _MD).render(text or "", env)
    return Markup(wrap_tables(sanitise(html, images=files is not None), table_label))  # noqa: S704  (nh3 cleaned it)
