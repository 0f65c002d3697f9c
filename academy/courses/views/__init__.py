"""The `courses` blueprint: learner pages (catalogue, course, lessons, My learning) and trainer pages."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from academy.courses.views import learner, trainer  # noqa: F401  (routes register on bp)
from academy.courses.views.common import bp
from academy.courses.views.learner import home_panel, teaching_panel
from academy.home import register_home_panel

__all__ = ["bp"]


@bp.record_once
def _home_panels(state: BlueprintSetupState) -> None:
    register_home_panel(state.app, "courses", home_panel, order=10)
    register_home_panel(state.app, "teaching", teaching_panel, order=6)
