"""The exam steps' writes, in as few statements as the database allows and without the unit of work.

A synchronised exam start is hundreds of learners starting, saving and submitting at once, so these
writes skip what the ORM's flush would add (dirty tracking, a flush plan, a savepoint to catch a
duplicate start) and keep the loaded objects in step themselves. Every write is attributed to the
learner it belongs to (core/data_version.py), so only their signed-in pages render again.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, Table, Update, bindparam, insert, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from academy.core import data_version
from academy.extensions import db
from academy.quizzes.models import Attempt, Response


@functools.cache
def _update_statement(table: Table, names: tuple[str, ...]) -> Update:
    return update(table).where(table.c.id == bindparam("row_id")).values({n: bindparam(n) for n in names})


def update_rows(model: type, changes: list[tuple[Any, dict[str, Any]]], owner: int) -> None:
    """UPDATE each object's row by id with its values (one executemany), and keep the objects in step."""
    if not changes:
        return
    statement = _update_statement(model.__table__, tuple(sorted(changes[0][1])))
    with data_version.owned_by(owner):
        db.session.execute(statement, [{"row_id": obj.id, **values} for obj, values in changes])
    for obj, values in changes:
        for name, value in values.items():
            set_committed_value(obj, name, value)


# What a new attempt has not got yet (a text INSERT applies no column defaults).
_NOT_YET = {
    "submitted_at": None,
    "submitted_by": "",
    "graded_at": None,
    "score": None,
    "percent": None,
    "passed": None,
    "deadline": None,
    "max_score": 0.0,
}


@functools.cache
def _attempt_insert() -> Select:
    # ON CONFLICT DO NOTHING: a second tab that started the same attempt number first makes ours
    # insert nothing, instead of an error that would need a savepoint around the INSERT. Written as
    # text because SQLAlchemy does not cache the compiled form of its ON CONFLICT constructs (every
    # start would compile it again); PostgreSQL and SQLite, the databases we run on, share the syntax.
    table = Attempt.__table__
    quote = db.engine.dialect.identifier_preparer.quote
    columns = [c for c in table.c if c.key != "id"]
    names = ", ".join(quote(c.name) for c in columns)
    placeholders = ", ".join(":" + c.key for c in columns)
    returned = ", ".join(quote(c.name) for c in table.c)
    # Names come from our own table; every value is a bound parameter.
    insert_sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({placeholders})"  # noqa: S608
    sql = f"{insert_sql} ON CONFLICT DO NOTHING RETURNING {returned}"
    statement = text(sql).bindparams(*(bindparam(c.key, type_=c.type) for c in columns)).columns(*table.c)
    return select(Attempt).from_statement(statement)


def insert_attempt(values: dict[str, Any], responses: list[dict[str, Any]], owner: int) -> Attempt | None:
    """Insert a new attempt and its responses (two statements); None if the same attempt number exists."""
    with data_version.owned_by(owner):
        attempt = db.session.scalars(_attempt_insert(), {**_NOT_YET, **values}).first()
        if attempt is None:
            return None
        # Core, not the ORM's bulk insert: no objects are wanted back, and the column defaults still apply.
        db.session.execute(insert(Response.__table__), [{**r, "attempt_id": attempt.id} for r in responses])
    return attempt
