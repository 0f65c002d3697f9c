"""What trainers change inside a course: learning outcomes, modules, lessons and their order.

Every change lands on the draft of the next version (made on first change after a publication),
so learners keep studying the published version until the draft is published. Items are found by
their stable key, which is the same in the draft and the published version.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from academy.courses.models import Course, CourseVersion, LearningOutcome, Lesson, Module
from academy.courses.services import versioning
from academy.courses.services.authoring import CODE_RE, unique_key
from academy.exceptions import Conflict, NotFound, ServiceError
from academy.extensions import db

# --- finding items in the draft --------------------------------------------------------------


def find_outcome(version: CourseVersion, key: str) -> LearningOutcome:
    """The outcome with this key in the version, or NotFound."""
    found = next((o for o in version.outcomes if o.key == key), None)
    if found is None:
        raise NotFound(_("No such learning outcome."))
    return found


def find_module(version: CourseVersion, key: str) -> Module:
    """The module with this key in the version, or NotFound."""
    found = next((m for m in version.modules if m.key == key), None)
    if found is None:
        raise NotFound(_("No such module."))
    return found


def find_lesson(version: CourseVersion, key: str) -> Lesson:
    """The lesson with this key in the version, or NotFound."""
    for module in version.modules:
        for lesson in module.lessons:
            if lesson.key == key:
                return lesson
    raise NotFound(_("No such lesson."))


def _renumber(items: list) -> None:
    for position, item in enumerate(items):
        item.position = position


def _move(items: list, item: Any, direction: str) -> None:
    index = items.index(item)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        raise Conflict(_("It is already at the edge."))
    # Swap in a plain list: replacing items of the ORM collection would orphan (delete) them.
    ordered = list(items)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    items.sort(key=lambda i: i.position)  # in place, no collection events


# --- outcomes ----------------------------------------------------------------------------------


def _check_outcome(version: CourseVersion, code: str, threshold: int, current: LearningOutcome | None) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code) or len(code) > 20:
        raise ServiceError(_("Use a short code of letters and digits, such as LO1."), field="code")
    if any(o.code.lower() == code.lower() and o is not current for o in version.outcomes):
        raise Conflict(_("Another outcome already uses code %(code)s.", code=code), field="code")
    if not 0 <= int(threshold) <= 100:
        raise ServiceError(_("The threshold is a percentage from 0 to 100."), field="threshold")
    return code


def add_outcome(course: Course, *, code: str, text: str, threshold: int = 70) -> LearningOutcome:
    """Add a learning outcome at the end of the draft's list."""
    draft = versioning.ensure_draft(course)
    code = _check_outcome(draft, code, threshold, None)
    key = unique_key(code, versioning.used_keys(course, LearningOutcome), fallback="outcome")
    outcome = LearningOutcome(key=key, code=code, text=text.strip(), threshold=threshold, position=len(draft.outcomes))
    draft.outcomes.append(outcome)
    db.session.flush()
    return outcome


def update_outcome(course: Course, key: str, *, code: str, text: str, threshold: int) -> LearningOutcome:
    """Change an outcome on the draft."""
    draft = versioning.ensure_draft(course)
    outcome = find_outcome(draft, key)
    outcome.code = _check_outcome(draft, code, threshold, outcome)
    outcome.text = text.strip()
    outcome.threshold = threshold
    db.session.flush()
    return outcome


def delete_outcome(course: Course, key: str) -> None:
    """Remove an outcome from the draft (and from the lessons that taught it)."""
    draft = versioning.ensure_draft(course)
    outcome = find_outcome(draft, key)
    for module in draft.modules:
        for lesson in module.lessons:
            if outcome in lesson.outcomes:
                lesson.outcomes.remove(outcome)
    draft.outcomes.remove(outcome)
    _renumber(draft.outcomes)
    db.session.flush()


def move_outcome(course: Course, key: str, direction: str) -> None:
    """Move an outcome up or down the list."""
    draft = versioning.ensure_draft(course)
    _move(draft.outcomes, find_outcome(draft, key), direction)
    db.session.flush()


# --- modules -----------------------------------------------------------------------------------


def _prerequisites(draft: Course | CourseVersion, module: Module | None, keys: list[str]) -> list[Module]:
    # Only earlier modules may be prerequisites: the order then has no cycles.
    earlier = draft.modules if module is None else draft.modules[: draft.modules.index(module)]
    allowed = {m.key: m for m in earlier}
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise ServiceError(_("A module can only require modules that come before it."), field="prerequisites")
    return [allowed[k] for k in keys]


def add_module(course: Course, *, title: str, summary: str = "", prerequisites: list[str] = ()) -> Module:
    """Add a module at the end of the draft."""
    draft = versioning.ensure_draft(course)
    requires = _prerequisites(draft, None, list(prerequisites))
    key = unique_key(title, versioning.used_keys(course, Module), fallback="module")
    module = Module(key=key, title=title.strip(), summary=summary.strip(), position=len(draft.modules))
    module.prerequisites = requires
    draft.modules.append(module)
    db.session.flush()
    return module


def update_module(course: Course, key: str, *, title: str, summary: str, prerequisites: list[str]) -> Module:
    """Change a module on the draft."""
    draft = versioning.ensure_draft(course)
    module = find_module(draft, key)
    module.prerequisites = _prerequisites(draft, module, list(prerequisites))
    module.title = title.strip()
    module.summary = summary.strip()
    db.session.flush()
    return module


def delete_module(course: Course, key: str) -> None:
    """Remove a module and its lessons from the draft."""
    draft = versioning.ensure_draft(course)
    module = find_module(draft, key)
    for other in draft.modules:
        if module in other.prerequisites:
            other.prerequisites.remove(module)
    draft.modules.remove(module)
    _renumber(draft.modules)
    db.session.flush()


def move_module(course: Course, key: str, direction: str) -> None:
    """Move a module up or down; prerequisites that would then come later are dropped."""
    draft = versioning.ensure_draft(course)
    _move(draft.modules, find_module(draft, key), direction)
    for index, module in enumerate(draft.modules):
        earlier = set(draft.modules[:index])
        module.prerequisites = [p for p in module.prerequisites if p in earlier]
    db.session.flush()


# --- lessons -----------------------------------------------------------------------------------


def _lesson_outcomes(draft: CourseVersion, keys: list[str]) -> list[LearningOutcome]:
    by_key = {o.key: o for o in draft.outcomes}
    if any(k not in by_key for k in keys):
        raise ServiceError(_("Choose outcomes of this course."), field="outcomes")
    return [by_key[k] for k in keys]


def add_lesson(
    course: Course,
    module_key: str,
    *,
    title: str,
    body: str,
    minutes: int = 10,
    required: bool = True,
    outcomes: list[str] = (),
) -> Lesson:
    """Add a lesson at the end of a module of the draft."""
    draft = versioning.ensure_draft(course)
    module = find_module(draft, module_key)
    key = unique_key(title, versioning.used_keys(course, Lesson), fallback="lesson")
    lesson = Lesson(
        key=key,
        title=title.strip(),
        body=body,
        minutes=minutes,
        required=required,
        position=len(module.lessons),
        outcomes=_lesson_outcomes(draft, list(outcomes)),
    )
    module.lessons.append(lesson)
    db.session.flush()
    return lesson


def update_lesson(
    course: Course,
    key: str,
    *,
    title: str,
    body: str,
    minutes: int,
    required: bool,
    outcomes: list[str],
    module_key: str | None = None,
) -> Lesson:
    """Change a lesson on the draft, possibly moving it to the end of another module."""
    draft = versioning.ensure_draft(course)
    lesson = find_lesson(draft, key)
    lesson.outcomes = _lesson_outcomes(draft, list(outcomes))
    if module_key and module_key != lesson.module.key:
        target = find_module(draft, module_key)
        source = lesson.module
        with db.session.no_autoflush:  # a flush between remove and append would delete the "orphan"
            position = len(target.lessons)
            source.lessons.remove(lesson)
            target.lessons.append(lesson)
            lesson.position = position
            _renumber(source.lessons)
    lesson.title = title.strip()
    lesson.body = body
    lesson.minutes = minutes
    lesson.required = required
    db.session.flush()
    return lesson


def delete_lesson(course: Course, key: str) -> None:
    """Remove a lesson from the draft; learners who completed it keep the record."""
    draft = versioning.ensure_draft(course)
    lesson = find_lesson(draft, key)
    module = lesson.module
    module.lessons.remove(lesson)
    _renumber(module.lessons)
    db.session.flush()


def move_lesson(course: Course, key: str, direction: str) -> None:
    """Move a lesson up or down within its module."""
    draft = versioning.ensure_draft(course)
    lesson = find_lesson(draft, key)
    _move(lesson.module.lessons, lesson, direction)
    db.session.flush()
