"""Fixtures shared by every test: app, database, client, logging in, counting queries."""

from __future__ import annotations

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
from academy.extensions import db as _db
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


@pytest.fixture(scope="session")
def _schema_ready(database_url: str) -> dict:
    return {"created": False}


@pytest.fixture
def app(database_url: str, _schema_ready: dict, tmp_path: Path) -> Iterator[Flask]:
    """An app on a clean database, with mail written under the test's own folder."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": tmp_path,
            "MAIL_DIR": tmp_path / "mail",
        }
    )
    app.test_client_class = RequestClient
    with app.app_context():
        if database_url.startswith("sqlite") or not _schema_ready["created"]:
            _db.create_all()
            _schema_ready["created"] = True
        yield app
        _db.session.remove()
        if database_url.startswith("sqlite"):
            _db.drop_all()
        else:
            _truncate_all()
        _db.engine.dispose()


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with _db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


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
