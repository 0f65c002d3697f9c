"""The Learners tab: per learner, progress per module and mastery per learning outcome, sortable, as CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.courses.models import Course, CourseVersion, LearningOutcome, LessonProgress, Module
from academy.courses.services import progress
from academy.extensions import db
from academy.quizzes import access
from academy.quizzes.analysis import csv_cell
from academy.quizzes.completion import mastery_table


@dataclass
class GradebookRow:
    """One learner's line: who, when, lessons done per module, mastery per outcome."""

    name: str
    email: str
    organisation: str
    enrolled_at: datetime
    last_activity_at: datetime | None
    completed_at: datetime | None
    modules: dict[str, tuple[int, int]]  # module key -> (done, required)
    percent: int
    mastery: dict[str, float]  # outcome key -> % (missing: no evidence yet)


@dataclass
class Gradebook:
    """The course's learners, the columns they are shown in, and the current order."""

    modules: list[Module]
    outcomes: list[LearningOutcome]
    rows: list[GradebookRow] = field(default_factory=list)
    sort: str = "name"
    descending: bool = False


def _version(course: Course) -> CourseVersion | None:
    return course.published_version or access.authoring_version(course)


def _sort_key(sort: str):
    """A key function for a sort name: name, progress, activity, module:<key>, outcome:<key>."""
    if sort == "progress":
        return lambda row: (row.percent, row.name.casefold())
    if sort == "activity":
        return lambda row: (row.last_activity_at or row.enrolled_at, row.name.casefold())
    if sort.startswith("module:"):
        key = sort.removeprefix("module:")
        return lambda row: (row.modules.get(key, (0, 0))[0], row.name.casefold())
    if sort.startswith("outcome:"):
        key = sort.removeprefix("outcome:")
        return lambda row: (row.mastery.get(key, -1.0), row.name.casefold())
    return lambda row: (row.name.casefold(), row.email)


def sort_names(book: Gradebook) -> set[str]:
    """The sort names this gradebook accepts."""
    names = {"name", "progress", "activity"}
    names |= {f"module:{m.key}" for m in book.modules}
    names |= {f"outcome:{o.key}" for o in book.outcomes}
    return names


def build(course: Course, *, sort: str = "name", descending: bool = False) -> Gradebook:
    """The gradebook of the course's active learners in a constant number of queries."""
    version = _version(course)
    outcomes, mastery_rows = mastery_table(course)
    modules = []
    if version is not None:
        modules = list(
            db.session.scalars(
                select(Module)
                .where(Module.version_id == version.id)
                .order_by(Module.position)
                .options(selectinload(Module.lessons))
            )
        )
    done: dict[int, set[str]] = defaultdict(set)
    ids = [row.enrolment.id for row in mastery_rows]
    if ids:
        for enrolment_id, key in db.session.execute(
            select(LessonProgress.enrolment_id, LessonProgress.lesson_key).where(LessonProgress.enrolment_id.in_(ids))
        ):
            done[enrolment_id].add(key)
    book = Gradebook(modules=modules, outcomes=outcomes)
    for row in mastery_rows:
        keys = done[row.enrolment.id]
        per_module = {}
        for module in modules:
            required = [lesson for lesson in module.lessons if lesson.required]
            per_module[module.key] = (sum(1 for lesson in required if lesson.key in keys), len(required))
        total_done = sum(d for d, _ in per_module.values())
        total = sum(t for _, t in per_module.values())
        book.rows.append(
            GradebookRow(
                name=row.user.name,
                email=row.user.email,
                organisation=row.user.organisation or "",
                enrolled_at=row.enrolment.enrolled_at,
                last_activity_at=row.enrolment.last_activity_at,
                completed_at=row.enrolment.completed_at,
                modules=per_module,
                percent=progress.percent(total_done, total),
                mastery=row.mastery,
            )
        )
    if sort not in sort_names(book):
        sort = "name"
    book.sort, book.descending = sort, descending
    book.rows.sort(key=_sort_key(sort), reverse=descending)
    return book


def to_csv(book: Gradebook) -> str:
    """The gradebook as CSV: one row per learner, one column per module and per outcome."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["name", "email", "organisation", "enrolled_at", "last_activity_at", "completed_at", "progress_percent"]
    header += [f"module {i}: {m.title} (lessons done)" for i, m in enumerate(book.modules, start=1)]
    header += [f"{o.code} mastery %" for o in book.outcomes]
    writer.writerow([csv_cell(h) for h in header])
    for row in book.rows:
        cells: list[object] = [row.name, row.email, row.organisation]
        cells += [d.isoformat() if d else "" for d in (row.enrolled_at, row.last_activity_at, row.completed_at)]
        cells.append(row.percent)
        cells += [f"{row.modules[m.key][0]}/{row.modules[m.key][1]}" for m in book.modules]
        cells += ["" if o.key not in row.mastery else f"{row.mastery[o.key]:g}" for o in book.outcomes]
        writer.writerow([csv_cell(c) for c in cells])
    return out.getvalue()
