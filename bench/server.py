"""Helpers for the HTTP benchmarks: run gunicorn as the production docs do, log learners in."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn -w N -b 127.0.0.1:PORT --forwarded-allow-ips='*' APP` (README, "Running at scale"), as a context."""

    def __init__(self, app: str, *, env: dict[str, str], workers: int = 4, threads: int = 1, cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--forwarded-allow-ips=*"]
        args += ["--log-level", "warning"]  # quiet; no effect on speed
        args += ["-c", str(ROOT / "bench" / "gunicorn_ready.py")]  # workers say when they are ready
        if threads > 1:
            args += ["--threads", str(threads)]
        self.args = [*args, app]
        self.ready = Path(tempfile.mkdtemp(prefix="gunicorn-ready-"))
        self.env = {**env, "GUNICORN_READY_DIR": str(self.ready)}
        self.workers = workers
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.process = subprocess.Popen(self.args, cwd=self.cwd, env=self.env)  # noqa: S603 (our own arguments)
        deadline = time.monotonic() + 180  # a loaded machine imports slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if len(list(self.ready.iterdir())) >= self.workers:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn workers were not ready within 180 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def academy_env(database_url: str, instance: Path, redis_url: str | None = None) -> dict[str, str]:
    """Production settings; rate limits off because every request comes from one loopback address."""
    env = {
        **os.environ,
        "ACADEMY_ENV": "production",
        "SECRET_KEY": "bench-secret-key-not-for-production",  # bench/pages.py signs cookies with it
        "DATABASE_URL": database_url,
        "ACADEMY_INSTANCE_PATH": str(instance),
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_ENABLED": "0",
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback; the cookie is sent the same way
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Browser:
    """A minimal cookie-keeping HTTP client for one learner (no redirects followed)."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        """The Cookie header this browser sends."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
        """Send one request; returns status, headers and body text."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": self.cookie_header} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), text

    def csrf(self, path: str) -> str:
        """The CSRF token of the first form on a page."""
        _status, _headers, html = self.request("GET", path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        """Log in through the real form (argon2 and all)."""
        token = self.csrf("/login")
        status, _headers, _body = self.request(
            "POST", "/login", {"csrf_token": token, "email": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"login of {email} answered {status}")
