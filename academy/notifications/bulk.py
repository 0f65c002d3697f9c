"""Bulk SQL for notification rows: chunked INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL.

Shared by recording (services) and sending (jobs), so neither has to import the other for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Integer, Table, any_, literal

from academy.extensions import db

RECORD_CHUNK = 1000  # recipients written per INSERT
DELIVERY_BATCH = 50  # deliveries per job: many jobs, so many workers share a big fan-out


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(table: Table):
    dialect = _dialect()
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - we run on SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(table)


def id_in(column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY(:ids)`) instead of one per id."""
    if _dialect() == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(list(ids))


def insert_ignoring_duplicates(table: Table, rows: list[dict[str, Any]], *returning: Any) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the rows that were new (duplicates are skipped)."""
    if not rows:
        return []
    stmt = _insert(table).on_conflict_do_nothing().returning(*returning)
    return list(db.session.execute(stmt, rows).all())


def insert_select_ignoring_duplicates(table: Table, columns: list[str], rows: Any, *returning: Any) -> list[Any]:
    """INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING: the rows that were new."""
    stmt = _insert(table).from_select(columns, rows).on_conflict_do_nothing().returning(*returning)
    return list(db.session.execute(stmt).all())
