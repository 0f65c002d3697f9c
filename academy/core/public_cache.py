"""Anonymous public pages served from a cache of rendered responses, with HTTP validators.

A view marked `@cacheable()` (catalogue, course page, programme pages, certificate verification, the
public API lists) renders once per data version (academy.core.data_version), address, language and
Accept header; later anonymous requests get the stored bytes from a WSGI layer in front of Flask,
without a session, a query or a template. What keeps it honest:

- only requests that cannot be signed in use it: no Authorization header, no remember cookie, and a
  session cookie (if any) without a user or flashed messages; everyone else goes to the app, and
  signed-in pages keep `Cache-Control: no-store`;
- a response is stored only if it was rendered for a request without any cookie, answered 200 and
  set no cookie (a page that needed a CSRF token sets one, so it is never stored);
- the key holds the data version read before rendering: any commit that writes what these pages
  show makes every stored page unreachable at once; entries also expire after PUBLIC_CACHE_SECONDS,
  which bounds what only time changes (an expiry date passing, a registration deadline);
- every cacheable anonymous answer carries an ETag and Last-Modified, and a matching If-None-Match
  or If-Modified-Since gets 304; `Cache-Control: public, max-age=PUBLIC_CACHE_MAX_AGE` lets a proxy
  keep pages, while verification answers keep their own `no-store`; `Vary: Cookie` keeps a proxy
  from giving an anonymous copy to a signed-in visitor.

Per process in a bounded LRU; with REDIS_URL also in Redis, so a page rendered by one worker or host
serves the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from typing import Any, TypeVar

from flask import Flask, has_request_context, request
from redis import RedisError
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header, parse_cookie

from academy.core import data_version

F = TypeVar("F", bound=Callable)
ENVIRON_FLAG = "academy.public_cache"
UNTIL = "academy.public_cache.until"  # the answer turns stale at this time (a certificate's expiry)
# Headers of the rendering request that are not the page's: never replayed to another visitor.
PER_REQUEST = frozenset({"set-cookie", "x-request-id", "date", "content-length", "cache-control", "vary"})
_ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_id", "_permanent"})
REDIS_PREFIX = "academy:page:"


def valid_until(when: datetime | None) -> None:
    """Tell the cache this answer changes by itself at `when` (an expiry, a registration deadline)."""
    if when is None or not has_request_context():
        return
    current = request.environ.get(UNTIL)
    request.environ[UNTIL] = when.timestamp() if current is None else min(current, when.timestamp())


def do_not_store() -> None:
    """Keep this answer out of the caches (it is incomplete for now)."""
    if has_request_context():
        request.environ[ENVIRON_FLAG] = False


# A view's own store of answers prepared ahead: (app, environ, endpoint, view args, language) -> Entry or None.
Prepared = Callable[[Flask, dict, str, dict, str], "Entry | None"]


def cacheable(*, proxy: bool = True, prepared: Prepared | None = None) -> Callable[[F], F]:
    """Mark a view whose anonymous answer depends only on the data, the address and the language.

    `proxy=False` keeps the view's own Cache-Control (verification answers are `no-store`): the
    server still caches them and answers validators. `prepared` is asked on a miss before the view
    renders (certificate verification keeps every answer rendered ahead).
    """

    def decorator(view: F) -> F:
        view.public_cache = {"proxy": proxy, "prepared": prepared}  # type: ignore[attr-defined]  # kept by functools.wraps
        return view

    return decorator


@dataclass
class Entry:
    """A stored anonymous answer."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    stored_at: float  # wall clock, for Last-Modified
    expires: float  # wall clock: PUBLIC_CACHE_SECONDS after storing, or earlier if the view said so

    def dumps(self) -> bytes:
        """The entry as bytes for Redis (JSON head, newline, body): no pickle from a shared store."""
        head = {"s": self.status, "h": self.headers, "e": self.etag, "t": self.stored_at, "x": self.expires}
        return json.dumps(head).encode() + b"\n" + self.body

    @classmethod
    def loads(cls, raw: bytes) -> Entry:
        """The entry from `dumps`."""
        head, _, body = raw.partition(b"\n")
        data = json.loads(head)
        return cls(data["s"], [tuple(h) for h in data["h"]], body, data["e"], data["t"], data["x"])


class Store:
    """Least recently used entries up to a byte budget, in this process; mirrored in Redis if configured."""

    def __init__(
        self, app: Flask, *, settings: str = "PUBLIC", shared: bool = True, prefix: str = REDIS_PREFIX
    ) -> None:
        self.app, self.settings, self.shared, self.prefix = app, settings, shared, prefix
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    @property
    def redis_url(self) -> str | None:
        """Where entries are shared, if anywhere."""
        return self.app.config.get("REDIS_URL") if self.shared else None

    @property
    def seconds(self) -> int:
        """How long an entry lives at most."""
        return int(self.app.config[f"{self.settings}_CACHE_SECONDS"])

    def _client(self):
        return data_version.redis_client(self.app, self.redis_url)

    def get(self, key: str, *, shared: bool = True) -> Entry | None:
        """A fresh entry of this process (or, if `shared`, of Redis), or None."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                if time.time() >= entry.expires:
                    # Another process may have rendered it since: ask Redis instead of rendering it again.
                    del self.entries[key]
                    self.size -= len(entry.body)
                    entry = None
                else:
                    self.entries.move_to_end(key)
        if entry is None and shared and self.redis_url:
            try:
                raw = self._client().get(self.prefix + key)
            except RedisError:
                raw = None
            if raw is not None:
                entry = Entry.loads(raw)
                self.keep(key, entry)
        if entry is not None and time.time() >= entry.expires:
            return None
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Keep an entry here (and in Redis, for the other processes)."""
        self.keep(key, entry)
        if self.redis_url:
            life = max(1, math.ceil(entry.expires - time.time()))
            with contextlib.suppress(RedisError):  # Redis away: kept here; the others render their own
                self._client().set(self.prefix + key, entry.dumps(), ex=life)

    def keep(self, key: str, entry: Entry) -> None:
        """Keep an entry in this process only."""
        max_bytes = int(self.app.config.get(f"{self.settings}_CACHE_BYTES", 64 << 20))
        if len(entry.body) > max_bytes // 8:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.entries[key] = entry
            self.size += len(entry.body)
            while self.size > max_bytes:
                _key, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)


class PublicCache:
    """The WSGI layer: serve stored anonymous answers, store new ones, answer validators."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app, self.app = wsgi_app, app
        self.config = app.config
        self.store = Store(app)
        self._endpoints: dict[str, dict] | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Serve from the cache when the request is anonymous and the page is stored."""
        if (
            environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or environ.get("HTTP_AUTHORIZATION")
            or not self.config["PUBLIC_CACHE_SECONDS"]
        ):
            return self.wsgi_app(environ, start_response)
        cookies = environ.get("HTTP_COOKIE", "")
        if cookies and not self._anonymous(cookies):
            return self.wsgi_app(environ, start_response)
        version = data_version.of(self.app).current()
        if version is None:  # Redis away: nothing known to be current
            return self.wsgi_app(environ, start_response)
        key = self._key(environ, version)
        entry = self.store.get(key, shared=False)
        if entry is not None:
            return self._serve(entry, environ, start_response)
        policy, endpoint, args = self._policy(environ)  # only addresses of cacheable views go on to Redis
        if policy is None:
            return self.wsgi_app(environ, start_response)
        entry = None
        if policy["prepared"] is not None:  # one read, as cheap as Redis: no need to ask Redis first
            entry = policy["prepared"](self.app, environ, endpoint, args, self._language(environ))
            if entry is not None:
                self.store.keep(key, entry)  # here only: the prepared answer is one read away for the others
        if entry is None:
            entry = self.store.get(key)
        if entry is not None:
            return self._serve(entry, environ, start_response)
        if environ["REQUEST_METHOD"] == "HEAD":  # Werkzeug sends no body for HEAD: nothing to store
            return self.wsgi_app(environ, start_response)
        return self._render(environ, start_response, key, policy, storable=not cookies)

    def _anonymous(self, header: str) -> bool:
        """True when no cookie can sign this request in or put a message on the page."""
        cookies = parse_cookie(header)
        if self.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return False
        value = cookies.get(self.config["SESSION_COOKIE_NAME"])
        if not value:
            return True
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = serializer.loads(value)
        except Exception:
            return True
        return isinstance(data, dict) and set(data) <= _ANONYMOUS_SESSION_KEYS

    def _language(self, environ: dict) -> str:
        accept_language = environ.get("HTTP_ACCEPT_LANGUAGE", "")
        return LanguageAccept(parse_accept_header(accept_language)).best_match(self.config["LANGUAGES"]) or "en"

    def _key(self, environ: dict, version: str) -> str:
        language = self._language(environ)
        where = f"{environ.get('wsgi.url_scheme')}://{environ.get('HTTP_HOST', '')}{environ.get('SCRIPT_NAME', '')}"
        address = f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
        return f"{version}|{where}{address}|{language}|{environ.get('HTTP_ACCEPT', '')}"

    def _policy(self, environ: dict) -> tuple[dict | None, str, dict]:
        """The `@cacheable` policy of the view this address reaches (or None), its endpoint and arguments."""
        if self._endpoints is None:
            self._endpoints = {
                name: view.public_cache
                for name, view in self.app.view_functions.items()
                if getattr(view, "public_cache", None) is not None
            }
        try:
            endpoint, args = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None, "", {}
        return self._endpoints.get(endpoint), endpoint, args

    def _render(
        self, environ: dict, start_response: Callable, key: str, policy: dict, *, storable: bool
    ) -> Iterable[bytes]:
        status, headers, body = capture(self.wsgi_app, environ)
        kept = replayable(status, headers, environ, proxy=policy["proxy"])
        if kept is None:
            start_response(status, headers)
            return [body]
        now = time.time()
        expires = min(now + self.store.seconds, environ.get(UNTIL, math.inf))
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        entry = Entry(status, kept, body, etag, now, expires)
        if storable and expires > now:
            self.store.put(key, entry)
        request_id = [(name, value) for name, value in headers if name.lower() == "x-request-id"]
        return self._serve(entry, environ, start_response, request_id)

    def _serve(
        self, entry: Entry, environ: dict, start_response: Callable, extra: list | None = None
    ) -> Iterable[bytes]:
        validators = [
            ("ETag", entry.etag),
            ("Last-Modified", formatdate(int(entry.stored_at), usegmt=True)),
            ("Vary", "Cookie, Accept-Language, Accept, Authorization"),
        ]
        if not any(name.lower() == "cache-control" for name, _ in entry.headers):
            validators.append(("Cache-Control", f"public, max-age={int(self.config.get('PUBLIC_CACHE_MAX_AGE', 30))}"))
        if self._not_modified(entry, environ):
            start_response("304 Not Modified", [*validators, *(extra or [])])
            return []
        length = ("Content-Length", str(len(entry.body)))
        start_response(entry.status, [*entry.headers, *validators, length, *(extra or [])])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    @staticmethod
    def _not_modified(entry: Entry, environ: dict) -> bool:
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match:
            tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
            return entry.etag in tags or "*" in tags
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if since:
            try:
                return int(entry.stored_at) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False


def capture(wsgi_app: Callable, environ: dict) -> tuple[str, list, bytes]:
    """Run `wsgi_app` on `environ`; its status, headers and whole body."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None  # the legacy write() callable; Flask never uses it

    iterable = wsgi_app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        if hasattr(iterable, "close"):
            iterable.close()
    return captured["status"], captured["headers"], body


def replayable(status: str, headers: list, environ: dict, *, proxy: bool) -> list[tuple[str, str]] | None:
    """The headers to store with an answer that may be given to other visitors, or None if it may not."""
    if not status.startswith("200") or not environ.get(ENVIRON_FLAG, True):
        return None
    if any(name.lower() == "set-cookie" for name, _ in headers):
        return None
    kept = [(name, value) for name, value in headers if name.lower() not in PER_REQUEST]
    if not proxy:  # the view's own Cache-Control (no-store) stays with the answer
        kept += [(name, value) for name, value in headers if name.lower() == "cache-control"]
    return kept


def init_app(app: Flask) -> None:
    """Track the data version; put the cache in front of the app (inside ProxyFix, which sets the host).

    The layer is always there and asks PUBLIC_CACHE_SECONDS on each request (0: pass through).
    """
    data_version.init_app(app)
    proxy = app.wsgi_app
    if hasattr(proxy, "app") and type(proxy).__name__ == "ProxyFix":
        layer = proxy.app = PublicCache(proxy.app, app)  # type: ignore[attr-defined]
    else:
        layer = app.wsgi_app = PublicCache(app.wsgi_app, app)  # type: ignore[method-assign]
    app.extensions["academy_public_cache"] = layer


def layer(app: Flask) -> PublicCache:
    """The app's cache layer (its store, for tests and operators)."""
    return app.extensions["academy_public_cache"]
