"""Learner pages: the programme catalogue, a programme's page, enrolment, session registration, .ics files."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.auth.forms import EmptyForm
from academy.certificates import achievements
from academy.core import private_cache, public_cache
from academy.core.actions import request_action
from academy.db import utcnow
from academy.exceptions import ServiceError
from academy.inputs import page_arg
from academy.programmes import ics, policy
from academy.programmes.forms import ProgrammeFilterForm
from academy.programmes.models import CERTIFICATE_KIND, Programme, RegistrationStatus, TrainingSession
from academy.programmes.services import enrolment, progress, seats, sessions
from academy.programmes.views import bp


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _programme_or_404(slug: str) -> Programme:
    try:
        return enrolment.get_programme(slug, viewer=_user())
    except ServiceError:
        abort(404)


def _session_or_404(session_id: int) -> TrainingSession:
    try:
        session = sessions.get_session(session_id)
    except ServiceError:
        abort(404)
    if not policy.can_view_programme(_user(), session.programme):
        abort(404)
    return session


def _next_change(programme: Programme):
    """The next moment the page changes by itself: a registration closing, a session starting or ending."""
    now = utcnow()
    moments = [
        moment
        for part in programme.parts
        if part.session is not None
        for date in part.dates
        for moment in (seats.registration_closes(date), date.starts_at, date.ends_at)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


@bp.get("/programmes", endpoint="catalogue")
@public_cache.cacheable()
def catalogue():  # noqa: ANN201
    """Published programmes, searchable by words."""
    form = ProgrammeFilterForm(request.args)
    q = (form.q.data or "").strip()[:100]
    pagination = enrolment.listed(q=q, page=page_arg())
    return render_template("programmes/catalogue.html", form=form, pagination=pagination, filtered=bool(q))


@bp.get("/programmes/<slug>", endpoint="programme")
@public_cache.cacheable()
@private_cache.cacheable()
def programme_page(slug: str):  # noqa: ANN201
    """A programme's parts, my state in each, what is left, and my certificate once earned."""
    programme = _programme_or_404(slug)
    user = _user()
    row = enrolment.enrolment_of(user, programme)
    enrolled = row is not None and row.status.value == "active"
    standing = progress.standing(
        programme,
        user if enrolled else None,
        with_mastery=enrolled,
        completed_at=row.completed_at if enrolled else None,
    )
    certificate = (
        achievements.current_achievement_certificate(user.id, CERTIFICATE_KIND, programme.id) if enrolled else None
    )
    public_cache.valid_until(_next_change(programme))  # a deadline passing changes the page by itself
    return render_template(
        "programmes/programme.html",
        programme=programme,
        standing=standing,
        enrolment=row,
        enrolled=enrolled,
        certificate=certificate,
        can_edit=policy.can_manage_programme(user, programme),
        registration_open=seats.registration_open,
        any_date_open=seats.any_date_open,
        # Only signed-in visitors get forms: an anonymous page sets no CSRF cookie, so it can be cached.
        form=EmptyForm() if user is not None else None,
    )


@bp.post("/programmes/<slug>/enrol")
@login_required
def enrol(slug: str):  # noqa: ANN201
    """Enrol in the programme and its courses."""
    programme = _programme_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        enrolment.enrol(current_user, programme)
    if done:
        flash(_("You are enrolled in %(title)s and its courses.", title=programme.title), "success")
    return redirect(url_for(".programme", slug=slug))


@bp.post("/programmes/<slug>/leave")
@login_required
def leave(slug: str):  # noqa: ANN201
    """Leave the programme (course progress and certificates stay)."""
    programme = _programme_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        enrolment.leave(current_user, programme)
    if done:
        flash(_("You have left %(title)s.", title=programme.title), "success")
    return redirect(url_for(".programme", slug=slug))


@bp.post("/programmes/sessions/<int:session_id>/register")
@login_required
def register(session_id: int):  # noqa: ANN201
    """Take a seat, or a place on the waiting list when the session is full."""
    session = _session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        registration = seats.register(current_user, session)
    if done and registration.status == RegistrationStatus.REGISTERED:
        flash(_("Your seat at %(title)s is booked. Add it to your calendar.", title=session.title), "success")
    elif done:
        flash(
            _("The session is full: you are on the waiting list and will get a seat as soon as one frees up."),
            "success",
        )
    return redirect(url_for(".programme", slug=session.programme.slug) + f"#session-{session.id}")


@bp.post("/programmes/sessions/<int:session_id>/cancel")
@login_required
def cancel(session_id: int):  # noqa: ANN201
    """Give up a seat or a waiting-list place; the next person waiting gets the seat."""
    session = _session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        seats.cancel(current_user, session)
    if done:
        flash(_("Your registration for %(title)s is cancelled.", title=session.title), "success")
    return redirect(url_for(".programme", slug=session.programme.slug) + f"#session-{session.id}")


@bp.get("/programmes/sessions/<int:session_id>/calendar.ics")
@login_required
def calendar(session_id: int):  # noqa: ANN201
    """The .ics file of my registration."""
    session = _session_or_404(session_id)
    registration = seats.registration_of(current_user, session)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        abort(404)
    base = current_app.config["BASE_URL"].rstrip("/")
    url = base + url_for(".programme", slug=session.programme.slug)
    body = ics.calendar(session, registration, url=url, domain=urlsplit(base).hostname or "academy")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="session-{session.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
