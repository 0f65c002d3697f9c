"""The courses blueprint and its template helpers (labels, Markdown, workspace tabs)."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext

from academy.courses import workspace
from academy.courses.forms import language_label, level_label
from academy.courses.services import outlines
from academy.courses.workspace import Tab, register_tab
from academy.markdown import render as render_markdown

bp = Blueprint("courses", __name__)


def _number(value: Decimal | float | int) -> str:
    """1.0 -> "1", 1.5 -> "1.5"."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def hours_label(hours: Decimal) -> str:
    """ "1 hour", "2.5 hours"."""
    return ngettext("%(hours)s hour", "%(hours)s hours", 1 if hours == 1 else 2, hours=_number(hours))


def credits_label(credits: Decimal | str) -> str:
    """ "1 ECTS credit", "0.5 ECTS credits", or "No ECTS credits" (a certificate record keeps "1.5" as text)."""
    credits = Decimal(str(credits or 0))
    if not credits:
        return _("No ECTS credits")
    number = _number(credits)
    return ngettext("%(credits)s ECTS credit", "%(credits)s ECTS credits", 1 if credits == 1 else 2, credits=number)


def markdown_filter(text: str):  # noqa: ANN201
    """Lesson and course Markdown as safe HTML, wide tables in a box that scrolls sideways."""
    return render_markdown(text, table_label=_("Table (scrolls sideways)"))


def lesson_body(outline, lesson, course=None) -> object:  # noqa: ANN001
    """A lesson's body as HTML with the course's files and videos (rendered once per process when published)."""
    # uploads registers its routes on this module's blueprint: importing it at the top would be a circle.
    from academy.courses.views.trainer.uploads import lesson_markdown

    render = markdown_filter if course is None else (lambda text: lesson_markdown(text, course))
    return outlines.lesson_html(outline.version, lesson, render)


def unlock_message(module_state) -> str:  # noqa: ANN001
    """What unlocks a locked module: "Complete “A” and “B” to unlock this module."."""
    titles = _(" and ").join(f"“{m.title}”" for m in module_state.unlocked_by)
    return _("Complete %(modules)s to unlock this module.", modules=titles)


@bp.record_once
def _setup(state) -> None:  # noqa: ANN001
    _register_tabs(state.app)


def _register_tabs(app) -> None:  # noqa: ANN001
    """The workspace tabs courses own: Content first, Settings last."""
    content = {"edit_module", "new_module", "new_lesson", "edit_lesson", "new_outcome", "edit_outcome"}
    content |= {"preview_course", "preview_lesson"}
    register_tab(app, Tab("content", lazy_gettext("Content"), "courses.manage", 10, _endpoints(content)))
    register_tab(app, Tab("settings", lazy_gettext("Settings"), "courses.settings", 90, _endpoints({"edit_course"})))


def _endpoints(names: set[str]) -> frozenset[str]:
    return frozenset(f"courses.{name}" for name in names)


bp.add_app_template_filter(markdown_filter, "markdown")
bp.add_app_template_global(workspace.tabs, "workspace_tabs")
bp.add_app_template_global(workspace.current_tab, "current_workspace_tab")
for _helper in (level_label, language_label, hours_label, credits_label, unlock_message, lesson_body):
    bp.add_app_template_global(_helper, _helper.__name__)
