"""Fixtures for notifications: an SMTP sink (aiosmtpd), real Redis + RQ, and a fake community access check."""

from __future__ import annotations

import fcntl
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask

from academy.notifications import access
from tests import services as test_services

REDIS_DB_URL = "redis://127.0.0.1:6379/11"


@dataclass
class SmtpSink:
    """Messages an SMTP server on 127.0.0.1 accepted; `fail_next` answers that many DATA commands with 451."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    fail_next: int = 0
    refused: int = 0
    sessions: set[tuple] = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.sessions.add(session.peer)  # (address, port): one per connection
        if self.fail_next > 0:
            self.fail_next -= 1
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(app: Flask) -> Iterator[SmtpSink]:
    """A local SMTP server; the app sends to it instead of writing files."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", _free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port, MAIL_USE_TLS=False, MAIL_TIMEOUT=10)
    try:
        yield sink
    finally:
        controller.stop()


def mail_files(app: Flask) -> list[EmailMessage]:
    """Messages the embedded mail backend wrote to MAIL_DIR, oldest first."""
    folder = Path(app.config["MAIL_DIR"])
    if not folder.exists():
        return []
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Our own Redis database (11), emptied before and after; tests holding it run one at a time across xdist."""
    import redis

    url = test_services.redis_url(default=REDIS_DB_URL)
    if url is None:
        test_services.skip_or_fail("Redis is not reachable (ACADEMY_TEST_REDIS_URL or database 11 on 127.0.0.1)")

    lock_path = Path(tempfile.gettempdir()) / f"academy-test-redis-{url.rsplit('/', 1)[-1]}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the database is shared by every xdist worker
        conn = redis.Redis.from_url(url)
        conn.flushdb()
        try:
            yield url
        finally:
            conn.flushdb()
            conn.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def rq_app(app: Flask, redis_url: str) -> Flask:
    """The app in production job mode: RQ on our Redis database, retries without delay so a burst sees them."""
    app.config.update(REDIS_URL=redis_url, JOBS_INLINE=False, JOB_RETRY_INTERVALS=[0, 0, 0])
    app.extensions.pop("academy_redis", None)
    return app


class Memberships:
    """A stand-in for the community feature: who is a member of which community."""

    def __init__(self) -> None:
        self.members: dict[int, set[int]] = {}
        self.names: dict[int, str] = {}

    def add(self, community_id: int, *users, name: str = "") -> None:
        self.members.setdefault(community_id, set()).update(u.id for u in users)
        if name:
            self.names[community_id] = name

    def leave(self, community_id: int, user) -> None:
        self.members.get(community_id, set()).discard(user.id)

    def can_see(self, user, community_id: int) -> bool:
        return user.id in self.members.get(community_id, set())


@pytest.fixture
def memberships(app: Flask) -> Memberships:
    """Register a "community" access check the way the community feature will."""
    fake = Memberships()
    access.register_subject(app, "community", can_see=fake.can_see, label=lambda cid: fake.names.get(cid))
    return fake
