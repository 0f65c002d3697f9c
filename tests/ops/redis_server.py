"""A redis-server of a test's own, which it may kill and start again: Redis outages without touching the shared one."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis import Redis

from tests import services as test_services


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own that the test can kill and start again on the same port."""

    def __init__(self, port: int) -> None:
        self.port, self.proc = port, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(lambda: self._answers(), 20, "redis-server to start")

    def _answers(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_connect_timeout=1).ping()
        except Exception:
            return False

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def wait(check, timeout: float, what: str):
    """Poll check() until it returns something true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    """A private redis-server on a free port, killed at the end."""
    if shutil.which("redis-server") is None:
        test_services.skip_or_fail("redis-server is not installed")
    server = PrivateRedis(free_port())
    server.start()
    yield server
    if server.proc.poll() is None:
        server.kill()
