"""Full-text search over thread titles and posts: SQLite FTS5 or PostgreSQL, one interface.

The text lives in `community_search_documents` (one row per post). On SQLite an FTS5 table
mirrors it through triggers; on PostgreSQL a GIN index over `to_tsvector` serves the match.
Both are created with the table (academy.community.models); a migration runs the same statements.
Results are always limited to the communities the user may read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from sqlalchemy import Select, column, func, literal_column, select, table
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.access import visible_community_ids
from academy.community.models import TS_CONFIG, Community, Post, SearchDocument, Thread
from academy.extensions import db

MAX_TERMS = 12
SNIPPET_CHARS = 220

_fts = table("community_search_fts", column("rowid"), column("rank"))


def document_text(post: Post) -> str:
    """What a post contributes to search: its body, and the thread title on the opening post."""
    if post.is_opening:
        return f"{post.thread.title}\n\n{post.body}"
    return post.body


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|pre|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def display_text(post: Post) -> str:
    """The post as readers see it, in plain text (no Markdown marks), for search snippets."""
    rendered = _BLOCK_END.sub(" ", post.body_html or "")
    text = " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
    return f"{post.thread.title} — {text}" if post.is_opening else text


def index_post(post: Post) -> None:
    """Add or refresh the post's search document."""
    doc = db.session.get(SearchDocument, post.id)
    text = document_text(post)
    if doc is None:
        db.session.add(SearchDocument(post_id=post.id, community_id=post.thread.community_id, content=text))
    elif doc.content != text:
        doc.content = text
    db.session.flush()


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, at most MAX_TERMS."""
    return [t.lower() for t in re.findall(r"\w+", query or "", flags=re.UNICODE)][:MAX_TERMS]


@dataclass
class Hit:
    """One matching post with the thread and community it belongs to."""

    post: Post
    thread: Thread
    community: Community
    snippet: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a match)


@dataclass
class Results:
    """A page of hits."""

    query: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _matching(words: list[str]) -> tuple[Select, object]:
    """Post ids matching every word, with a rank (lower is better)."""
    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(literal_column(f"'{TS_CONFIG}'"), SearchDocument.content)
        query = func.plainto_tsquery(literal_column(f"'{TS_CONFIG}'"), " ".join(words))
        rank = -func.ts_rank(vector, query)
        return select(SearchDocument.post_id).where(vector.op("@@")(query)), rank
    # FTS5: each word quoted, so nothing the user types is read as query syntax.
    fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words)
    stmt = (
        select(SearchDocument.post_id)
        .join(_fts, _fts.c.rowid == SearchDocument.post_id)
        .where(literal_column("community_search_fts").op("MATCH")(fts_query))
    )
    return stmt, _fts.c.rank


def search(*, user: User, query: str, community: Community | None = None, page: int = 1, per_page: int = 20) -> Results:
    """Posts matching `query` in communities the user may read (only `community` if given)."""
    words = terms(query)
    allowed = visible_community_ids(user)
    if community is not None:
        allowed = [cid for cid in allowed if cid == community.id]
    if not words or not allowed:
        return Results(query=query, hits=[], total=0, page=page, per_page=per_page)
    stmt, rank = _matching(words)
    stmt = (
        stmt.join(Post, Post.id == SearchDocument.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            SearchDocument.community_id.in_(allowed),
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
            Thread.deleted_at.is_(None),
            Thread.hidden_at.is_(None),
        )
    )
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    ids = list(
        db.session.scalars(stmt.order_by(rank, Post.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page))
    )
    posts = (
        {
            p.id: p
            for p in db.session.scalars(
                select(Post)
                .options(joinedload(Post.author), joinedload(Post.thread).joinedload(Thread.community))
                .where(Post.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    hits = [
        Hit(
            post=posts[i],
            thread=posts[i].thread,
            community=posts[i].thread.community,
            snippet=snippet(display_text(posts[i]), words),
        )
        for i in ids
        if i in posts
    ]
    return Results(query=query, hits=hits, total=total, page=page, per_page=per_page)


def snippet(text: str, words: list[str], size: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """A plain-text excerpt around the first match, split into (text, matched) pieces for <mark>."""
    plain = re.sub(r"[`*_#>\[\]()|~]+", " ", text)
    plain = re.sub(r"\s+", " ", plain).strip()
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I) if words else None
    start = 0
    if pattern and (found := pattern.search(plain)):
        start = max(0, found.start() - size // 3)
    excerpt = plain[start : start + size]
    prefix, suffix = ("…" if start else ""), ("…" if start + size < len(plain) else "")
    if not pattern:
        return [(prefix + excerpt + suffix, False)]
    pieces: list[tuple[str, bool]] = []
    last = 0
    for m in pattern.finditer(excerpt):
        if m.start() > last:
            pieces.append((excerpt[last : m.start()], False))
        pieces.append((m.group(0), True))
        last = m.end()
    pieces.append((excerpt[last:], False))
    if prefix:
        pieces.insert(0, (prefix, False))
    if suffix:
        pieces.append((suffix, False))
    return [p for p in pieces if p[0]]
