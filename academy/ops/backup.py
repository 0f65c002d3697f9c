"""Backups that restore: the database (SQLite online backup, pg_dump custom format), stored files, a manifest.

A backup folder holds `manifest.json` (format, time, database kind, migration revision, the SHA-256 of
every file), `database.sqlite` or `database.pgdump`, and `files/<folder>/...`. Keys (seal and credential
keys, the secret key) are copied only when asked. Restore checks every checksum, refuses an instance
that is not empty, then puts everything back.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from academy.extensions import db
from academy.ops import storage

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url: URL) -> str:
    """The URL as pg_dump and pg_restore read it (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _secret_key_file() -> Path:
    return Path(current_app.instance_path) / "secret_key"


def _sources(include_keys: bool) -> list[tuple[str, Path]]:
    chosen = [(f.name, f.path) for f in storage.folders() if f.name != "mail" and (include_keys or not f.secret)]
    if include_keys:
        chosen.append(("secret_key", _secret_key_file()))
    return chosen


def _revision() -> str:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return ",".join(sorted(MigrationContext.configure(conn).get_current_heads()))


def backup(target: Path, *, include_keys: bool = False) -> Iterator[str]:
    """Write a consistent copy of the database and stored files into the empty folder `target`."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        database = target / "database.sqlite"
        source, copy = sqlite3.connect(url.database), sqlite3.connect(database)
        try:
            source.backup(copy)  # the online backup API: a consistent copy while the app runs
        finally:
            copy.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        database = target / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(database), _libpq_url(url)], "pg_dump")
    else:
        raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
    yield f"database: {database.name} ({database.stat().st_size} bytes)"
    (target / "files").mkdir()
    for name, path in _sources(include_keys):
        if path.is_file():
            shutil.copy2(path, target / "files" / name)
        elif path.is_dir():
            shutil.copytree(path, target / "files" / name, ignore=shutil.ignore_patterns(".tmp-*"))
        else:
            continue
        yield f"files: {name} from {path}"
    files = {
        str(p.relative_to(target)): _sha256(p) for p in sorted(target.rglob("*")) if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"kind": url.get_backend_name(), "file": database.name, "revision": _revision()},
        "keys_included": include_keys,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    yield f"manifest: {len(files)} files with their SHA-256"


def _run(command: list[str], tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[:500]}")


def read_manifest(source: Path) -> dict:
    """The backup's manifest after checking every file against its SHA-256; BackupError lists what is wrong."""
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BackupError(f"{path} cannot be read: {err}") from err
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of format {manifest.get('format')!r}; this version reads format {FORMAT}")
    problems = []
    for relative, expected in manifest["files"].items():
        file = Path(source) / relative
        if not file.is_file():
            problems.append(f"{relative} is missing")
        elif _sha256(file) != expected:
            problems.append(f"{relative} does not match its checksum")
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems))
    return manifest


def _instance_is_empty() -> list[str]:
    found = []
    tables = inspect(db.engine).get_table_names()
    if tables:
        found.append(f"the database has {len(tables)} tables")
    for name, path in _sources(include_keys=True):
        if name != "secret_key" and path.is_dir() and any(path.iterdir()):
            found.append(f"{path} is not empty")
    return found


def restore(source: Path) -> Iterator[str]:
    """Bring a checked backup back into this empty instance."""
    source = Path(source)
    manifest = read_manifest(source)
    yield f"checked {len(manifest['files'])} files against the manifest"
    url = db.engine.url
    kind = manifest["database"]["kind"]
    if kind != url.get_backend_name():
        raise BackupError(f"the backup holds a {kind} database; this instance uses {url.get_backend_name()}")
    db.session.remove()
    busy = _instance_is_empty()
    if busy:
        raise BackupError("restore needs an empty instance (`flask academy wipe` empties one): " + "; ".join(busy))
    database = source / manifest["database"]["file"]
    db.engine.dispose()
    if kind == "sqlite":
        copy, target = sqlite3.connect(database), sqlite3.connect(url.database)
        try:
            copy.backup(target)
        finally:
            target.close()
            copy.close()
    else:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                _libpq_url(url),
                str(database),
            ],
            "pg_restore",
        )
    yield f"database: restored at revision {manifest['database']['revision']}"
    targets = dict(_sources(include_keys=True))
    files = source / "files"
    for item in sorted(files.iterdir()) if files.is_dir() else []:
        destination = targets.get(item.name)
        if destination is None:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if item.is_file():
            shutil.copy2(item, destination)
        else:
            shutil.copytree(item, destination, dirs_exist_ok=True)
        yield f"files: {item.name} to {destination}"
