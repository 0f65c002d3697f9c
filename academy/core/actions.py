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

Options: `abort_on=(403,)` answers refusals of those statuses with the error page instead;
`fields={"attachment": "attachments"}` maps a service's field name onto the form's (the key None
places refusals that name no field); `on_form=True` shows a refusal that names no field at the top
of the form (`form.form_errors`) instead of flashing it.

Work already done outside a block (a GET that records a read) commits with `commit()`.

API endpoints wrap theirs in `api_action()` (a context manager or a decorator): it commits on
success and rolls back on any error, which the API blueprint's handlers turn into problem+json
(academy.api.problems: a ServiceError with a field becomes a 422 naming it). CLI commands and jobs
own their commits and use neither.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from flask import abort, flash
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


def show_error(
    form: FlaskForm | None,
    err: ServiceError,
    default_field: str | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    on_form: bool = False,
) -> None:
    """Put a refusal on the field it names (or `default_field`), else atop the form (`on_form`), or flash it."""
    name = (fields or {}).get(err.field, err.field) or default_field  # a key None places refusals naming no field
    field = getattr(form, name, None) if form is not None and name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, err.message]
    elif on_form and form is not None:
        form.form_errors.append(err.message)
    else:
        flash(err.message, "error")


@contextmanager
def request_action(
    form: FlaskForm | None = None,
    *,
    field: str | None = None,
    abort_on: Collection[int] = (),
    fields: Mapping[str, str] | None = None,
    on_form: bool = False,
) -> Iterator[Outcome]:
    """Commit what the block did; on a ServiceError roll back and show it on `form` (see the module doc).

    `field` is where a refusal naming no field of its own lands (a form whose first field says it
    best); without it such a refusal is flashed (or shown atop the form with `on_form`).
    """
    outcome = Outcome()
    try:
        yield outcome
    except ServiceError as err:
        db.session.rollback()
        if err.status in abort_on:
            abort(err.status)
        outcome.error = err
        show_error(form, err, field, fields=fields, on_form=on_form)
        return
    except BaseException:
        db.session.rollback()
        raise
    commit()
    outcome.committed = True


@contextmanager
def api_action() -> Iterator[None]:
    """Commit what the block (or decorated endpoint) did; roll back and re-raise on any error (-> problem+json)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    commit()


def commit() -> None:
    """Commit the request's work (jobs queued after commit then run); roll back if the commit fails."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
