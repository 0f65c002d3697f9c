"""Packages and the database: compare, load (a new version only when something changed), dump."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.auth.models import User
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    LearningOutcome,
    Lesson,
    Module,
    VersionStatus,
)
from academy.courses.packages import extensions
from academy.courses.packages import files as package_files
from academy.courses.packages.lessons import lesson_key_from_filename
from academy.courses.packages.reader import (
    COURSE_FILE,
    Package,
    PackageError,
    PackageInvalid,
    find_packages,
    read_package,
)
from academy.courses.packages.yamlines import dump as yaml_dump
from academy.courses.packages.yamlines import dump_inline
from academy.courses.services import versioning
from academy.courses.services.authoring import slugify
from academy.extensions import db

TENTH = Decimal("0.1")


@dataclass
class LoadResult:
    """What loading one package did: created, updated (a new version) or unchanged."""

    slug: str
    action: str
    version: int
    published: bool

    def __str__(self) -> str:
        state = "published" if self.published else "draft"
        return f"{self.slug}: {self.action} (version {self.version}, {state})"


# --- canonical content -------------------------------------------------------------------------


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": values["title"],
        "summary": values["summary"].strip(),
        "description": (values["description"] or "").strip(),
        "topic": values["topic"],
        "language": values["language"],
        "level": str(getattr(values["level"], "value", values["level"])),
        "hours": str(Decimal(values["hours"]).quantize(TENTH)),
        "credits": str(Decimal(values["credits"] or 0).quantize(TENTH)),
        "sequential": bool(values["sequential"]),
        "validity_months": values["validity_months"],
    }


def stored_content(version: CourseVersion) -> dict[str, Any]:
    """A version's content as plain data, equal to package_content() of a package with the same content."""
    names = package_files.dump_names(version)
    return {
        "fields": _fields({name: getattr(version, name) for name in versioning.VERSION_FIELDS}),
        "outcomes": [(o.key, o.code, o.text.strip(), o.threshold) for o in version.outcomes],
        "modules": [
            {
                "key": m.key,
                "title": m.title,
                "summary": m.summary.strip(),
                "requires": [p.key for p in m.prerequisites],
                "lessons": [
                    {
                        "key": lesson.key,
                        "title": lesson.title,
                        "body": package_files.to_package(lesson.body, names).strip("\n"),
                        "minutes": lesson.minutes,
                        "required": lesson.required,
                        "outcomes": [o.code for o in lesson.outcomes],
                    }
                    for lesson in m.lessons
                ],
            }
            for m in version.modules
        ],
        "files": {name: found.sha256 for name, found in names.values()},
        "extensions": {ext.name: ext.stored(version) for ext in extensions.registered() if ext.stored},
    }


def package_content(package: Package) -> dict[str, Any]:
    """A package's content as plain data (see stored_content)."""
    # A lesson's outcomes are kept in the order of the course's outcome list, as in the database.
    order = {o.code: i for i, o in enumerate(package.outcomes)}
    return {
        "fields": _fields(package.fields),
        "outcomes": [(o.key, o.code, o.text, o.threshold) for o in package.outcomes],
        "modules": [
            {
                "key": m.key,
                "title": m.title,
                "summary": m.summary,
                "requires": list(m.requires),
                "lessons": [
                    {
                        "key": lesson.key,
                        "title": lesson.title,
                        "body": lesson.body,
                        "minutes": lesson.minutes,
                        "required": lesson.required,
                        "outcomes": sorted(lesson.outcome_codes, key=order.__getitem__),
                    }
                    for lesson in m.lessons
                ],
            }
            for m in package.modules
        ],
        "files": package_files.package_files(package),
        "extensions": {ext.name: ext.content(package) for ext in extensions.registered() if ext.content},
    }


# --- validate and load ---------------------------------------------------------------------------


def read_all(path: Path) -> list[Package]:
    """Every package under `path`, checked; raise PackageInvalid listing every problem found."""
    roots = find_packages(Path(path))
    if not roots:
        raise PackageInvalid([PackageError(Path(path), None, f"no {COURSE_FILE} here or in its sub-folders")])
    packages: list[Package] = []
    errors: list[PackageError] = []
    slugs: dict[str, Path] = {}
    for root in roots:
        package, problems = read_package(root)
        errors.extend(problems)
        if package is None:
            continue
        errors.extend(package_files.validate(package))
        for ext in extensions.registered():
            if ext.validate:
                errors.extend(ext.validate(package))
        if package.slug in slugs:
            errors.append(
                PackageError(root / COURSE_FILE, None, f"slug “{package.slug}” is also used by {slugs[package.slug]}")
            )
        slugs[package.slug] = root
        packages.append(package)
    if errors:
        raise PackageInvalid(errors)
    return packages


def validate(path: Path) -> list[PackageError]:
    """Problems in the package(s) under `path`; empty when they can be loaded."""
    try:
        read_all(path)
    except PackageInvalid as exc:
        return exc.errors
    return []


def load(path: Path, *, owner: User | None = None, publish: bool = True) -> list[LoadResult]:
    """Load every package under `path`; flush, never commit. On PackageInvalid the caller rolls back."""
    packages = read_all(path)
    results = [load_package(p, owner=owner, publish=publish) for p in packages]
    db.session.flush()
    return results


def _course(slug: str) -> Course | None:
    return db.session.scalar(
        select(Course)
        .where(Course.slug == slug)
        .options(
            selectinload(Course.owners),
            selectinload(Course.versions).selectinload(CourseVersion.modules).selectinload(Module.lessons),
        )
    )


def load_package(package: Package, *, owner: User | None = None, publish: bool = True) -> LoadResult:
    """Create the course, add a version if the content changed, or do nothing."""
    course = _course(package.slug)
    if course is None:
        course = Course(slug=package.slug, status=CourseStatus.DRAFT, owners=[owner] if owner else [])
        db.session.add(course)
        db.session.flush()  # the course's id, for its files
        version = _build_version(course, 1, package)
        action = "created"
    else:
        if owner is not None and all(o.id != owner.id for o in course.owners):
            course.owners.append(owner)
        latest = versioning.latest_version(course)
        if latest is not None and stored_content(latest) == package_content(package):
            # Extensions keep rows of their own (quizzes) and load idempotently: changed question
            # files take effect even when the course content itself is unchanged.
            _load_extensions(package, latest)
            if publish and latest.status == VersionStatus.DRAFT:
                versioning.publish(course, warnings_confirmed=True)
                return LoadResult(package.slug, "published", latest.number, True)
            return LoadResult(package.slug, "unchanged", latest.number, latest.status == VersionStatus.PUBLISHED)
        if latest is not None and latest.status == VersionStatus.DRAFT:
            raise PackageInvalid(
                [
                    PackageError(
                        package.root / COURSE_FILE,
                        None,
                        f"course “{package.slug}” has an unpublished draft (version {latest.number}) edited in the "
                        "browser; publish or discard it before loading files",
                    )
                ]
            )
        number = (latest.number if latest else 0) + 1
        version = _build_version(course, number, package)
        action = "updated"
    db.session.flush()
    _load_extensions(package, version)
    if publish:
        problems = versioning.publish_problems(version)
        if problems:
            raise PackageInvalid([PackageError(package.root / COURSE_FILE, None, p) for p in problems])
        versioning.publish(course, warnings_confirmed=True)
    return LoadResult(package.slug, action, version.number, publish)


def _load_extensions(package: Package, version: CourseVersion) -> None:
    for ext in extensions.registered():
        if ext.load:
            ext.load(package, version)


def _build_version(course: Course, number: int, package: Package) -> CourseVersion:
    ids = package_files.store(package, course)
    version = CourseVersion(course=course, number=number, status=VersionStatus.DRAFT, **package.fields)
    db.session.add(version)
    outcomes: dict[str, LearningOutcome] = {}
    for position, spec in enumerate(package.outcomes):
        outcome = LearningOutcome(
            key=spec.key, code=spec.code, text=spec.text, threshold=spec.threshold, position=position
        )
        outcomes[spec.code] = outcome
        version.outcomes.append(outcome)
    modules: dict[str, Module] = {}
    for position, spec in enumerate(package.modules):
        module = Module(key=spec.key, title=spec.title, summary=spec.summary, position=position)
        module.prerequisites = [modules[k] for k in spec.requires]
        modules[spec.key] = module
        version.modules.append(module)
        for lesson_position, lesson in enumerate(spec.lessons):
            module.lessons.append(
                Lesson(
                    key=lesson.key,
                    title=lesson.title,
                    body=package_files.to_database(lesson.body, ids),
                    minutes=lesson.minutes,
                    required=lesson.required,
                    position=lesson_position,
                    outcomes=[outcomes[c] for c in lesson.outcome_codes],
                )
            )
    return version


# --- dump ------------------------------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    value = Decimal(value).quantize(TENTH)
    return int(value) if value == value.to_integral_value() else float(value)


def dump(course: Course, directory: Path, *, draft: bool = False, force: bool = False) -> Path:
    """Write the published version (or the draft) of a course as a package in directory/<slug>/."""
    version = versioning.draft_of(course) if draft else course.published_version
    if version is None:
        version = versioning.latest_version(course)
    target = Path(directory) / course.slug
    if target.exists() and any(target.iterdir()):
        if not force:
            raise FileExistsError(f"{target} is not empty (use --force to overwrite it)")
        shutil.rmtree(target / "lessons", ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)

    data: dict[str, Any] = {"slug": course.slug, "title": version.title, "summary": version.summary}
    if version.description.strip():
        data["description"] = version.description.strip() + "\n"
    data.update(
        topic=version.topic,
        language=version.language,
        level=version.level.value,
        hours=_number(version.hours),
        credits=_number(version.credits),
        sequential=bool(version.sequential),
    )
    if version.validity_months:
        data["validity_months"] = version.validity_months
    data["outcomes"] = []
    for outcome in version.outcomes:
        item: dict[str, Any] = {"code": outcome.code}
        if outcome.key != (slugify(outcome.code) or "outcome"):
            item["key"] = outcome.key
        item.update(text=outcome.text, threshold=outcome.threshold)
        data["outcomes"].append(item)
    data["modules"] = []
    names = package_files.dump_names(version)
    for module in version.modules:
        item = {"key": module.key, "title": module.title}
        if module.summary.strip():
            item["summary"] = module.summary.strip()
        if module.prerequisites:
            item["requires"] = [p.key for p in module.prerequisites]
        item["lessons"] = []
        folder = target / "lessons" / module.key
        folder.mkdir(parents=True, exist_ok=True)
        for number, lesson in enumerate(module.lessons, start=1):
            filename = f"{number:02d}-{lesson.key}.md"
            item["lessons"].append(f"lessons/{module.key}/{filename}")
            (folder / filename).write_text(_lesson_file(lesson, filename, names), encoding="utf-8")
        data["modules"].append(item)
    package_files.write(version, target)
    for ext in extensions.registered():
        if ext.dump:
            ext.dump(version, target, data)
    (target / COURSE_FILE).write_text(
        "# Course package: see courses/README.md for the format.\n" + yaml_dump(data), encoding="utf-8"
    )
    return target


def _lesson_file(lesson: Lesson, filename: str, names: dict) -> str:
    meta: dict[str, Any] = {"title": lesson.title}
    if lesson_key_from_filename(Path(filename)) != lesson.key:
        meta["key"] = lesson.key
    meta["minutes"] = lesson.minutes
    if not lesson.required:
        meta["required"] = False
    front = yaml_dump(meta)
    if lesson.outcomes:
        front += f"outcomes: {dump_inline([o.code for o in lesson.outcomes])}\n"
    return f"---\n{front}---\n\n{package_files.to_package(lesson.body, names).strip(chr(10))}\n"
