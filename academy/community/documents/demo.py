"""A demo document with two revisions, so a first run shows the Documents tab and its history."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select

from academy.auth.models import User
from academy.community.documents import services
from academy.community.documents.models import Document
from academy.community.models import Community
from academy.extensions import db

SLUG = "finance"
TITLE = "Checklist: first-level control of staff costs"
FIRST = """# First-level control of staff costs

Use this list when a partner claims staff costs. Add what your programme asks for.

## Real costs

- Employment contract or assignment letter naming the project.
- Payslips for the reporting period.
- Time sheets for part-time work on the project.

## Simplified cost options

- For a flat rate: check only the base it is calculated on.
- For unit costs: check that the units were delivered, not the invoices behind them.
"""
SECOND = FIRST.replace(
    "- Time sheets for part-time work on the project.",
    "- Time sheets for part-time work with a flexible number of hours; a fixed percentage needs no time sheet.",
)


def seed(*, cast: Sequence[User]) -> Iterator[str]:
    """Write the demo checklist (by the auditor, edited by the managing authority officer) once."""
    community = db.session.scalar(select(Community).where(Community.slug == SLUG))
    if community is None or len(cast) < 3:
        return
    exists = db.session.scalar(
        select(Document.id).where(Document.community_id == community.id, Document.title == TITLE)
    )
    if exists is not None:
        yield f"{SLUG}: document “{TITLE}” already there"
        return
    document = services.create_document(
        community=community, author=cast[2], title=TITLE, body=FIRST, summary="First draft"
    )
    services.save(
        document=document, editor=cast[0], body=SECOND, base_revision=1, summary="Time sheets only for flexible hours"
    )
    yield f"{SLUG}: document “{TITLE}”"
