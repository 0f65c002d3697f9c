"""What quizzes add to the course page: the quizzes panel and the learner's mastery per outcome."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from academy.courses import hooks
from academy.courses.models import CourseVersion, Enrolment
from academy.courses.packages import extensions
from academy.courses.packages.reader import Package, PackageError, PackageInvalid
from academy.exceptions import ServiceError
from academy.quizzes import gift, readiness, snapshots
from academy.quizzes.completion import mastery_for
from academy.quizzes.next_steps import course_page_steps, learning_extras
from academy.quizzes.package import dump_package_quizzes, load_package_quizzes
from academy.quizzes.package_check import check_quizzes_section, untagged_problems


def _course_page(version: CourseVersion, enrolment: Enrolment | None) -> hooks.CoursePageExtras:
    mastery = {key: round(pct) for key, pct in mastery_for(enrolment).items()} if enrolment else {}
    extras = course_page_steps(version.course, enrolment) if enrolment else hooks.CoursePageExtras()
    extras.panels.append(hooks.Panel("quizzes/_course_panel.html", {"course": version.course}))
    extras.outcome_mastery.update(mastery)
    return extras


def _learning(user, enrolments):  # noqa: ANN001  (registered with the courses' hooks)
    return learning_extras(user, enrolments)


def init_app(app: Flask) -> None:
    """Register the course page extension and the course package extension."""
    snapshots.init_app(app)
    hooks.register_course_page_extension(app, _course_page)
    hooks.register_learning_extension(app, _learning)

    hooks.register_publish_check(app, readiness.publish_problems)
    hooks.register_publish_warning(app, readiness.publish_warnings)
    init_packages(app)


def _question_paths(package: Package) -> list[Path]:
    return sorted((package.root / "questions").glob("*.gift"))


def _validate_package(package: Package) -> list[PackageError]:
    """GIFT files of a package that a quiz import would refuse, named by file and line."""
    problems = []
    for path in _question_paths(package):
        try:
            result = gift.parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(PackageError(path, None, "not UTF-8 text"))
            continue
        problems.extend(PackageError(path, e.line, f"{e.title}: {e.reason}") for e in result.errors)
    if problems:
        return problems
    outcomes = {name.casefold() for o in package.outcomes for name in (o.key, o.code)}
    if package.quizzes is not None:
        found = check_quizzes_section(
            package.root, package.quizzes, outcomes=outcomes, modules={m.key for m in package.modules}
        )
        problems.extend(PackageError(package.root / "course.yaml", line, message) for line, message in found)
    untagged = untagged_problems(package.root, package.quizzes, outcomes=outcomes)
    problems.extend(PackageError(path, line, message) for path, line, message in untagged)
    return problems


def _load_package(package: Package, version: CourseVersion) -> None:
    """Load the package's question files and `quizzes:` section (idempotent: unchanged files change nothing)."""
    if package.quizzes is None and not _question_paths(package):
        return
    try:
        load_package_quizzes(version.course, package.root, package.quizzes)
    except ServiceError as err:
        raise PackageInvalid([PackageError(package.root / "course.yaml", None, err.message)]) from err


def _dump_package(version: CourseVersion, target: Path, data: dict) -> None:
    dump_package_quizzes(version.course, target, data)


def init_packages(app: Flask) -> None:
    """Let course packages carry question files and quizzes."""
    extensions.register(
        app,
        extensions.PackageExtension(name="quizzes", validate=_validate_package, load=_load_package, dump=_dump_package),
    )
