"""Emptying an instance: every table dropped and the stored files removed (keys stay unless asked)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from sqlalchemy import MetaData, text

from academy.extensions import db
from academy.ops import storage


def drop_everything() -> None:
    """Drop every table (and, on PostgreSQL, every type) of the database, the migration stamp too."""
    engine = db.engine
    db.session.remove()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        meta = MetaData()
        meta.reflect(bind=conn)
        for table in meta.tables.values():
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table.name}"')
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def wipe(*, include_keys: bool = False) -> Iterator[str]:
    """Drop the database's tables and remove the stored files; yield a line per thing removed."""
    drop_everything()
    yield f"dropped every table of {storage.describe_database_url(str(db.engine.url))}"
    for folder in storage.folders():
        if folder.secret and not include_keys:
            continue
        if folder.path.exists():
            shutil.rmtree(folder.path)
            yield f"removed {folder.path}"
