"""Trainer pages of one session: the roster with attendance and seats, editing, cancelling, the CSV."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from academy.auth.forms import EmptyForm
from academy.core.actions import request_action
from academy.csvutil import rows_to_csv
from academy.db import utcnow
from academy.extensions import db
from academy.programmes import policy
from academy.programmes.forms import (
    CancelSessionForm,
    CapacityForm,
    EditSessionForm,
)
from academy.programmes.models import Attendance, TrainingSession
from academy.programmes.services import scheduling, seats, sessions
from academy.programmes.views import bp

ATTENDANCE_LABELS = {
    Attendance.PRESENT: "Present",
    Attendance.ABSENT: "Absent",
    Attendance.EXCUSED: "Excused",
}


def managed_session(session_id: int) -> TrainingSession:
    """The session by id for its programme's managers (404 if none, 403 for anyone else)."""
    session = db.session.get(TrainingSession, session_id, options=[joinedload(TrainingSession.cancelled_by)])
    if session is None:
        abort(404)
    if not policy.can_manage_programme(current_user, session.programme):
        abort(403)
    return session


def session_values(data: dict, *, capacity: bool = True) -> dict:
    """A session form's data as the authoring services take it: times in UTC, empty texts as ""."""
    zone, deadline = data["timezone"], data["registration_deadline"]
    values = {
        "title": data["title"],
        "description": data["description"] or "",
        "mode": data["mode"],
        "starts_at": scheduling.local_to_utc(data["starts_at"], zone),
        "ends_at": scheduling.local_to_utc(data["ends_at"], zone),
        "timezone": zone,
        "place": data["place"] or "",
        "online_url": data["online_url"] or "",
        "registration_deadline": scheduling.local_to_utc(deadline, zone) if deadline else None,
    }
    if capacity:
        values["capacity"] = data["capacity"]
    return values


@bp.get("/teach/sessions/<int:session_id>")
@login_required
def roster(session_id: int):  # noqa: ANN201
    """The roster: who holds a seat (with attendance), the waiting list, the number of seats."""
    session = managed_session(session_id)
    seated, waiting = sessions.roster(session)
    capacity_form = CapacityForm(formdata=None, capacity=session.capacity)
    return render_template(
        "programmes/trainer/roster.html",
        session=session,
        seated=seated,
        waiting=waiting,
        form=EmptyForm(),
        capacity_form=capacity_form,
        attendance_open=not session.cancelled and utcnow() >= session.starts_at,
        can_cancel=not session.cancelled and utcnow() < session.starts_at,
        choices=list(Attendance),
        labels=ATTENDANCE_LABELS,
    )


@bp.route("/teach/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):  # noqa: ANN201
    """Change a session's title, time, place or link; registrations stay."""
    session = managed_session(session_id)
    if session.cancelled:
        flash(_("This session is cancelled: it can no longer be changed."), "error")
        return redirect(url_for(".roster", session_id=session_id))
    form = EditSessionForm()
    if request.method == "GET":
        zone = ZoneInfo(session.timezone)
        form = EditSessionForm(
            formdata=None,
            obj=session,
            mode=session.mode.value,
            starts_at=session.starts_at.astimezone(zone).replace(tzinfo=None),
            ends_at=session.ends_at.astimezone(zone).replace(tzinfo=None),
            registration_deadline=(
                session.registration_deadline.astimezone(zone).replace(tzinfo=None)
                if session.registration_deadline
                else None
            ),
        )
    status = 200
    if form.validate_on_submit():
        with request_action(form, field="title") as done:
            update = scheduling.update_session(session, actor=current_user, **session_values(form.data, capacity=False))
        status = 400
        if done:
            if update.told:
                flash(
                    ngettext(
                        "The session is saved. %(num)d person registered or waiting is told about the change.",
                        "The session is saved. %(num)d people registered or waiting are told about the change.",
                        update.told,
                    ),
                    "success",
                )
            else:
                flash(_("The session is saved."), "success")
            return redirect(url_for(".roster", session_id=session_id))
    elif form.is_submitted():
        status = 400
    return render_template("programmes/trainer/session_form.html", session=session, form=form), status


@bp.route("/teach/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(session_id: int):  # noqa: ANN201
    """Confirm with a reason, then cancel the session; everyone registered or waiting is told."""
    session = managed_session(session_id)
    if session.cancelled:
        flash(_("This session is already cancelled."), "info")
        return redirect(url_for(".roster", session_id=session_id))
    if utcnow() >= session.starts_at:
        flash(
            _("The session has started or taken place, so it cannot be cancelled. Record attendance on the roster."),
            "error",
        )
        return redirect(url_for(".roster", session_id=session_id))
    form = CancelSessionForm()
    status = 200
    if form.validate_on_submit():
        with request_action(form) as done:
            result = sessions.cancel_session(session, reason=form.reason.data, actor=current_user)
        status = 400
        if not done and done.error.field != "reason":  # flashed: back to the roster
            return redirect(url_for(".roster", session_id=session_id))
        if done:
            if not result.cancelled:
                flash(_("This session is already cancelled."), "info")
            else:
                flash(
                    ngettext(
                        "The session is cancelled. %(num)d person registered or waiting is told.",
                        "The session is cancelled. %(num)d people registered or waiting are told.",
                        result.told,
                    ),
                    "success",
                )
            return redirect(url_for(".roster", session_id=session_id))
    elif form.is_submitted():
        status = 400
    seated, waiting = sessions.roster(session)
    return (
        render_template(
            "programmes/trainer/cancel_session.html", session=session, form=form, seated=seated, waiting=waiting
        ),
        status,
    )


@bp.post("/teach/sessions/<int:session_id>/attendance")
@login_required
def attendance(session_id: int):  # noqa: ANN201
    """Record present / absent / excused; a change after certification corrects the programme certificate."""
    session = managed_session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    marks: dict[int, str | None] = {}
    for name, value in request.form.items():
        if not name.startswith("attendance-"):
            continue
        try:
            registration_id = int(name.removeprefix("attendance-"))
        except ValueError:
            abort(400)
        if value and value not in {a.value for a in Attendance}:
            abort(400)
        marks[registration_id] = value or None
    with request_action() as done:
        sessions.record_attendance(session, actor=current_user, marks=marks)
    if done:
        flash(_("Attendance is saved."), "success")
    return redirect(url_for(".roster", session_id=session_id))


@bp.post("/teach/sessions/<int:session_id>/capacity")
@login_required
def capacity(session_id: int):  # noqa: ANN201
    """Change the number of seats; new seats go to the waiting list first."""
    session = managed_session(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        flash(" ".join(form.capacity.errors) or _("Enter a number of seats."), "error")
        return redirect(url_for(".roster", session_id=session_id))
    with request_action() as done:
        promoted = seats.set_capacity(session, form.capacity.data)
    if done:
        flash(
            _(
                "The session now has %(num)d seats; %(moved)d moved up from the waiting list.",
                num=session.capacity,
                moved=len(promoted),
            ),
            "success",
        )
    return redirect(url_for(".roster", session_id=session_id))


@bp.get("/teach/sessions/<int:session_id>/roster.csv")
@login_required
def roster_csv(session_id: int):  # noqa: ANN201
    """The roster as CSV: seated people with attendance, then the waiting list."""
    session = managed_session(session_id)
    seated, waiting = sessions.roster(session)
    rows = [
        [
            row.user.name,
            row.user.email,
            row.user.organisation or "",
            row.registration.status.value,
            row.registration.attendance.value if row.registration.attendance else "",
            (row.registration.registered_at or row.registration.queued_at).isoformat(timespec="seconds"),
        ]
        for row in [*seated, *waiting]
    ]
    body = rows_to_csv(["name", "email", "organisation", "status", "attendance", "registered_at"], rows)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="roster-session-{session.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
