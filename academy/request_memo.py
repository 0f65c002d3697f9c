"""Remember, for the rest of one request, what several parts of a page load; forget it all on any write.

A page asks the same questions more than once (the quizzes panel and the certificate requirements
both want the learner's quizzes, attempts, enrolment and outcomes). Values are kept on the request
itself (not on `g`, which an app context may share between requests) and dropped whenever the
session flushes, commits, rolls back, runs a write statement or has an object added, so a page
rendered after a change in the same request shows the change. Outside a request nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

T = TypeVar("T")

_ENVIRON_KEY = "academy_request_memo"
_MISSING: Any = object()


def active() -> bool:
    """True inside a request, where values are remembered."""
    return has_request_context()


def _store() -> dict[tuple[str, Hashable], Any] | None:
    return request.environ.setdefault(_ENVIRON_KEY, {}) if has_request_context() else None


def remember(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per request for (name, key); outside a request, every time."""
    store = _store()
    if store is None:
        return compute()
    value = store.get((name, key), _MISSING)
    if value is _MISSING:
        value = store[(name, key)] = compute()
    return value


def put(name: str, key: Hashable, value: T) -> T:
    """Remember a value already loaded (does nothing outside a request)."""
    store = _store()
    if store is not None:
        store[(name, key)] = value
    return value


def peek(name: str, key: Hashable) -> tuple[bool, Any]:
    """(True, value) when (name, key) is remembered in this request, else (False, None)."""
    store = _store()
    if store is None or (name, key) not in store:
        return False, None
    return True, store[(name, key)]


def forget(*_args: object) -> None:
    """Drop everything remembered in this request (the session changed something)."""
    if has_request_context():
        request.environ.pop(_ENVIRON_KEY, None)


def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget()


for _event in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback", "transient_to_pending"):
    event.listen(Session, _event, forget)
event.listen(Session, "do_orm_execute", _forget_on_write)
