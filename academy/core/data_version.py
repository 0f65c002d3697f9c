"""One version for everything an anonymous page may show: it changes after every commit that wrote such data.

Every INSERT, UPDATE or DELETE on a table outside IGNORED_TABLES marks the thread's transaction; when
the session commits, the version changes. Anonymous pages are cached under the version they were
rendered with (academy.core.public_cache), so the next request after any such commit renders afresh:
a new course version, a lesson edit, a revoked certificate, a role change or a removed membership
shows at once. The version is read before rendering, so a page rendered while a commit lands is
stored under the old version and never served after it.

Writes to USER_TABLES are attributed to the user who owns the rows (the ORM objects flushed, or
`owned_by` around a Core statement): after the commit that user's stamp changes, and "activity"
(any user's rows) changes too; a write whose owner is unknown changes "everyone". Signed-in pages
are cached under these stamps (academy.core.private_cache).

A second version, "auth", changes only when a login session ends (a DELETE on user_sessions) or an
account changes (users): academy/auth/session_cache.py keeps signed-in users per process under it,
so logout, deactivation and role changes still take effect on the next request.

Where it lives: in Redis when REDIS_URL is set (shared by every process on every host), else in a
small file in the instance folder (shared by the gunicorn workers of one host). Writes are noticed
on the SQLAlchemy engine (any statement, ORM or Core or text), committed through the session.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import MANYTOONE, Session

from academy.extensions import db

# High-churn tables no anonymous page shows: writing them must not empty the cache. Everything else
# (including tables added later) changes the version, so forgetting a table here costs speed, never truth.
IGNORED_TABLES = frozenset(
    {
        "user_sessions",
        "lesson_progress",
        "quiz_attempts",
        "quiz_responses",
        "notifications",
        "deliveries",
        "digest_runs",
        "notification_preferences",
        "community_thread_reads",
        "community_document_presence",
        "community_watches",
        "community_document_watches",
        "api_tokens",
        "job_failures",
        "job_outbox",
        "verification_answers",  # served only while they match their certificate (certificates/answers.py)
    }
)
# Of those, the tables whose rows belong to one user and show on that user's own pages: a write to one
# changes that user's signed-in pages (academy/core/private_cache.py), not everyone's. The others
# (login sessions, deliveries, presence, API token use, job bookkeeping) show on no cached page.
USER_TABLES = frozenset(
    {
        "lesson_progress",
        "quiz_attempts",
        "quiz_responses",
        "notifications",
        "notification_preferences",
        "community_thread_reads",
        "community_watches",
        "community_document_watches",
    }
)
# UPDATEs that set only these columns change nothing a page shows and no one's rights (a login).
IGNORED_UPDATES = {"users": frozenset({"last_login_at", "reset_requested_at"})}
_SET = re.compile(r"\bSET\s+(.*?)(?:\s+WHERE\b|$)", re.IGNORECASE | re.DOTALL)
_WRITE = re.compile(r'\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
log = logging.getLogger(__name__)
_state = threading.local()  # the current thread's transaction wrote something anonymous pages show
_TRACKED = "academy_data_version_tables"


def redis_client(app: Flask, url: str):  # noqa: ANN201
    """One short-timeout Redis client per app and URL, shared by the versions, stamps and page stores."""
    clients = app.extensions.setdefault("academy_cache_redis", {})
    if url not in clients:
        from redis import Redis

        clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return clients[url]


def write_fresh_value(path: Path) -> None:
    """Write a new random value to `path` atomically: other processes never read half a value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    temporary.write_text(uuid.uuid4().hex)
    os.replace(temporary, path)


class DataVersion:
    """Reads and changes the version, in Redis or in the instance folder (both read from the config each time)."""

    def __init__(self, app: Flask, name: str = "public") -> None:
        self.app, self.name = app, name
        self.pending = False
        self.redis_key, self.file_name = f"academy:{name}-data-version", f"{name}-data-version"

    def _client(self, url: str):
        return redis_client(self.app, url)

    @property
    def path(self) -> Path:
        """The version file of this app's instance folder."""
        return Path(self.app.instance_path) / self.file_name

    def current(self) -> str | None:
        """The version now: any string; a different one means the data changed. None: unknown (Redis away).

        With Redis away nothing can be cached safely: callers then go to the database.
        """
        url = self.app.config.get("REDIS_URL")
        if url:
            from redis import RedisError

            try:
                if self.pending:
                    self._incr(url)  # a change committed while Redis was away, announced late
                value = self._client(url).get(self.redis_key)
                if value is None:
                    self._incr(url)
                    value = self._client(url).get(self.redis_key)
            except RedisError:
                return None
            return value.decode() if value is not None else None
        try:
            return self.path.read_text()
        except FileNotFoundError:
            self.bump()  # a random first value: a new instance folder never meets old entries
            return self.path.read_text()

    def _incr(self, url: str) -> None:
        # A random start, then increments: a flushed Redis never brings back an old number.
        client = self._client(url)
        if not client.set(self.redis_key, uuid.uuid4().int % 10**12, nx=True):
            client.incr(self.redis_key)
        self.pending = False

    def bump(self) -> None:
        """Make the version new (after a commit)."""
        url = self.app.config.get("REDIS_URL")
        if url:
            from redis import RedisError

            try:
                self._incr(url)
            except RedisError:
                # Until Redis answers, this process caches nothing and announces the change first.
                self.pending = True
                log.warning("Redis is away: the %s data version changes when it is back", self.name)
            return
        write_fresh_value(self.path)  # workers never read half a version


def of(app: Flask, name: str = "public") -> DataVersion:
    """The app's data version ("public": what anonymous pages show; "auth": sessions and accounts; or tracked)."""
    return app.extensions["academy_data_version"][name]


def names(app: Flask) -> list[str]:
    """Every version the app keeps: "public", "auth" and those features track."""
    return list(app.extensions["academy_data_version"])


def track(app: Flask, name: str, tables: frozenset[str]) -> None:
    """A version of its own for a feature's data: it changes after every commit that wrote one of `tables`."""
    app.extensions["academy_data_version"][name] = DataVersion(app, name)
    app.extensions[_TRACKED][name] = frozenset(tables)


def init_app(app: Flask) -> None:
    """Track writes on the app's engine; change the version after every commit that made one."""
    if "academy_data_version" not in app.extensions:  # once: features may have added versions of their own
        app.extensions["academy_data_version"] = {name: DataVersion(app, name) for name in ("public", "auth")}
        app.extensions[_TRACKED] = {}
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "after_cursor_execute", _note_write):
        event.listen(engine, "after_cursor_execute", _note_write)


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    match = _WRITE.match(statement)
    if match is None:
        return
    if not executemany and cursor.description is None and cursor.rowcount == 0:
        # Changed no row (an upsert whose condition did not hold). A statement with RETURNING may
        # report its count only once its rows are read, so it always counts as a write.
        return
    verb, table = match.group(1)[:6].upper(), match.group(2).lower()
    if verb == "UPDATE" and table in IGNORED_UPDATES and _sets_only(statement, IGNORED_UPDATES[table]):
        return
    if table not in IGNORED_TABLES:
        _state.wrote = True
        if has_app_context():
            for name, tables in current_app.extensions.get(_TRACKED, {}).items():
                if table in tables:
                    _tracked().add(name)
    if (table == "user_sessions" and verb == "DELETE") or (table == "users" and verb != "INSERT"):
        _state.auth = True
    if table in USER_TABLES:
        _state.activity = True
        owners = getattr(_state, "owners", None)
        if owners:
            _users().update(owners)
        elif getattr(_state, "flushing", False):
            _state.flushed_tables.add(table)  # its owner comes from the flushed objects (after_flush)
        else:
            _state.everyone = True


def uncommitted(name: str) -> bool:
    """True if this thread's open transaction wrote tables the tracked version `name` covers (not committed yet)."""
    return name in _tracked()


def _tracked() -> set[str]:
    if getattr(_state, "tracked", None) is None:
        _state.tracked = set()
    return _state.tracked


def _users() -> set[int]:
    if getattr(_state, "users", None) is None:
        _state.users = set()
    return _state.users


@contextlib.contextmanager
def owned_by(*user_ids: int) -> Iterator[None]:
    """Attribute the Core writes to USER_TABLES made inside to these users (else they change everyone's pages)."""
    previous = getattr(_state, "owners", None)
    _state.owners = tuple(user_ids)
    try:
        yield
    finally:
        _state.owners = previous


def _owner(session: Session, obj: object) -> int | None:
    """The user a row of USER_TABLES belongs to: its user_id, or its parent's (an attempt, an enrolment)."""
    values = obj.__dict__
    if values.get("user_id") is not None:
        return values["user_id"]
    mapper = inspect(obj).mapper
    for relationship in mapper.relationships:
        if relationship.direction is not MANYTOONE:
            continue
        parent = values.get(relationship.key)
        if parent is None:
            keys = [values.get(mapper.get_property_by_column(column).key) for column in relationship.local_columns]
            if None in keys:
                continue
            identity = relationship.mapper.identity_key_from_primary_key(keys)
            parent = session.identity_map.get(identity)  # never a query inside a flush
        if parent is not None and parent.__dict__.get("user_id") is not None:
            return parent.__dict__["user_id"]
    return None


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    _state.flushing, _state.flushed_tables = True, set()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    owned: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table not in USER_TABLES:
            continue
        owner = _owner(session, obj)
        if owner is None:
            _state.everyone = True
        else:
            _users().add(owner)
            owned.add(table)
    if getattr(_state, "flushed_tables", set()) - owned:
        _state.everyone = True  # rows written in the flush that no object here accounts for (cascades)
    _state.flushing, _state.flushed_tables = False, set()


def _sets_only(statement: str, columns: frozenset[str]) -> bool:
    found = _SET.search(statement)
    if found is None:
        return False
    names = {part.split("=", 1)[0].strip().strip('"').lower() for part in found.group(1).split(",")}
    return names <= columns


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for name in ("wrote", "auth"):
        if getattr(_state, name, False):
            setattr(_state, name, False)
            if has_app_context() and "academy_data_version" in current_app.extensions:
                of(current_app, "public" if name == "wrote" else "auth").bump()
    tracked, _state.tracked = _tracked(), set()
    if tracked and has_app_context():
        for name in tracked:
            of(current_app, name).bump()
    users, everyone, activity = _users(), getattr(_state, "everyone", False), getattr(_state, "activity", False)
    _state.users, _state.everyone, _state.activity = set(), False, False
    stamps = current_app.extensions.get("academy_private_stamps") if has_app_context() else None
    if stamps is not None and (users or everyone or activity):
        stamps.bump(users=users, everyone=everyone, activity=activity)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    _state.wrote = _state.auth = _state.everyone = _state.activity = _state.flushing = False
    _state.users, _state.flushed_tables, _state.tracked = set(), set(), set()
