"""Engine-level settings that depend on the backend (academy.db holds the declarative base and column types)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from academy.extensions import db


def configure_engines(app: Flask) -> None:
    """Turn on SQLite foreign keys, WAL and a busy timeout; PostgreSQL needs nothing here."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)


def _sqlite_on_connect(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
