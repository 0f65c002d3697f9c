"""Lesson Markdown: the posts' renderer plus the course's uploaded files and allow-listed videos.

Lessons reference the course's uploaded files as `![alt](upload:12)` (an image) or
`[Handout](upload:13)` (a download): the renderer resolves the number through `files`, which
knows only the course's own files, so a lesson cannot point an <img> anywhere else. A video is
`![text alternative](https://youtu.be/…)` for a provider of VIDEO_ORIGINS: it becomes a
privacy-friendly embed with the text alternative and a plain link below it (which works without
frames or JavaScript). Any other image stays a plain link, as in posts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from academy.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, wrap_tables

UPLOAD_PREFIX = "upload:"


@dataclass(frozen=True)
class LessonFile:
    """What a lesson needs to show an uploaded file: its URL and whether it is an image."""

    url: str
    is_image: bool
    name: str


# Resolves the number after `upload:` to the course's file, or None when the course has no such file.
LessonFileResolver = Callable[[int], LessonFile | None]

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{1,12}$")
# The only frames a lesson may hold (the sanitiser checks again; the CSP's frame-src matches).
EMBED_SOURCES = (
    re.compile(r"^https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}$"),
    re.compile(r"^https://player\.vimeo\.com/video/\d{1,12}\?dnt=1$"),
)
VIDEO_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
_FILE_SRC = re.compile(r"^/courses/[A-Za-z0-9_-]+/files/\d+/[^/?#]+$")


@dataclass(frozen=True)
class Video:
    """An embeddable video: the frame's address, the page to watch it on, the provider's name."""

    embed: str
    watch: str
    provider: str


def video_for(url: str) -> Video | None:
    """The privacy-friendly embed of a YouTube or Vimeo address, or None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme != "https":
        return None
    host, path = (parts.hostname or "").lower(), parts.path
    video_id = None
    if host in ("www.youtube.com", "youtube.com", "m.youtube.com"):
        if path == "/watch":
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif path.startswith(("/embed/", "/shorts/")):
            video_id = path.split("/")[2]
    elif host in ("youtu.be", "www.youtube-nocookie.com"):
        video_id = path.removeprefix("/embed").strip("/")
    if video_id is not None:
        if not _YOUTUBE_ID.match(video_id):
            return None
        return Video(
            f"https://www.youtube-nocookie.com/embed/{video_id}",
            f"https://www.youtube.com/watch?v={video_id}",
            "YouTube",
        )
    if host in ("vimeo.com", "www.vimeo.com", "player.vimeo.com"):
        vimeo_id = path.removeprefix("/video").strip("/")
        if _VIMEO_ID.match(vimeo_id):
            return Video(f"https://player.vimeo.com/video/{vimeo_id}?dnt=1", f"https://vimeo.com/{vimeo_id}", "Vimeo")
    return None


def _alt(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type in ("text", "code_inline"))


def _resolve(src: str, env: dict) -> LessonFile | None:
    resolver = env.get("files")
    if not resolver or not src.startswith(UPLOAD_PREFIX) or not src[len(UPLOAD_PREFIX) :].isdigit():
        return None
    return resolver(int(src[len(UPLOAD_PREFIX) :]))


def _render_image(self, tokens: list[Token], idx: int, options, env: dict) -> str:  # noqa: ANN001
    token = tokens[idx]
    src, alt = str(token.attrGet("src") or ""), _alt(token)
    found = _resolve(src, env)
    if found is not None and found.is_image:
        return f'<img src="{escape(found.url)}" alt="{escape(alt)}" loading="lazy">'
    if found is not None:
        return f'<a href="{escape(found.url)}">{escape(alt or found.name)}</a>'
    video = video_for(src)
    if video is not None:
        link = escape(env.get("watch_label", "Watch on %s") % video.provider)
        return (
            f'<figure class="video"><iframe src="{escape(video.embed)}" title="{escape(alt)}" loading="lazy" '
            f'allow="fullscreen; picture-in-picture" allowfullscreen="" '
            f'referrerpolicy="strict-origin-when-cross-origin"></iframe>'
            f'<figcaption>{escape(alt)} <a href="{escape(video.watch)}">{link}</a></figcaption></figure>'
        )
    if src.startswith(UPLOAD_PREFIX):
        return str(escape(alt))  # a file the course does not have (any more): its text alternative
    # Not a file of the course nor a known video: a plain link, never an <img> from elsewhere.
    return f'<a href="{escape(src)}">{escape(alt or src)}</a>'


def _render_link_open(self, tokens: list[Token], idx: int, options, env: dict) -> str:  # noqa: ANN001
    token = tokens[idx]
    found = _resolve(str(token.attrGet("href") or ""), env)
    if found is not None:
        token.attrSet("href", found.url)
    return self.renderToken(tokens, idx, options, env)


def _lesson_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    return md


_LESSON_MD = _lesson_parser()
LESSON_TAGS = ALLOWED_TAGS | {"img", "figure", "figcaption", "iframe"}
LESSON_ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "loading"},
    "figure": {"class"},
    "iframe": {"src", "title", "loading", "allow", "allowfullscreen", "referrerpolicy"},
}


def _lesson_attribute(tag: str, attr: str, value: str) -> str | None:
    """Images only from the course's files, frames only from the video allow-list."""
    if tag == "img" and attr == "src":
        return value if _FILE_SRC.match(value) else None
    if tag == "iframe" and attr == "src":
        return value if any(p.match(value) for p in EMBED_SOURCES) else None
    if tag == "figure" and attr == "class":
        return "video" if value == "video" else None
    return value


def media_problems(text: str) -> list[str]:
    """Images and videos in `text` written without a text alternative (the `![...]` part), in order."""
    missing: list[str] = []
    for block in _LESSON_MD.parse(text or ""):
        for token in block.children or []:
            if token.type == "image" and not _alt(token).strip():
                missing.append(str(token.attrGet("src") or ""))
    return missing


def render_lesson(
    text: str, *, files: LessonFileResolver | None = None, table_label: str = "Table", watch_label: str = "Watch on %s"
) -> Markup:
    """Render a lesson's Markdown: like `render`, plus the course's uploaded files and allow-listed videos."""
    html = _LESSON_MD.render(text or "", {"files": files, "watch_label": watch_label})
    # A video on its own line is a paragraph holding a figure, which HTML does not allow.
    html = re.sub(r"<p>(<figure class=\"video\">.*?</figure>)</p>", r"\1", html)
    clean = nh3.clean(
        html,
        tags=LESSON_TAGS,
        attributes=LESSON_ATTRIBUTES,
        attribute_filter=_lesson_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(wrap_tables(clean, table_label))  # noqa: S704  (nh3 has just cleaned it)
