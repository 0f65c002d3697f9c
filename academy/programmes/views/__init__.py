"""The `programmes` blueprint: learner pages (catalogue, programme, sessions) and trainer pages (editor, roster)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy import formats
from academy.home import HomePanel, register_home_panel
from academy.programmes.models import TrainingSession
from academy.programmes.services import enrolment, progress, seats, sessions

bp = Blueprint("programmes", __name__)


@bp.app_template_global()
def session_time(session: TrainingSession) -> str:
    """ "12 March 2027, 09:30–12:30 (Europe/Vienna)": the session's own local time."""
    return sessions.local_time(session)


@bp.app_template_global()
def session_deadline(session: TrainingSession) -> str:
    """When registration closes, in the session's local time."""
    closes = seats.registration_closes(session).astimezone(ZoneInfo(session.timezone))
    return formats.datetime(closes, rebase=False)


@bp.app_template_global()
def my_programmes() -> list:
    """The current user's active programme enrolments, for My learning (two queries)."""
    if not current_user.is_authenticated:
        return []
    rows = enrolment.programmes_of_learner(current_user)
    return sorted(rows, key=lambda row: row.programme.title.casefold())


def programmes_panel():  # noqa: ANN201
    """Start page: the programmes the user is working through, with the share done and what is left (None if none)."""
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    rows = enrolment.unfinished_programmes(user)
    if not rows:
        return None
    standings = progress.standings(
        [row.programme for row in rows], user, completed_at={row.programme_id: row.completed_at for row in rows}
    )
    return HomePanel(
        title=_("Your programmes"),
        template="programmes/_home_programmes.html",
        context={"standings": standings},
        more_url=url_for("courses.my_learning") if "courses.my_learning" in current_app.view_functions else "",
        more_label=_("All my programmes"),
        stylesheets=("css/courses.css",),
    )


def sessions_panel():  # noqa: ANN201
    """Start page: sessions the user registered for (or waits for) in the next 60 days (None if none)."""
    if not current_user.is_authenticated:
        return None
    registrations = seats.upcoming_registrations(current_user._get_current_object(), days=UPCOMING_DAYS)
    if not registrations:
        return None
    return HomePanel(
        title=_("Upcoming sessions"),
        template="programmes/_home_sessions.html",
        context={"registrations": registrations},
        stylesheets=("css/courses.css",),
    )


def running_panel():  # noqa: ANN201
    """Start page, for trainers: attendance still to record, and the sessions they run soon (None if neither)."""
    # Learners run no programme: no query for them.
    if not current_user.is_authenticated or not current_user.has_role("trainer"):
        return None
    user = current_user._get_current_object()
    to_record = sessions.attendance_to_record(user)
    coming = sessions.sessions_to_run(user, days=UPCOMING_DAYS)
    if not to_record and not coming:
        return None
    return HomePanel(
        title=_("Sessions you run"),
        template="programmes/_home_running.html",
        context={"to_record": to_record, "coming": coming},
        more_url=url_for("programmes.trainer_index"),
        more_label=_("Programmes you run"),
    )


# How far ahead the start page looks for sessions.
UPCOMING_DAYS = 60


@bp.record_once
def _setup(state) -> None:  # noqa: ANN001
    register_home_panel(state.app, "programmes", programmes_panel, order=20)
    register_home_panel(state.app, "sessions", sessions_panel, order=30)
    register_home_panel(state.app, "running", running_panel, order=7)


from academy.programmes.views import dates, learner, roster, trainer  # noqa: E402, F401  (routes register on bp)
