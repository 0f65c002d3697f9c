"""Browser-test harness: a live Academy server, Chromium through Playwright, and checks on every page.

Every page a test loads through `Site` is checked with axe-core (WCAG 2.0/2.1 A and AA) right after it
loads, and every console error the page reports (CSP violations are console errors in Chromium) fails
the test. Pages loaded some other way are still noticed (the page's "load" event), and the test fails
if it moved on from one before it was checked.
"""

from __future__ import annotations

import email
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urldefrag

from flask import Flask, got_request_exception
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, Response
from werkzeug.serving import make_server

# Debian's Chromium; ACADEMY_CHROMIUM points elsewhere on other systems.
CHROMIUM = Path(os.environ.get("ACADEMY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# Where full-page screenshots of every checked page go, when set (for looking at layouts).
SCREENSHOT_DIR_ENV = "ACADEMY_SCREENSHOT_DIR"

# Runs in the page; returns plain data so the report can name rule, impact and elements.
_AXE_RUN = """
async (options) => {
  const results = await window.axe.run(document, options);
  const selector = (target) => target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(", ");
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: selector(n.target), summary: n.failureSummary || "" })),
  }));
}
"""


# Run in the page: how wide the document is, and the elements reaching furthest right (to name culprits).
_REFLOW = """
(width) => {
  const wide = document.documentElement.scrollWidth;
  const culprits = [];
  if (wide > width) {
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && el.children.length === 0) {
        const name = el.tagName.toLowerCase() + (el.className ? "." + String(el.className).replace(/ +/g, ".") : "");
        culprits.push(`${name} (right edge ${Math.round(box.right)} px)`);
        if (culprits.length >= 5) break;
      }
    }
  }
  return { wide, culprits };
}
"""


def reflow_problem(page: Page, width: int) -> str | None:
    """None if the page shown now fits `width` CSS px without scrolling sideways (WCAG 1.4.10), else why not."""
    if page.evaluate("document.contentType") != "text/html":
        return None
    found = page.evaluate(_REFLOW, width)
    if found["wide"] <= width:
        return None
    culprits = "; ".join(found["culprits"]) or "no single element"
    return f"{page.url} is {found['wide']} px wide at {width} px (WCAG 1.4.10 reflow): {culprits}"


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.errors: list[str] = []
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        # Links in e-mails must point at this server.
        app.config["BASE_URL"] = self.base_url
        got_request_exception.connect(self._on_exception, app, weak=False)
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def _on_exception(self, sender: Flask, exception: BaseException, **extra: object) -> None:
        self.errors.append(f"{type(exception).__name__}: {exception}")

    def start(self) -> None:
        """Serve requests until stop()."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        got_request_exception.disconnect(self._on_exception, self.app)

    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def mails(self) -> list[EmailMessage]:
        """Messages the app wrote to its MAIL_DIR, oldest first."""
        folder = Path(self.app.config["MAIL_DIR"])
        if not folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for path in sorted(folder.glob("*.eml"))
        ]

    def last_mail(self, *, to: str, subject: str) -> EmailMessage:
        """The newest message to `to` whose subject contains `subject`; fails if there is none."""
        found = [m for m in self.mails() if m["To"] == to and subject in m["Subject"]]
        assert found, f"no mail to {to} about {subject!r}; mails: {[(m['To'], m['Subject']) for m in self.mails()]}"
        return found[-1]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        """The plain-text body of a message."""
        body = message.get_body(preferencelist=("plain",))
        assert body is not None, "the message has no plain-text part"
        return body.get_content()


@dataclass
class Document:
    """One page load in the tab, and whether the checks ran on it."""

    url: str
    checked: bool = False


@dataclass
class ConsoleError:
    """An error the page reported: console.error, an uncaught exception, a CSP violation, a failed load."""

    text: str
    source: str
    page_url: str


class PageProblems(AssertionError):
    """Accessibility violations, console errors or unchecked pages found by the harness."""


class Site:
    """A browser tab on the live server that checks every page it loads.

    Navigate with `visit(path)`, `follow(locator)` (a link or a submit button) or, for any other
    action that loads a page (a key press, say), `with site.new_page(): ...`. Each waits for the
    new page, checks its HTTP status, runs axe on it and fails on console errors.
    """

    def __init__(self, page: Page, server: LiveServer, *, axe_source: str, label: str) -> None:
        self.page = page
        self.server = server
        self.documents: list[Document] = []
        self.console_errors: list[ConsoleError] = []
        self._axe_source = axe_source
        self._label = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")
        self._expected_failures: set[tuple[str, int]] = set()
        self._screenshots = 0
        # When set (say 320, with a viewport that wide), every checked page must reflow to this width.
        self.reflow_width: int | None = None
        page.on("load", self._on_load)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    # Event handlers: they only record, so they never race with the test's own steps.
    def _on_load(self, page: Page) -> None:
        self.documents.append(Document(url=page.url))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url", "") if message.location else ""
            self.console_errors.append(ConsoleError(message.text, source, self.page.url))

    def _on_page_error(self, error: Error) -> None:
        self.console_errors.append(ConsoleError(f"uncaught {error.name}: {error.message}", "", self.page.url))

    # Navigation
    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on the live server."""
        return self.server.url(path)

    def visit(self, path_or_url: str, *, status: int = 200) -> Page:
        """Open a path (or absolute URL), expect `status`, check the page."""
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url(path_or_url)
        response = self.page.goto(url)
        self._arrived(response, status)
        return self.page

    @contextmanager
    def new_page(self, *, status: int = 200) -> Iterator[None]:
        """Wrap an action that loads another page; expect `status` (after redirects) and check that page."""
        with self.page.expect_navigation() as navigation:
            yield
        self._arrived(navigation.value, status)

    def follow(self, target: Locator, *, status: int = 200) -> Page:
        """Click a link or submit button that loads a page; expect `status` and check the page."""
        with self.new_page(status=status):
            target.click()
        return self.page

    def log_in(self, email_address: str, password: str) -> Page:
        """Log in through the login form."""
        page = self.visit("/login")
        page.get_by_label("E-mail address").fill(email_address)
        page.get_by_label("Password", exact=True).fill(password)
        return self.follow(page.get_by_role("button", name="Log in"))

    def _arrived(self, response: Response | None, status: int) -> None:
        assert response is not None, f"no HTTP response for {self.page.url}"
        problems = []
        if response.status != status:
            problems.append(f"{response.url} answered HTTP {response.status}, the test expected {status}")
        if response.status >= 400:
            # Chromium logs every 4xx/5xx document as a console error; the status is checked above instead.
            self._expected_failures.add((response.url, response.status))
        try:
            self.check()
        except PageProblems as exc:
            problems.append(str(exc))
        if problems:
            raise PageProblems("\n\n".join(problems))

    # Checks
    def check(self) -> None:
        """Run axe on the page shown now and fail on violations, console errors and unchecked pages so far."""
        page = self.page
        violations: list[dict] = []
        if page.evaluate("document.contentType") == "text/html":
            # Evaluated over CDP, so the page's CSP (script-src 'self') does not block it.
            if page.evaluate("typeof window.axe") == "undefined":
                page.evaluate(self._axe_source)
            options = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]}
            violations = page.evaluate(_AXE_RUN, options)
        self._mark_checked(page.url)
        self._screenshot()
        report = []
        if violations:
            report.append(format_violations(page.url, violations))
        if self.reflow_width is not None:
            problem = reflow_problem(page, self.reflow_width)
            if problem:
                report.append(problem)
        report.extend(self._take_problems())
        if report:
            raise PageProblems("\n\n".join(report))

    def finish(self) -> None:
        """Check the last page if nothing did yet, then fail on anything still unreported."""
        if self.documents and not self.documents[-1].checked and not self.page.is_closed():
            self.check()
        problems = self._take_problems()
        if problems:
            raise PageProblems("\n\n".join(problems))

    def pending_problems(self) -> list[str]:
        """Problems found but not yet reported (to add to the failure of a test that broke first)."""
        return self._take_problems()

    def _mark_checked(self, url: str) -> None:
        if not self.documents or not _same_document(self.documents[-1].url, url):
            # The load event of this page has not been seen (a page loaded by other means): record it.
            self.documents.append(Document(url=url))
        self.documents[-1].checked = True

    def _take_problems(self) -> list[str]:
        problems = []
        for doc in self.documents[:-1]:
            if not doc.checked:
                problems.append(
                    f"{doc.url} loaded but the test moved on before it was checked: navigate with "
                    "site.visit(), site.follow() or `with site.new_page(): ...`"
                )
                doc.checked = True  # report it once
        errors = [e for e in self.console_errors if not self._is_expected(e)]
        self.console_errors.clear()
        if errors:
            lines = [f"  - on {e.page_url}: {e.text}" + (f" (from {e.source})" if e.source else "") for e in errors]
            problems.append("The page reported errors in the browser console:\n" + "\n".join(lines))
        if self.server.errors:
            problems.append("The server raised:\n" + "\n".join(f"  - {e}" for e in self.server.errors))
            self.server.errors.clear()
        return problems

    def _is_expected(self, error: ConsoleError) -> bool:
        return any(
            error.source == url and f"status of {status}" in error.text for url, status in self._expected_failures
        )

    def _screenshot(self) -> None:
        folder = os.environ.get(SCREENSHOT_DIR_ENV)
        if not folder:
            return
        self._screenshots += 1
        path = Path(folder) / f"{self._label}-{self._screenshots:02d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)


def _same_document(a: str, b: str) -> bool:
    # A fragment change (the skip link) keeps the same document.
    return urldefrag(a).url == urldefrag(b).url


def format_violations(url: str, violations: list[dict]) -> str:
    """A readable report of axe violations: rule id, impact, what it means, and the elements."""
    lines = [f"axe found {len(violations)} WCAG 2.0/2.1 A/AA violation(s) on {url}:"]
    for v in violations:
        lines.append(f"  - {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"]:
            # "Fix any of the following:\n  reason\n  reason" -> "Fix any of the following: reason; reason"
            head, *reasons = [line.strip() for line in node["summary"].splitlines() if line.strip()] or [""]
            summary = f"{head} {'; '.join(reasons)}".strip()
            lines.append(f"      at {node['target']}" + (f": {summary}" if summary else ""))
    return "\n".join(lines)
