"""Confirmation before a destructive or privileged action (delete, discard, remove, make admin).

A view decorated with `confirm_first(...)` runs only when the POST carries `confirmed=yes`. With
JavaScript, academy/static/js/confirm.js asks in a <dialog> and adds the field (forms marked
`data-confirm="question"`); without it, the first POST answers with a confirmation page whose
form posts the same fields again with `confirmed=yes`, and "Cancel" goes back. Nothing changes
until the person confirms.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, render_template, request
from flask_wtf import FlaskForm

F = TypeVar("F", bound=Callable[..., Any])
CONFIRM_FIELD = "confirmed"


def _back() -> str:
    """Where "Cancel" goes: the page the form was on when it is ours, else the home page."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def confirm_first(
    title: Any,
    message: Any,
    label: Any,
    *,
    when: Callable[[], bool] | None = None,
    guard: Callable[..., object] | None = None,
) -> Callable[[F], F]:
    """Ask before running the view (see the module doc); `when` limits it to some submissions.

    `guard(**view_kwargs)` runs first, so someone who may not act gets the view's 403/404, not a question.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.method != "POST" or request.form.get(CONFIRM_FIELD) == "yes" or (when and not when()):
                return view(*args, **kwargs)
            if guard is not None:
                guard(**kwargs)
            if not FlaskForm().validate_on_submit():
                abort(400)
            fields = [
                (name, value)
                for name, values in request.form.lists()
                if name not in ("csrf_token", CONFIRM_FIELD)
                for value in values
            ]
            return render_template(
                "confirm.html",
                title=title,
                message=message,
                confirm_label=label,
                action=request.full_path.rstrip("?"),
                fields=fields,
                cancel=_back(),
            )

        return wrapped  # type: ignore[return-value]

    return decorator
