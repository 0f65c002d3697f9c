"""One way for a feature to react to another's events.

A lower feature announces what happened with a small frozen dataclass carrying ids (listed in its
own `events.py`) and `emit()`s it from a service, inside the caller's transaction. A higher feature
registers receivers with `listen()` in its `integration.init_app(app)`, called once from
`create_app`. Receivers run synchronously in the same transaction: they may add rows or queue
jobs with `enqueue_after_commit()`, never commit. The registry lives on the app, so every app (and
every test) has its own; a lower feature never names a higher one.

The events and their receivers are listed in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

_KEY = "academy_events"

E = TypeVar("E")


def listen(app: Flask, event_type: type[E], receiver: Callable[[E], Any]) -> None:
    """Call `receiver(event)` whenever an event of `event_type` is emitted in this app (once per receiver)."""
    receivers = app.extensions.setdefault(_KEY, {}).setdefault(event_type, [])
    if receiver not in receivers:
        receivers.append(receiver)


def receivers(event_type: type, app: Flask | None = None) -> list[Callable[[Any], Any]]:
    """The receivers registered for `event_type`, in registration order."""
    app = app or current_app
    return list(app.extensions.get(_KEY, {}).get(event_type, []))


def emit(event: object) -> None:
    """Run every receiver of the event's type, in order; outside an app context nobody listens."""
    if not has_app_context():
        return
    for receiver in receivers(type(event)):
        receiver(event)
