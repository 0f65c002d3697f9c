"""Search documents' titles and text through the full-text index, in the communities the user may read.

The same engines as threads and posts (academy.community.services.search): SQLite's FTS5 table
`community_document_fts` (bm25, a title match weighing more than one in the text), or on
PostgreSQL the GIN index over `to_tsvector` with ts_rank. Stemming is the same: "audits" finds
"audit". Snippets come from the same function as posts', with the matched words marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, column, func, literal_column, select, table
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.access import visible_community_ids
from academy.community.documents.models import DOCUMENT_TSVECTOR, Document
from academy.community.models import TS_CONFIG, Community
from academy.community.services.search import snippet, terms
from academy.extensions import db

MAX_HITS = 20
# bm25 weights per column of community_document_fts: (title, body).
TITLE_WEIGHT, BODY_WEIGHT = 5.0, 1.0

_fts = table("community_document_fts", column("rowid"))
# Images and links show their words, not their addresses, in a snippet.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass
class DocumentHit:
    """A matching document with an excerpt around the first match."""

    document: Document
    snippet: list[tuple[str, bool]]


def _matching(words: list[str]) -> tuple[Select, object]:
    """Document ids matching every word, with a rank (lower is better)."""
    if db.engine.dialect.name == "postgresql":
        vector = literal_column(DOCUMENT_TSVECTOR)  # the indexed expression, word for word
        query = func.plainto_tsquery(literal_column(f"'{TS_CONFIG}'"), " ".join(words))
        return select(Document.id).where(vector.op("@@")(query)), -func.ts_rank(vector, query)
    # FTS5: each word quoted, so nothing the user types is read as query syntax.
    fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words)
    stmt = (
        select(Document.id)
        .join(_fts, _fts.c.rowid == Document.id)
        .where(literal_column("community_document_fts").op("MATCH")(fts_query))
    )
    return stmt, func.bm25(literal_column("community_document_fts"), TITLE_WEIGHT, BODY_WEIGHT)


def plain(document: Document) -> str:
    """The document's title and text without link and image addresses, for a snippet."""
    return document.title + " — " + _LINK.sub(r"\1", document.body)


def search(*, user: User, query: str, community: Community | None = None, limit: int = MAX_HITS) -> list[DocumentHit]:
    """Documents whose title or text match every word of the query, best match first."""
    words = terms(query)
    allowed = visible_community_ids(user)
    if community is not None:
        allowed = [cid for cid in allowed if cid == community.id]
    if not words or not allowed:
        return []
    stmt, rank = _matching(words)
    ids = list(
        db.session.scalars(
            stmt.where(Document.community_id.in_(allowed)).order_by(rank, Document.updated_at.desc()).limit(limit)
        )
    )
    if not ids:
        return []
    found = {
        d.id: d
        for d in db.session.scalars(
            select(Document)
            .options(joinedload(Document.community), joinedload(Document.updated_by))
            .where(Document.id.in_(ids))
        )
    }
    return [DocumentHit(document=found[i], snippet=snippet(plain(found[i]), words)) for i in ids if i in found]
