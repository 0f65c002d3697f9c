"""A small crawler over the Flask test client: follow links and GET forms, as a user would click.

Shared by the reachability test (tests/core/test_reachability.py) and anything else that needs
"every page this persona can reach" (a reflow test at 320px, a spelling check...).

    result = crawl(app, client, start="/")
    result.endpoints   # {"courses.catalogue", ...}
    result.pages       # {url: endpoint} of every HTML page fetched
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Endpoints never fetched while crawling (they would change state or end the session on GET).
NEVER_FETCH = frozenset({"auth.logout"})


@dataclass
class _Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _LinkParser(HTMLParser):
    """Collects <a href> targets and GET forms with the values a user would submit unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = _Form(action=a.get("action", ""), method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif self._select is not None and tag == "option" and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form":
            self._form = None


@dataclass
class CrawlResult:
    """What one persona reached: HTML pages by URL, the endpoint of every URL fetched, errors met."""

    pages: dict[str, str] = field(default_factory=dict)
    fetched: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def endpoints(self) -> set[str]:
        """Endpoints of every URL fetched (HTML pages, downloads and redirects alike)."""
        return set(self.fetched.values())


def endpoint_of(app: Flask, url: str, method: str = "GET") -> str | None:
    """The endpoint a same-site URL (path and query) routes to, or None."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method=method)
    except RequestRedirect as redirect:
        return endpoint_of(app, redirect.new_url, method)
    except HTTPException:
        return None
    return endpoint


def _local(base: str, href: str) -> str | None:
    """The href resolved against the page as a local path?query, or None if it leaves the site."""
    if href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    full = urljoin("http://localhost" + base, href)
    parts = urlsplit(full)
    if parts.netloc != "localhost" or parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(
    app: Flask,
    client: FlaskClient,
    *,
    start: str = "/",
    per_endpoint: int = 4,
    max_fetches: int = 1500,
    skip: Callable[[str, str], bool] | None = None,
) -> CrawlResult:
    """Breadth-first from `start`, following links and GET forms; at most `per_endpoint` URLs per endpoint."""
    result = CrawlResult()
    queue: deque[str] = deque([start])
    seen: set[str] = {start}
    per: dict[str, int] = {}
    while queue and len(result.fetched) < max_fetches:
        url = queue.popleft()
        endpoint = endpoint_of(app, url)
        if endpoint is None or endpoint == "static" or endpoint in NEVER_FETCH:
            continue
        if skip is not None and skip(url, endpoint):
            continue
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        response = client.get(url)
        result.fetched[url] = endpoint
        if response.status_code in (301, 302, 303, 307, 308):
            target = _local(url, response.headers.get("Location", ""))
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code >= 500:
            result.errors.append(f"{response.status_code} {url}")
            continue
        if response.status_code >= 400 or response.mimetype != "text/html":
            continue
        result.pages[url] = endpoint
        for target in _targets(url, response.get_data(as_text=True)):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return result


def _targets(url: str, html: str) -> Iterable[str]:
    parser = _LinkParser()
    parser.feed(html)
    for href in parser.links:
        target = _local(url, href.split("#", 1)[0] or url)
        if target:
            yield target
    for form in parser.forms:
        if form.method != "get":
            continue
        action = _local(url, form.action or url.split("?", 1)[0])
        if action:
            query = urlencode(form.fields)
            yield action.split("?", 1)[0] + (f"?{query}" if query else "")
