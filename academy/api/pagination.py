"""limit/offset pagination with a total and links to the neighbouring pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy import Select, func, select

from academy.extensions import db


@dataclass
class Page:
    """One page of results, in the shape `schemas.page_of()` dumps."""

    items: list[Any]
    total: int
    limit: int
    offset: int
    links: dict[str, str | None]


def _link(offset: int, limit: int) -> str:
    args = request.args.to_dict(flat=False)
    args["offset"] = [str(offset)]
    args["limit"] = [str(limit)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_links(*, total: int, limit: int, offset: int) -> dict[str, str | None]:
    """self/next/prev links for the current request with other query parameters kept."""
    return {
        "self": _link(offset, limit),
        "next": _link(offset + limit, limit) if offset + limit < total else None,
        "prev": _link(max(offset - limit, 0), limit) if offset > 0 else None,
    }


def paginate(stmt: Select, *, limit: int, offset: int) -> Page:
    """Run `stmt` for one page (two queries: the count and the items, plus any eager loads)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.limit(limit).offset(offset)).unique())
    return Page(
        items=items, total=total, limit=limit, offset=offset, links=page_links(total=total, limit=limit, offset=offset)
    )


def page_from_list(items: list[Any], *, limit: int, offset: int) -> Page:
    """Paginate an in-memory list the same way (for results not built by one SELECT)."""
    window = items[offset : offset + limit]
    total = len(items)
    return Page(
        items=window, total=total, limit=limit, offset=offset, links=page_links(total=total, limit=limit, offset=offset)
    )
