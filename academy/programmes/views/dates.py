"""Trainer page: another date of a session part (attending any one date does the part)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from academy.core.actions import request_action
from academy.programmes.forms import DateForm
from academy.programmes.models import ProgrammePart, TrainingSession
from academy.programmes.services import scheduling, seats, sessions
from academy.programmes.views import bp
from academy.programmes.views.roster import managed_session, session_values


def _part_of(session: TrainingSession) -> ProgrammePart:
    part = seats.part_of(session)
    if part is None:
        abort(404)  # a session taken out of its programme takes no new dates
    return part


def _prefilled(session: TrainingSession) -> DateForm:
    """The form for a new date, with the part's session's details (not its times) filled in."""
    return DateForm(
        formdata=None,
        title=session.title,
        description=session.description,
        mode=session.mode.value,
        timezone=session.timezone,
        place=session.place,
        online_url=session.online_url,
        capacity=session.capacity,
    )


@bp.route("/teach/sessions/<int:session_id>/dates", methods=["GET", "POST"])
@login_required
def add_date(session_id: int):  # noqa: ANN201
    """Offer the session of a part on another date: participants attend any one of its dates."""
    session = managed_session(session_id)
    part = _part_of(session)
    first = part.session
    form = DateForm() if request.method == "POST" else _prefilled(first)
    status = 200
    if form.validate_on_submit():
        with request_action(form, field="title") as done:
            date = scheduling.add_date(part, **session_values(form.data))
        status = 400
        if done:
            flash(
                _("%(title)s now has another date: %(when)s.", title=first.title, when=sessions.local_time(date)),
                "success",
            )
            return redirect(url_for(".manage", slug=first.programme.slug) + f"#part-{part.id}")
    elif form.is_submitted():
        status = 400
    return render_template("programmes/trainer/add_date.html", session=first, part=part, form=form), status
