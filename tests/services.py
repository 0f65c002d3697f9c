"""Where the external services for tests are, and what to do when one is missing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REQUIRE_FLAG = "ACADEMY_REQUIRE_SERVICES"


def services_required() -> bool:
    """True in CI: a missing service is a failure, not a skip."""
    return os.environ.get(REQUIRE_FLAG, "") not in ("", "0", "false")


def skip_or_fail(reason: str) -> None:
    """Skip a test for a missing service, or fail it when CI demands the service."""
    if services_required():
        pytest.fail(f"{reason} (and {REQUIRE_FLAG} is set, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def postgres_base_url() -> str | None:
    """The PostgreSQL server for PostgreSQL-only tests, even while the suite itself runs on SQLite."""
    for name in ("ACADEMY_TEST_POSTGRES_URL", "ACADEMY_TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgres"):
            return url
    return None


def _psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_postgres_database(base_url: str, label: str) -> str:
    """Create a fresh database on the server of `base_url`; return its URL."""
    url = make_url(_psycopg(base_url))
    name = f"academy_test_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(db_url: str) -> None:
    """Drop a database made by create_postgres_database."""
    url = make_url(db_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def redis_url(default: str = "redis://127.0.0.1:6379/13") -> str | None:
    """A Redis URL with a database number of our own (ACADEMY_TEST_REDIS_URL, else `default`), if a server answers."""
    url = os.environ.get("ACADEMY_TEST_REDIS_URL", default)
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def flushed_redis(app) -> Iterator[str]:
    """Point the app at the test Redis, emptied before and after (a fixture's body: `yield from`)."""
    url = redis_url()
    if url is None:
        skip_or_fail("Redis is not reachable (ACADEMY_TEST_REDIS_URL or database 13 on 127.0.0.1)")
    from redis import Redis

    Redis.from_url(url).flushdb()
    app.config["REDIS_URL"] = url
    yield url
    Redis.from_url(url).flushdb()
