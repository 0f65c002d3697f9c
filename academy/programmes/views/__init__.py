"""The `programmes` blueprint: learner pages (catalogue, programme, sessions) and trainer pages (editor, roster)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint
from flask_babel import format_datetime

from academy.programmes.models import TrainingSession

bp = Blueprint("programmes", __name__)


@bp.app_template_global()
def session_time(session: TrainingSession) -> str:
    """ "12 March 2027, 09:30–12:30 (Europe/Vienna)": the session's own local time."""
    from academy.programmes.services.sessions import local_time

    return local_time(session)


@bp.app_template_global()
def session_deadline(session: TrainingSession) -> str:
    """When registration closes, in the session's local time."""
    from academy.programmes.services.sessions import registration_closes

    closes = registration_closes(session).astimezone(ZoneInfo(session.timezone))
    return format_datetime(closes, "d MMMM y, HH:mm", rebase=False)


@bp.app_template_global()
def my_programmes() -> list:
    """The current user's active programme enrolments, for My learning (two queries)."""
    from flask_login import current_user

    from academy.programmes.services.enrolment import programmes_of_learner

    if not current_user.is_authenticated:
        return []
    rows = programmes_of_learner(current_user)
    return sorted(rows, key=lambda row: row.programme.title.casefold())


from academy.programmes.views import learner, trainer  # noqa: E402, F401  (routes register on bp)
