"""One way for a request to commit: services flush, these helpers commit or roll back.

HTML views wrap the service call in `request_action(form)`:

    with request_action(form) as done:
        services.change_password(user, current_password=..., new_password=...)
    if done:
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form), 400

On success the transaction commits (and jobs queued with enqueue_after_commit run). A
`ServiceError` rolls back and is shown on the form field it names, or as a flashed message when it
names none (or there is no form); the block's remaining lines are skipped and `done` is false. Any
other exception rolls back and propagates (the error pages answer it).

API endpoints wrap theirs in `api_action()` (a context manager or a decorator): it commits on
success and rolls back on any error, which the API blueprint's handlers turn into problem+json
(academy.api.problems: a ServiceError with a field becomes a 422 naming it). CLI commands and jobs
own their commits and use neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash
from flask_wtf import FlaskForm

from academy.exceptions import ServiceError
from academy.extensions import db


class Outcome:
    """What `request_action` did: true once committed; `error` holds the service's refusal otherwise."""

    def __init__(self) -> None:
        self.committed = False
        self.error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.committed


def show_error(form: FlaskForm | None, err: ServiceError, default_field: str | None = None) -> None:
    """Put a service's refusal on the form field it names (or on `default_field`), or flash it."""
    name = err.field or default_field
    field = getattr(form, name, None) if form is not None and name else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        flash(err.message, "error")


@contextmanager
def request_action(form: FlaskForm | None = None, *, field: str | None = None) -> Iterator[Outcome]:
    """Commit what the block did; on a ServiceError roll back and show it on `form` (see the module doc).

    `field` is where a refusal naming no field of its own lands (a form whose first field says it
    best); without it such a refusal is flashed.
    """
    outcome = Outcome()
    try:
        yield outcome
    except ServiceError as err:
        db.session.rollback()
        outcome.error = err
        show_error(form, err, field)
        return
    except BaseException:
        db.session.rollback()
        raise
    _commit()
    outcome.committed = True


@contextmanager
def api_action() -> Iterator[None]:
    """Commit what the block (or decorated endpoint) did; roll back and re-raise on any error (-> problem+json)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    _commit()


def _commit() -> None:
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
