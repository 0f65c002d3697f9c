"""Fixtures shared by every test: app, database, client, logging in, counting queries."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import event, text

from academy import create_app
from academy.courses.services import outlines
from academy.extensions import db as _db
from academy.extensions import limiter
from academy.quizzes import snapshots
from tests import services
from tests.factories import create_user

# Hypothesis must not fail a test for being slow on a loaded machine: speed belongs in bench/.
settings.register_profile("academy", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("academy")


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> Iterator[str]:
    """SQLite in memory by default; a fresh PostgreSQL database per run when asked for."""
    base = os.environ.get("ACADEMY_TEST_DATABASE_URL", "")
    if not base or base.startswith("sqlite"):
        yield base or "sqlite://"
        return
    try:
        url = services.create_postgres_database(base, worker_id)
    except Exception as exc:  # the server is not there
        if services.services_required():
            pytest.exit(f"PostgreSQL at {base} is unreachable: {exc}", 3)
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield url
    services.drop_postgres_database(url)


def _test_config(database_url: str, folder: Path) -> dict:
    return {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": folder,
        "MAIL_DIR": folder / "mail",
    }


@dataclass
class _AppState:
    """What a test may change on the shared app (config, per-app registries), to put back afterwards."""

    config: dict
    extensions: dict
    jinja_loader: object
    limiter: dict  # Flask-Limiter keeps its settings on the shared Limiter: the last create_app() wins

    @classmethod
    def capture(cls, app: Flask) -> _AppState:
        extensions = {k: _containers_copied(v) for k, v in app.extensions.items()}
        return cls(copy.deepcopy(dict(app.config)), extensions, app.jinja_env.loader, dict(limiter.__dict__))

    def reset_limiter(self) -> None:
        """Give the shared app its own limiter settings back (a test may have built an app with limits on)."""
        limiter.__dict__.update(self.limiter)
        storage = limiter.__dict__.get("_storage")
        if storage is not None:
            storage.reset()

    def restore(self, app: Flask) -> None:
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        app.instance_path = str(app.config["INSTANCE_PATH"])
        for key in set(app.extensions) - set(self.extensions):
            del app.extensions[key]
        for key, value in self.extensions.items():
            app.extensions[key] = _containers_copied(value)
        if app.jinja_env.loader is not self.jinja_loader:  # a test added a template folder
            app.__dict__.pop("jinja_loader", None)
            app.jinja_env.loader = self.jinja_loader
            app.jinja_env.cache.clear()


def _containers_copied(value: object) -> object:
    """Dicts and lists copied (recursively), anything else shared: registries of providers, not the providers."""
    if isinstance(value, dict):
        return {k: _containers_copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_containers_copied(v) for v in value]
    return value


@pytest.fixture(scope="session")
def _shared_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, _AppState]]:
    """One app and one schema per test session (per xdist worker); tests get it back clean."""
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("shared-app")))
    app.test_client_class = RequestClient
    with app.app_context():
        _db.create_all()
    yield app, _AppState.capture(app)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a clean database, with mail written under the test's own folder.

    The app is built once per session; after each test its tables are emptied and its config and
    registries put back. A test marked `own_app` (it adds routes, say) gets an app of its own.
    """
    if request.node.get_closest_marker("own_app"):
        yield from _own_app(database_url, tmp_path)
        return
    app, state = request.getfixturevalue("_shared_app")
    state.reset_limiter()
    app.config.update(INSTANCE_PATH=tmp_path, MAIL_DIR=tmp_path / "mail")
    app.instance_path = str(tmp_path)
    try:
        with app.app_context():
            yield app
            _db.session.remove()
            _empty_tables()
            # Ids start again on an emptied database: versions kept by the outline cache are gone.
            outlines.clear()
            snapshots.clear()
    finally:
        state.restore(app)


def _own_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(_test_config(database_url, tmp_path))
    app.test_client_class = RequestClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        if database_url.startswith("sqlite"):
            _db.drop_all()
        else:
            _empty_tables()
        _db.engine.dispose()


def _empty_tables() -> None:
    """Delete every row: DELETE in reverse dependency order on SQLite, TRUNCATE on PostgreSQL (ids restart)."""
    tables = _db.metadata.sorted_tables
    with _db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for table in reversed(tables):
                conn.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(app: Flask):
    """The Flask-SQLAlchemy handle, bound to the test's app."""
    return _db


class RequestClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this, requests would share the test's app context, and with it `g` (Flask-Login's
    cached user, Flask-WTF's token) and the database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable:
    """Log a user in on the client through a real server-side session (no password hashing)."""
    from academy.auth import services as auth_services

    def _login(user, *, remember: bool = False, on: FlaskClient | None = None):
        target = on or client
        row = auth_services.start_session(user, remember=remember)
        _db.session.commit()
        with target.session_transaction() as sess:
            sess["_user_id"] = row.token
            sess["_fresh"] = True
        return user

    return _login


@pytest.fixture
def learner(login: Callable):
    """A logged-in learner."""
    return login(create_user(name="Lena Learner"))


@pytest.fixture
def trainer(login: Callable):
    """A logged-in trainer."""
    return login(create_user(name="Tomas Trainer", trainer=True))


@pytest.fixture
def admin(login: Callable):
    """A logged-in admin."""
    return login(create_user(name="Ada Admin", admin=True))


@dataclass
class QueryCounter:
    """Statements run inside a `count_queries()` block."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable:
    """Context manager counting SQL statements (savepoints excluded)."""

    @contextmanager
    def _count() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", statement, re.I):
                counter.statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", before)

    return _count


def csrf_token(client: FlaskClient, path: str) -> str:
    """Fetch a page and return the CSRF token of its first form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def read_mail(app: Flask) -> list[str]:
    """Messages written to the mail folder, oldest first, as text."""
    folder = Path(app.config["MAIL_DIR"])
    if not folder.exists():
        return []
    import email
    from email import policy

    out = []
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        out.append(f"To: {msg['To']}\nSubject: {msg['Subject']}\n\n{body.get_content() if body else ''}")
    return out
