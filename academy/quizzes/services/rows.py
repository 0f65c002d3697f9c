"""The exam steps' writes, in as few statements as the database allows and without the unit of work.

A synchronised exam start is hundreds of learners starting, saving and submitting at once, so these
writes skip what the ORM's flush would add (dirty tracking, a flush plan, a savepoint to catch a
duplicate start) and keep the loaded objects in step themselves. Every write is attributed to the
learner it belongs to (core/data_version.py), so only their signed-in pages render again.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
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


@functools.cache
def _attempt_insert(dialect: str) -> Insert | None:
    # ON CONFLICT DO NOTHING: a second tab that started the same attempt number first makes ours
    # insert nothing, instead of an error that would need a savepoint around the INSERT.
    flavours = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if dialect not in flavours:
        return None
    return flavours[dialect](Attempt).on_conflict_do_nothing().returning(Attempt)


def insert_attempt(values: dict[str, Any], responses: list[dict[str, Any]], owner: int) -> Attempt | None:
    """Insert a new attempt and its responses (two statements); None if the same attempt number exists."""
    statement = _attempt_insert(db.session.get_bind().dialect.name)
    with data_version.owned_by(owner):
        if statement is not None:
            attempt = db.session.scalars(statement, [values]).first()
            if attempt is None:
                return None
        else:  # another database: the portable way
            attempt = Attempt(**values)
            try:
                with db.session.begin_nested():
                    db.session.add(attempt)
                    db.session.flush()
            except IntegrityError:
                return None
        db.session.execute(insert(Response), [{**r, "attempt_id": attempt.id} for r in responses])
    return attempt
