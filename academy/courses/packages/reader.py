"""Read and check a course package: `course.yaml` plus one Markdown file per lesson.

Every problem is reported with the file and line it comes from; reading never touches the
database. The format is documented in courses/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from academy.courses.models import Level
from academy.courses.packages.yamlines import LineList, LineMap, YAMLProblem, parse
from academy.courses.services.authoring import CODE_RE, KEY_RE, SLUG_RE, reserved_slugs, slugify

COURSE_FILE = "course.yaml"
COURSE_KEYS = {
    "slug",
    "title",
    "summary",
    "description",
    "topic",
    "language",
    "level",
    "hours",
    "credits",
    "sequential",
    "validity_months",
    "outcomes",
    "modules",
    "quizzes",  # reserved for the quizzes feature: passed through untouched
}
OUTCOME_KEYS = {"key", "code", "text", "threshold"}
MODULE_KEYS = {"key", "title", "summary", "requires", "lessons"}
LESSON_KEYS = {"key", "title", "minutes", "required", "outcomes"}
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
ORDER_PREFIX_RE = re.compile(r"^\d+[-_.]")


@dataclass(frozen=True)
class PackageError:
    """One problem, located in a file (and a line when known)."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class PackageInvalid(Exception):
    """A package (or several) with problems; nothing was loaded."""

    def __init__(self, errors: list[PackageError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class OutcomeSpec:
    """A learning outcome as written in course.yaml."""

    key: str
    code: str
    text: str
    threshold: int


@dataclass
class LessonSpec:
    """A lesson file."""

    key: str
    title: str
    body: str
    minutes: int
    required: bool
    outcome_codes: list[str]
    path: Path
    key_line: int = 1


@dataclass
class ModuleSpec:
    """A module as written in course.yaml."""

    key: str
    title: str
    summary: str
    requires: list[str]
    lessons: list[LessonSpec] = field(default_factory=list)


@dataclass
class Package:
    """A checked course package, ready to load."""

    root: Path
    slug: str
    fields: dict[str, Any]  # the CourseVersion columns
    outcomes: list[OutcomeSpec]
    modules: list[ModuleSpec]
    data: LineMap  # course.yaml as parsed, for extensions (e.g. its `quizzes` section)

    @property
    def quizzes(self) -> Any:
        """The `quizzes` section, untouched (the quizzes feature reads it)."""
        return self.data.get("quizzes")


class _Checker:
    """Collects errors for one file."""

    def __init__(self, path: Path, display: Path) -> None:
        self.path = path
        self.display = display
        self.errors: list[PackageError] = []

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(PackageError(self.display, line, message))

    def text(self, data: LineMap, key: str, *, required: bool = False, max_length: int = 200, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(data.line, f"“{key}” is missing")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(data.line_of(key), f"“{key}” must be text (put it in quotes)")
            return default
        value = str(value).strip()
        if required and not value:
            self.error(data.line_of(key), f"“{key}” is empty")
        if len(value) > max_length:
            self.error(data.line_of(key), f"“{key}” is longer than {max_length} characters")
        return value

    def integer(self, data: LineMap, key: str, *, low: int, high: int, default: int | None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(data.line_of(key), f"“{key}” must be a whole number")
            return default
        if not low <= value <= high:
            self.error(data.line_of(key), f"“{key}” must be between {low} and {high}")
            return default
        return value

    def boolean(self, data: LineMap, key: str, *, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(data.line_of(key), f"“{key}” must be true or false")
            return default
        return value

    def decimal(self, data: LineMap, key: str, *, low: Decimal, high: Decimal, default: Decimal) -> Decimal:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.error(data.line_of(key), f"“{key}” must be a number")
            return default
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(data.line_of(key), f"“{key}” must be a number")
            return default
        if not low <= number <= high:
            self.error(data.line_of(key), f"“{key}” must be between {low} and {high}")
            return default
        if number != number.quantize(Decimal("0.1")):
            self.error(data.line_of(key), f"“{key}” takes at most one decimal")
            return default
        return number.quantize(Decimal("0.1"))

    def string_list(self, data: LineMap, key: str) -> tuple[list[str], LineList | None]:
        value = data.get(key)
        if value is None:
            return [], None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(data.line_of(key), f"“{key}” must be a list of names, e.g. [LO1, LO2]")
            return [], None
        return [v.strip() for v in value], value

    def unknown_keys(self, data: LineMap, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(data.line_of(key), f"unknown {what} field “{key}” (allowed: {', '.join(sorted(allowed))})")


def _display(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def find_packages(path: Path) -> list[Path]:
    """The package folder itself if it holds course.yaml, else each sub-folder that does, by name."""
    path = Path(path)
    if (path / COURSE_FILE).is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and (p / COURSE_FILE).is_file())


def read_package(root: Path) -> tuple[Package | None, list[PackageError]]:
    """Parse and check the package in `root`; the package is None when there are errors."""
    root = Path(root)
    course_path = root / COURSE_FILE
    check = _Checker(course_path, _display(course_path))
    if not course_path.is_file():
        check.error(None, "course.yaml is missing")
        return None, check.errors
    try:
        data = parse(course_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        check.error(None, "the file is not UTF-8 text")
        return None, check.errors
    except YAMLProblem as exc:
        check.error(exc.line, f"YAML syntax: {exc.message}")
        return None, check.errors
    if not isinstance(data, LineMap):
        check.error(1, "course.yaml must be a mapping of fields (title: ..., modules: ...)")
        return None, check.errors

    check.unknown_keys(data, COURSE_KEYS, "course")
    slug = check.text(data, "slug", max_length=80, default=root.resolve().name)
    if not SLUG_RE.match(slug):
        check.error(data.line_of("slug"), f"slug “{slug}” must be lower-case letters, digits and single hyphens")
    elif slug in reserved_slugs():
        check.error(data.line_of("slug"), f"slug “{slug}” is the name of a page of the site; choose another")
    level_text = check.text(data, "level", default=Level.INTRODUCTORY.value, max_length=20)
    if level_text not in {lvl.value for lvl in Level}:
        check.error(
            data.line_of("level"), f"level must be one of {', '.join(lvl.value for lvl in Level)}, not “{level_text}”"
        )
        level_text = Level.INTRODUCTORY.value
    language = check.text(data, "language", default="en", max_length=8)
    if not LANGUAGE_RE.match(language):
        check.error(data.line_of("language"), f"language “{language}” must be a code such as en, de or fr")
    credits = check.decimal(data, "credits", low=Decimal(0), high=Decimal(60), default=Decimal("0"))
    if (credits * 2) % 1 != 0:
        check.error(data.line_of("credits"), "credits go in steps of 0.5")
    fields = {
        "title": check.text(data, "title", required=True),
        "summary": check.text(data, "summary", required=True, max_length=600),
        "description": check.text(data, "description", max_length=20000),
        "topic": check.text(data, "topic", required=True, max_length=80),
        "language": language,
        "level": Level(level_text),
        "hours": check.decimal(data, "hours", low=Decimal("0.5"), high=Decimal(500), default=Decimal("1")),
        "credits": credits,
        "sequential": check.boolean(data, "sequential", default=False),
        "validity_months": check.integer(data, "validity_months", low=1, high=240, default=None),
    }
    outcomes = _read_outcomes(check, data)
    modules, lesson_errors = _read_modules(check, data, root, {o.code.lower(): o for o in outcomes})
    errors = check.errors + lesson_errors
    if errors:
        return None, errors
    return Package(root=root, slug=slug, fields=fields, outcomes=outcomes, modules=modules, data=data), []


def _read_outcomes(check: _Checker, data: LineMap) -> list[OutcomeSpec]:
    raw = data.get("outcomes", LineList())
    if not isinstance(raw, LineList):
        check.error(data.line_of("outcomes"), "“outcomes” must be a list")
        return []
    outcomes: list[OutcomeSpec] = []
    codes: set[str] = set()
    keys: set[str] = set()
    for i, item in enumerate(raw):
        line = raw.line_of(i)
        if not isinstance(item, LineMap):
            check.error(line, "each outcome needs code, text and (optionally) threshold and key")
            continue
        check.unknown_keys(item, OUTCOME_KEYS, "outcome")
        code = check.text(item, "code", required=True, max_length=20)
        if code and not CODE_RE.match(code):
            check.error(item.line_of("code"), f"outcome code “{code}” must be letters and digits, such as LO1")
        if code.lower() in codes:
            check.error(item.line_of("code"), f"outcome code “{code}” is used twice")
        codes.add(code.lower())
        key = check.text(item, "key", max_length=64, default=slugify(code)) or "outcome"
        if not KEY_RE.match(key):
            check.error(item.line_of("key"), f"key “{key}” must be lower-case letters, digits, - or _")
        if key in keys:
            check.error(item.line_of("key"), f"outcome key “{key}” is used twice")
        keys.add(key)
        text = check.text(item, "text", required=True, max_length=1000)
        threshold = check.integer(item, "threshold", low=0, high=100, default=70)
        outcomes.append(OutcomeSpec(key=key, code=code, text=text, threshold=threshold or 0))
    return outcomes


def _read_modules(
    check: _Checker, data: LineMap, root: Path, outcomes: dict[str, OutcomeSpec]
) -> tuple[list[ModuleSpec], list[PackageError]]:
    from academy.courses.packages.lessons import read_lesson  # lessons.py builds on this module's checker

    raw = data.get("modules")
    if not isinstance(raw, LineList) or not raw:
        check.error(data.line_of("modules"), "“modules” must be a list with at least one module")
        return [], []
    modules: list[ModuleSpec] = []
    module_keys: set[str] = set()
    lesson_keys: dict[str, Path] = {}
    lesson_files: set[Path] = set()
    lesson_errors: list[PackageError] = []
    for i, item in enumerate(raw):
        line = raw.line_of(i)
        if not isinstance(item, LineMap):
            check.error(line, "each module needs key, title and lessons")
            continue
        check.unknown_keys(item, MODULE_KEYS, "module")
        key = check.text(item, "key", required=True, max_length=64)
        if key and not KEY_RE.match(key):
            check.error(item.line_of("key"), f"module key “{key}” must be lower-case letters, digits, - or _")
        if key in module_keys:
            check.error(item.line_of("key"), f"module key “{key}” is used twice")
        requires, requires_raw = check.string_list(item, "requires")
        for j, needed in enumerate(requires):
            if needed not in module_keys:
                check.error(
                    requires_raw.line_of(j),
                    f"module “{key}” requires “{needed}”, which is not a module listed before it",
                )
        module_keys.add(key)
        module = ModuleSpec(
            key=key,
            title=check.text(item, "title", required=True),
            summary=check.text(item, "summary", max_length=2000),
            requires=requires,
        )
        files = item.get("lessons")
        if not isinstance(files, LineList) or not files:
            check.error(item.line_of("lessons"), f"module “{key}” needs a list of lesson files under “lessons”")
            files = LineList()
        for j, name in enumerate(files):
            file_line = files.line_of(j)
            if not isinstance(name, str) or not name.strip().endswith(".md"):
                check.error(file_line, "each lesson is the path of a .md file, relative to the course folder")
                continue
            path = (root / name.strip()).resolve()
            if not path.is_relative_to(root.resolve()):
                check.error(file_line, f"lesson file “{name}” is outside the course folder")
                continue
            if not path.is_file():
                check.error(file_line, f"lesson file “{name}” does not exist")
                continue
            if path in lesson_files:
                check.error(file_line, f"lesson file “{name}” is listed twice")
                continue
            lesson_files.add(path)
            lesson, errors = read_lesson(path, outcomes)
            lesson_errors.extend(errors)
            if lesson is None:
                continue
            if lesson.key in lesson_keys:
                lesson_errors.append(
                    PackageError(
                        _display(path),
                        lesson.key_line,
                        f"lesson key “{lesson.key}” is also used by {_display(lesson_keys[lesson.key])}",
                    )
                )
            lesson_keys[lesson.key] = path
            module.lessons.append(lesson)
        modules.append(module)
    return modules, lesson_errors
