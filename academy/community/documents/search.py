"""Search documents' titles and text, in the communities the user may read (as for threads)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.access import visible_community_ids
from academy.community.documents.models import Document
from academy.community.models import Community
from academy.community.services.search import snippet, terms
from academy.extensions import db

MAX_HITS = 20


@dataclass
class DocumentHit:
    """A matching document with an excerpt around the first match."""

    document: Document
    snippet: list[tuple[str, bool]]


def search(*, user: User, query: str, community: Community | None = None, limit: int = MAX_HITS) -> list[DocumentHit]:
    """Documents whose title or text holds every word of the query, most recently changed first."""
    words = terms(query)
    allowed = visible_community_ids(user)
    if community is not None:
        allowed = [cid for cid in allowed if cid == community.id]
    if not words or not allowed:
        return []
    title, body = func.lower(Document.title), func.lower(Document.body)
    matches = [or_(title.contains(w, autoescape=True), body.contains(w, autoescape=True)) for w in words]
    rows = db.session.scalars(
        select(Document)
        .options(joinedload(Document.community), joinedload(Document.updated_by))
        .where(Document.community_id.in_(allowed), and_(*matches))
        .order_by(Document.updated_at.desc(), Document.id.desc())
        .limit(limit)
    )
    return [DocumentHit(document=d, snippet=snippet(f"{d.title}\n\n{d.body}", words)) for d in rows]
