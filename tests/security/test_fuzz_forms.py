"""Every route, every form, every persona, hostile values: no 5xx, and nothing half-written (issue 17, item 4).

The world of the access matrix (tests/security/conftest.py) gives every route of the URL map real
ids. As each persona (visitor, learner, contact person, trainer, admin):

- every GET route is asked with hostile values in every query parameter we know of (the common
  ones below plus the fields of the page's own GET forms);
- every POST form found on those pages is sent once per field with a hostile value in that field
  (the CSRF token included), once with all fields missing and once with every field hostile;
- every integer in every route's address is replaced by 2**31 and 2**64 (must be 404).

No answer may be a 5xx (under TESTING an unhandled error raises, which counts as one too). After
every 4xx the row count of every table must be what it was: a refused request writes nothing.
Values are sampled, not crossed in full: field i of form j gets value (i + j) mod len(VALUES), so
each value reaches every kind of field across the run while a run stays near a minute per database.
"""

from __future__ import annotations

import itertools
from urllib.parse import urlencode, urlsplit

import lxml.html
import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from tests.conftest import csrf_token
from tests.security.test_access_matrix import ROUTES, url_for_rule

PERSONAS = ("anonymous", "enrolled", "contact", "owner", "admin")

VALUES = (
    "x" * 10_000,  # far past every length limit
    "a\x00b",  # NUL: PostgreSQL refuses it in text
    "\x01\x08\x1b[31m\x7f",  # other control characters
    "\u202eevil\u202c\u200b\u2066",  # bidi overrides and zero-width
    str(2**64),  # past 64 bits
    str(2**31),  # past 32 bits
    "-1",
    "-" + "9" * 30,
    "1e28",
    "sNaN",
    "abc",  # a word where a number or a choice belongs
    "",
    "😀𝕏\U0010ffff",  # astral plane
    "2026-13-45T99:99",  # an impossible date
    "' OR 1=1 --",
)
COMMON_QUERY = (
    "page",
    "q",
    "filter",
    "show",
    "scope",
    "category",
    "outcome",
    "type",
    "next",
    "language",
    "level",
    "topic",
    "role",
    "unread",
    "limit",
    "offset",
    "status",
)
# Forms that would end the persona's own session: fuzzing them logs the fuzzer out.
SKIP_FORMS = {"auth.logout", "auth.end_other_sessions", "auth.change_password"}
SKIP_GET = {"static", "ops.readyz"}  # readyz answers 503 by design on a schema made by create_all
# Tables a refused request may still touch: login throttling and the sessions' last-seen time.
MAY_CHANGE_ON_4XX = {"user_sessions"}


def _row_counts(db) -> dict[str, int]:
    """Every table's row count, in one statement."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in MAY_CHANGE_ON_4XX]
    row = db.session.execute(
        select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    ).one()
    db.session.rollback()
    return dict(zip([t.name for t in tables], row, strict=True))


def _endpoint(app, path: str, method: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method=method)
    except HTTPException:
        return None
    return endpoint


# What a person would type in an empty field of each input type, so the base submission is valid.
PLAUSIBLE = {
    "number": "1",
    "email": "fuzz@example.org",
    "url": "https://example.org/fuzz",
    "datetime-local": "2027-03-01T10:00",
    "date": "2027-03-01",
    "time": "10:00",
    "password": "a long fuzzing passphrase",
}


def _plausible(element) -> str | None:
    """The element's own value, or a plausible one for its type (None: leave it out, e.g. a file)."""
    kind = (element.get("type") or "text").lower() if element.tag == "input" else element.tag
    if kind in ("file", "submit", "button", "reset", "image"):
        return None
    if kind in ("checkbox", "radio"):
        return element.get("value", "on") if element.checked else None
    if element.tag == "select":
        options = element.value_options
        return (element.value if not element.multiple else None) or (options[0] if options else "")
    value = element.value if element.tag != "textarea" else element.text_content().strip()
    return value or PLAUSIBLE.get(kind, "fuzz-value")


def _forms(html: str) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """(action, a plausible submission) of each POST form, and the field names of GET forms."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return [], []
    posts, gets = [], []
    for form in doc.forms:
        if (form.method or "GET").upper() != "POST":
            gets.extend(el.name for el in form.inputs if el.name)
            continue
        base: dict[str, str] = {}
        for element in form.inputs:
            if element.name and element.name not in base and (value := _plausible(element)) is not None:
                base[element.name] = value
        posts.append((form.get("action") or "", base))
    return posts, gets


def _fresh_token(client, login, user) -> str:
    """A CSRF token for the persona, signing them in again (or out) if an earlier form changed that.

    A password reset or a confirmed registration ends or starts a session; the forms after it must
    still be sent as the persona, with a token of the current session.
    """
    if user is None:
        if client.get("/login").status_code != 200:
            with client.session_transaction() as session:
                session.clear()
        return csrf_token(client, "/login")
    if client.get("/account").status_code != 200:
        login(user)
    return csrf_token(client, "/account")


DESTRUCTIVE = ("delete", "remove", "archive", "cancel", "revoke", "leave", "discard", "retire")


def _destructive_last(item: tuple[str, object]) -> tuple[bool, str]:
    """Forms that delete or close things go last, so the others still find what they edit."""
    return any(word in item[0] for word in DESTRUCTIVE), item[0]


def _is_html(response) -> bool:
    return response.status_code == 200 and response.mimetype == "text/html"


def _send(client, method: str, url: str, **kwargs) -> tuple[int | None, str | None]:
    """(status, None), or (None, the error) when the app raised."""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:200]}"
    return response.status_code, None


def _ids_in_addresses(app, world) -> list[tuple[str, str]]:
    """(endpoint, url) for every route with an integer argument, each integer replaced by a huge one."""
    out = []
    for rule in ROUTES:
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ == "BoundedIntegerConverter"]
        if not ints:
            continue
        url = url_for_rule(app, rule, world)
        for name in ints:
            for huge in (str(2**31), str(2**64)):
                good = str(world.url_values.get(name, world.url_values.get("member_user_id")))
                parts = url.split("/")
                if good in parts:
                    parts[parts.index(good)] = huge
                    out.append((rule.endpoint, "/".join(parts)))
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_route_or_form_answers_5xx_or_half_writes(app, client, login, db, security_world, persona):
    user = security_world.people[persona]
    if user is not None:
        login(user)
    problems: list[str] = []
    rotation = itertools.count(PERSONAS.index(persona) * 3)
    forms: dict[str, tuple[str, dict[str, str]]] = {}

    # Query strings of every GET route, and the forms each page offers.
    for rule in ROUTES:
        if "GET" not in (rule.methods or ()) or rule.endpoint in SKIP_GET:
            continue
        url = url_for_rule(app, rule, security_world)
        try:
            page = client.get(url)
        except Exception as exc:
            problems.append(f"GET {url}: {type(exc).__name__}: {exc}")
            continue
        posts, get_fields = _forms(page.get_data(as_text=True)) if _is_html(page) else ([], [])
        for action, base in posts:
            path = urlsplit(action).path or urlsplit(url).path
            endpoint = _endpoint(app, path, "POST")
            if endpoint and endpoint not in SKIP_FORMS and endpoint not in forms:
                forms[endpoint] = (path, base)
        params = list(dict.fromkeys(COMMON_QUERY + tuple(get_fields)))
        for _ in range(2):
            value = VALUES[next(rotation) % len(VALUES)]
            status, error = _send(client, "GET", f"{url}?{urlencode(dict.fromkeys(params, value))}")
            if error or status >= 500:
                problems.append(f"GET {url} with {value[:20]!r}: {error or status}")

    # Every form: as the page fills it (twice: the second may conflict with the first), one hostile
    # field at a time (the CSRF token too), all missing, all hostile.
    for index, (endpoint, (path, page_values)) in enumerate(sorted(forms.items(), key=_destructive_last)):
        token = _fresh_token(client, login, user)
        base = {**page_values, "csrf_token": token}
        names = list(base)
        variants = [base, base]
        variants += [{**base, name: VALUES[(i + index) % len(VALUES)]} for i, name in enumerate(names)]
        variants.append({"csrf_token": token})
        variants.append({**dict.fromkeys(names, VALUES[index % len(VALUES)]), "csrf_token": token})
        for data in variants:
            before = _row_counts(db)
            status, error = _send(client, "POST", path, data=data)
            if error or status >= 500:
                shown = {k: v[:20] for k, v in data.items() if k != "csrf_token"}
                problems.append(f"POST {path} ({endpoint}) {shown}: {error or status}")
            elif 400 <= status < 500:
                after = _row_counts(db)
                changed = [t for t in before if before[t] != after[t]]
                if changed:
                    problems.append(f"POST {path} ({endpoint}) answered {status} but changed {changed}")

    # Integers in addresses past what the database holds: not found, for every route (a POST without
    # its form's CSRF token may be refused for that first: 400).
    if persona == "admin":
        for endpoint, url in _ids_in_addresses(app, security_world):
            for method in ("GET", "POST"):
                status, error = _send(client, method, url)
                allowed = (404, 405) if method == "GET" else (400, 404, 405)
                if error or status not in allowed:
                    problems.append(f"{method} {url} ({endpoint}): {error or status}, expected 404")

    print(f"{persona}: {len(forms)} forms: {sorted(forms)}")
    assert forms, "no form was found: the page crawl is broken"
    assert not problems, f"{persona}: {len(problems)} problem(s)\n" + "\n".join(problems[:60])
