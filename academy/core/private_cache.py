"""Signed-in pages kept per process, per login session, until something they show changes.

A view marked `@cacheable()` renders once for a login session, address and language; the same
person's next request for it gets the stored bytes from inside the view, after everything that
guards a request has run (the login check, which keeps logout immediate; CSRF; rate limits; the
security headers and `Cache-Control: no-store` added after the view). What keeps it honest:

- the key holds the public data version (academy.core.data_version: courses, threads, memberships,
  roles, everything shared), the person's own stamp (their progress, attempts, notifications, read
  marks and watches) and the "everyone" stamp (a write to such rows whose owner is unknown); a page
  that shows other people's progress or attempts (a trainer's workspace and start page) names
  `others=True` and holds the "activity" stamp instead, which changes with anyone's;
- versions are read before the view renders, so a page rendered while a commit lands is stored
  under the old ones and never served after it;
- only a 200 answer to a GET that left the session untouched (no new CSRF secret, no flashed
  message) is stored; a request with a message waiting is never answered from the store;
- an entry lives at most PRIVATE_CACHE_SECONDS (60), which bounds what only time changes (a session
  starting, "3 minutes ago"); views name earlier moments with `public_cache.valid_until`.

Stamps live in Redis when REDIS_URL is set, else in small files in the instance folder; with Redis
away nothing is served from the store. With Redis, stored pages are kept there too (for at most
their remaining life, under a key no one can derive without the login session's secret), so every
worker serves what one rendered; PRIVATE_CACHE_SHARED=0 keeps them in each process only.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TypeVar

from flask import Flask, Response, current_app, make_response, request, session
from flask_login import current_user
from redis import RedisError

from academy.core import data_version
from academy.core.public_cache import ENVIRON_FLAG, UNTIL, Entry, Store

F = TypeVar("F", bound=Callable)
_PER_REQUEST = frozenset({"set-cookie", "content-length", "date", "x-request-id"})
REDIS_PREFIX = "academy:private-stamp:"
PAGE_PREFIX = "academy:private-page:"


class Stamps:
    """Per-user, "everyone" and "activity" stamps: a new value means the rows behind them changed."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _client(self, url: str):
        return data_version.redis_client(self.app, url)

    @property
    def folder(self) -> Path:
        """Where the stamps live without Redis."""
        return Path(self.app.instance_path) / "private-stamps"

    def read(self, *names: str) -> list[str] | None:
        """The stamps now ("0" for one never changed); None when unknown (Redis away)."""
        url = self.app.config.get("REDIS_URL")
        if url:
            try:
                values = self._client(url).mget([REDIS_PREFIX + name for name in names])
            except RedisError:
                return None
            return [value.decode() if value is not None else "0" for value in values]
        values = []
        for name in names:
            try:
                values.append((self.folder / name).read_text())
            except FileNotFoundError:
                values.append("0")
        return values

    def bump(self, *, users: set[int], everyone: bool, activity: bool) -> None:
        """Give the named stamps new values (after a commit that wrote the rows behind them)."""
        names = [f"user-{user_id}" for user_id in sorted(users)]
        names += ["everyone"] if everyone else []
        names += ["activity"] if activity or users or everyone else []
        url = self.app.config.get("REDIS_URL")
        if url:
            try:
                with self._client(url).pipeline(transaction=False) as pipe:
                    for name in names:
                        pipe.incr(REDIS_PREFIX + name)
                    pipe.execute()
            except RedisError:
                # The public version also waits for Redis, and it is in every key: nothing stale is served.
                data_version.of(self.app).pending = True
            return
        for name in names:
            data_version.write_fresh_value(self.folder / name)


def cacheable(*, others: bool | Callable[[], bool] = False, when: Callable[[], bool] | None = None) -> Callable[[F], F]:
    """Keep this view's page per login session until the data it shows changes.

    A stored page is served without running the view, so the view's own access checks may only
    depend on what the key follows (the user, their roles, rows of shared tables such as
    memberships and course owners): then a page exists only for someone who passed them, and
    any change to them renders it again.

    `others`: the page shows other people's progress or attempts (True, or a function of the
    request); `when`: a function of the request that says whether to cache at all.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def cached(*args, **kwargs):  # noqa: ANN002, ANN003
            if when is not None and not when():
                return view(*args, **kwargs)
            key = _key(others() if callable(others) else others)
            if key is None:
                return view(*args, **kwargs)
            store = _store(current_app)
            entry = store.get(key)
            if entry is not None:
                return Response(entry.body, status=entry.status, headers=entry.headers)
            response = make_response(view(*args, **kwargs))
            _keep(store, key, response)
            return response

        return cached  # type: ignore[return-value]

    return decorator


def _key(others: bool) -> str | None:
    config = current_app.config
    if (
        not config.get("PRIVATE_CACHE_SECONDS")
        or request.method not in ("GET", "HEAD")
        or current_user.is_anonymous
        or "_flashes" in session
    ):
        return None
    public = data_version.of(current_app).current()
    user = f"user-{current_user.id}"
    stamps = _stamps(current_app).read("everyone", user, "activity") if public is not None else None
    if stamps is None:
        return None
    everyone, own, activity = stamps
    login = hashlib.blake2b(
        f"{session.get('_user_id', '')}|{session.get('csrf_token', '')}".encode(), digest_size=12
    ).hexdigest()
    return "|".join(
        (
            public,
            everyone,
            own,
            activity if others else "-",
            str(current_user.id),
            login,
            request.full_path,
            request.headers.get("Accept-Language", ""),
            request.headers.get("Accept", ""),
        )
    )


def _keep(store: Store, key: str, response: Response) -> None:
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or session.modified
        or "Set-Cookie" in response.headers
        or not request.environ.get(ENVIRON_FLAG, True)
    ):
        return
    now = time.time()
    # Pages rendered in the same second (a class opening the course together, a burst after a
    # change) must not all expire in the same second again: each lives between half and all of
    # PRIVATE_CACHE_SECONDS, so their renders spread out instead of stalling every worker at once.
    life = store.seconds * random.uniform(0.5, 1.0)
    expires = min(now + life, request.environ.get(UNTIL, math.inf))
    if expires <= now:
        return
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in _PER_REQUEST]
    store.put(key, Entry(response.status, headers, response.get_data(), "", now, expires))


def _store(app: Flask) -> Store:
    return app.extensions["academy_private_cache"]


def _stamps(app: Flask) -> Stamps:
    return app.extensions["academy_private_stamps"]


def init_app(app: Flask) -> None:
    """Keep the stamps (changed after commits, academy.core.data_version) and a per-process store of pages."""
    app.extensions["academy_private_stamps"] = Stamps(app)
    # Shared through Redis (when configured and PRIVATE_CACHE_SHARED): a person's next request may
    # reach another worker or machine, which then serves the page instead of rendering it again.
    shared = bool(app.config.get("PRIVATE_CACHE_SHARED", True))
    app.extensions["academy_private_cache"] = Store(app, settings="PRIVATE", shared=shared, prefix=PAGE_PREFIX)


def store_of(app: Flask) -> Store:
    """The app's store of signed-in pages (this process's, mirrored in Redis when shared; for tests and operators)."""
    return _store(app)
