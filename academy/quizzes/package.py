"""Questions and quizzes of a course package (files under courses/<slug>/), loaded idempotently.

The course package loader calls `load_package_quizzes(course, package_dir, quizzes_yaml)` after it
has flushed the course version with its outcomes and modules. Shape of the `quizzes:` value of
course.yaml (either a list of quizzes, or a mapping with `questions` and `quizzes`):

    quizzes:
      questions: [questions/*.gift]     # optional; default: every questions/*.gift
      default_outcome: LO1              # optional: the outcome of questions without // [tag:...]
      quizzes:
        - key: final                    # required, stable: reloading updates this quiz
          title: Final assessment       # required
          description: Markdown text
          module: m3                    # optional module key of the course
          pass_mark: 70                 # percent, default 70
          max_attempts: 3               # omit or null for unlimited
          grading: highest              # highest | last | first | average
          time_limit: 20                # minutes; omit for none
          shuffle_questions: true
          shuffle_answers: true
          per_page: 1
          required: true                # counts for completion (certificates)
          published: true               # default true
          opens_at: 2025-01-01T00:00:00Z   # optional, with a time zone
          closes_at: 2025-12-31T23:59:00Z
          review:
            after: [score, feedback]           # right after an attempt
            closed: [score, answers, feedback] # once the quiz has closed
          slots:
            - question: sco-definition  # a fixed question by its // [id:...]
            - outcome: LO1              # N random questions tagged with an outcome (code or key)
              count: 2
            - category: Finance/SCO     # N random questions of a category (and subcategories)
              count: 1

Questions without `// [id:...]` get the key "<file stem>-<title slug>" (-2, -3... for a repeated title),
so a reload matches them.
Every problem raises ServiceError naming the file and line; nothing is half-loaded (the caller
rolls back).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from academy.auth.models import User
from academy.courses.models import Course, CourseVersion, Module
from academy.exceptions import ServiceError
from academy.extensions import db
from academy.quizzes import access, gift
from academy.quizzes.models import GradingMethod, Question, Quiz, SlotKind
from academy.quizzes.services import bank
from academy.quizzes.services import quizzes as quiz_services

REVIEW_ITEMS = ("score", "answers", "feedback")


@dataclass
class PackageReport:
    """What a package load did."""

    questions: dict[str, int] = field(default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0})
    quizzes_created: list[str] = field(default_factory=list)
    quizzes_updated: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50] or "question"


def generated_key(path: Path, title: str, taken: set[str]) -> str:
    """The key of a question without // [id:...]: "<file stem>-<title slug>", then -2, -3... when
    Moodle repeats a title (in file order, so loading the same file again finds the same keys)."""
    base = f"{_slug(path.stem)}-{_slug(title)}"[:96]
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _question_files(package_dir: Path, patterns: list[str] | None) -> list[Path]:
    if not patterns:
        return sorted((package_dir / "questions").glob("*.gift"))
    files: list[Path] = []
    for pattern in patterns:
        matched = sorted(package_dir.glob(pattern))
        if not matched:
            raise ServiceError(f"{pattern}: no question file matches")
        files.extend(m for m in matched if m not in files)
    return files


def load_package_quizzes(
    course: Course, package_dir: Path | str, quizzes_yaml: Any, *, actor: User | None = None
) -> PackageReport:
    """Load the package's GIFT files into the bank and create or update its quizzes."""
    package_dir = Path(package_dir)
    if quizzes_yaml is None:
        quizzes_yaml = {}
    if isinstance(quizzes_yaml, list):
        quizzes_yaml = {"quizzes": quizzes_yaml}
    if not isinstance(quizzes_yaml, dict):
        raise ServiceError("course.yaml: `quizzes` must be a list or a mapping")
    report = PackageReport()
    keys_seen: set[str] = set()
    assign = _default_assignment(course, quizzes_yaml.get("default_outcome"))
    for path in _question_files(package_dir, quizzes_yaml.get("questions")):
        name = path.relative_to(package_dir).as_posix()
        parsed = gift.parse(path.read_text(encoding="utf-8"))
        for spec in parsed.questions:
            if not spec.key:
                spec.key = generated_key(path, spec.title, keys_seen)
            if spec.key in keys_seen:
                raise ServiceError(f"{name}:{spec.line}: the question key {spec.key} is used twice in the package")
            keys_seen.add(spec.key)
            if not spec.tags and not assign:
                raise ServiceError(f"{name}:{spec.line}: {spec.title}: {UNTAGGED}")
        checked = bank.check_specs(course, parsed, mode=bank.IMPORT_ALL_OR_NOTHING, assign=assign)
        if checked.errors:
            problems = "; ".join(f"{name}:{e.line}: {e.title}: {e.reason}" for e in checked.errors)
            raise ServiceError(problems)
        bank.apply_import(course, checked, actor=actor)
        for action, count in checked.count.items():
            report.questions[action] += count
    for position, spec in enumerate(quizzes_yaml.get("quizzes") or [], start=1):
        _load_quiz(course, spec, position, report)
    db.session.flush()
    return report


UNTAGGED = (
    "the question has no // [tag:...] naming a learning outcome: add one, "
    "or set `default_outcome:` under `quizzes:` in course.yaml"
)


def _default_assignment(course: Course, default: Any) -> dict[str, str]:
    """{"*": outcome key} for `default_outcome:` (untagged questions get it), or {} when not set."""
    if default is None:
        return {}
    _to_code, lookup = bank.outcome_code_map(course)
    key = lookup.get(str(default).casefold())
    if key is None:
        raise ServiceError(f"course.yaml: default_outcome {default}: the course has no such learning outcome")
    return {"*": key}


def _datetime(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise ServiceError(f"{where}: give a date and time with a time zone")
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ServiceError(f"{where}: {value!r} is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise ServiceError(f"{where}: the time needs a time zone (for example Z)")
    return parsed.astimezone(UTC)


def _int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(f"{where}: {value!r} is not a whole number")
    return value


def _module_keys(course: Course) -> set[str]:
    version: CourseVersion | None = access.authoring_version(course)
    if version is None:
        return set()
    return set(db.session.scalars(select(Module.key).where(Module.version_id == version.id)))


KNOWN_SETTINGS = {
    "key", "title", "description", "module", "pass_mark", "max_attempts", "grading", "time_limit",
    "shuffle_questions", "shuffle_answers", "per_page", "required", "published", "opens_at", "closes_at",
    "review", "slots",
}  # fmt: skip


def quiz_settings(spec: Any, position: int) -> tuple[str, dict[str, Any]]:
    """(key, settings for create_quiz) from one `quizzes:` entry, without the database; ServiceError if wrong."""
    if not isinstance(spec, dict) or not spec.get("key") or not spec.get("title"):
        raise ServiceError(f"quizzes[{position}]: every quiz needs a key and a title")
    key = str(spec["key"])
    where = f"quiz {key}"
    unknown = set(spec) - KNOWN_SETTINGS
    if unknown:
        raise ServiceError(f"{where}: unknown settings {', '.join(sorted(unknown))}")
    try:
        grading_method = GradingMethod(spec.get("grading", "highest"))
    except ValueError:
        raise ServiceError(f"{where}: grading is one of highest, last, first, average") from None
    module = spec.get("module")
    settings: dict[str, Any] = {
        "title": str(spec["title"]),
        "description": str(spec.get("description") or ""),
        "module_key": str(module) if module is not None else None,
        "pass_mark": _int(spec.get("pass_mark", 70), where),
        "max_attempts": _int(spec.get("max_attempts"), where),
        "grading_method": grading_method,
        "time_limit_minutes": _int(spec.get("time_limit"), where),
        "shuffle_questions": bool(spec.get("shuffle_questions", False)),
        "shuffle_answers": bool(spec.get("shuffle_answers", True)),
        "per_page": _int(spec.get("per_page", 1), where),
        "required": bool(spec.get("required", True)),
        "published": bool(spec.get("published", True)),
        "opens_at": _datetime(spec.get("opens_at"), where),
        "closes_at": _datetime(spec.get("closes_at"), where),
    }
    review = spec.get("review")
    if review is not None:
        if not isinstance(review, dict) or set(review) - {"after", "closed"}:
            raise ServiceError(f"{where}: review has `after` and `closed` lists")
        for moment in ("after", "closed"):
            items = review.get(moment, [])
            if not isinstance(items, list) or set(items) - set(REVIEW_ITEMS):
                raise ServiceError(f"{where}: review items are {', '.join(REVIEW_ITEMS)}")
            for item in REVIEW_ITEMS:
                settings[f"review_{item}_{moment}"] = item in items
    try:
        quiz_services.validate_settings(settings)
    except ServiceError as err:
        raise ServiceError(f"{where}: {err.message}") from None
    slots = spec.get("slots") or []
    if not isinstance(slots, list):
        raise ServiceError(f"{where}: slots is a list")
    for n, slot in enumerate(slots, start=1):
        slot_shape(slot, f"{where} slot {n}")
    return key, settings


def slot_shape(slot: Any, where: str) -> tuple[SlotKind, str, int]:
    """(kind, the question id / outcome / category it names, count) of one slot; ServiceError if wrong."""
    if not isinstance(slot, dict):
        raise ServiceError(f"{where} must be a mapping")
    count = _int(slot.get("count", 1), where) or 1
    if count < 1:
        raise ServiceError(f"{where}: count must be at least 1")
    for name, kind in (("question", SlotKind.QUESTION), ("outcome", SlotKind.OUTCOME), ("category", SlotKind.CATEGORY)):
        if name in slot:
            return kind, str(slot[name]), count
    raise ServiceError(f"{where}: give `question`, `outcome` or `category`")


def _load_quiz(course: Course, spec: Any, position: int, report: PackageReport) -> None:
    key, settings = quiz_settings(spec, position)
    where = f"quiz {key}"
    module = settings["module_key"]
    if module is not None and module not in _module_keys(course):
        raise ServiceError(f"{where}: the course has no module {module}")
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.key == key))
    try:
        if quiz is None:
            quiz = quiz_services.create_quiz(course, key=key, **settings)
            report.quizzes_created.append(key)
        else:
            quiz_services.update_quiz(quiz, **settings)
            report.quizzes_updated.append(key)
        quiz.position = position
        _load_slots(course, quiz, spec.get("slots") or [], where)
    except ServiceError as err:
        raise ServiceError(f"{where}: {err.message}") from None


def _load_slots(course: Course, quiz: Quiz, slots: list[Any], where: str) -> None:
    _to_code, lookup = bank.outcome_code_map(course)
    wanted: list[tuple[SlotKind, int | None, str | None, str | None, int]] = []
    for n, slot in enumerate(slots, start=1):
        kind, name, count = slot_shape(slot, f"slot {n}")
        if kind == SlotKind.QUESTION:
            question = db.session.scalar(select(Question).where(Question.course_id == course.id, Question.key == name))
            if question is None:
                raise ServiceError(f"slot {n}: no question has the id {name}")
            wanted.append((SlotKind.QUESTION, question.id, None, None, 1))
        elif kind == SlotKind.OUTCOME:
            outcome_key = lookup.get(name.casefold())
            if outcome_key is None:
                raise ServiceError(f"slot {n}: the course has no learning outcome {name}")
            wanted.append((SlotKind.OUTCOME, None, outcome_key, None, count))
        else:
            wanted.append((SlotKind.CATEGORY, None, None, name.strip().strip("/"), count))
    current = [(s.kind, s.question_id, s.outcome_key, s.category, s.count) for s in quiz.slots]
    if current == wanted:
        return
    quiz.slots.clear()
    db.session.flush()
    for kind, question_id, outcome_key, category, count in wanted:
        question = db.session.get(Question, question_id) if question_id else None
        quiz_services.add_slot(quiz, kind, question=question, outcome_key=outcome_key, category=category, count=count)
    shortages = [s for s in quiz_services.slot_status(quiz) if not s.ok]
    if shortages:
        raise ServiceError(
            f"the bank holds {shortages[0].available} questions for slot {shortages[0].slot.position}, "
            f"which draws {shortages[0].wanted}"
        )


# --- dump ------------------------------------------------------------------------------------------

BANK_FILE = "questions/bank.gift"


def _review(quiz: Quiz, moment: str) -> list[str]:
    return [item for item in REVIEW_ITEMS if getattr(quiz, f"review_{item}_{moment}")]


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _slot_data(slot: Any, to_code: dict[str, str]) -> dict[str, Any]:
    if slot.kind == SlotKind.QUESTION:
        return {"question": slot.question.key}
    if slot.kind == SlotKind.OUTCOME:
        return {"outcome": to_code.get(slot.outcome_key, slot.outcome_key), "count": slot.count}
    return {"category": slot.category, "count": slot.count}


def quiz_data(quiz: Quiz, to_code: dict[str, str]) -> dict[str, Any]:
    """One quiz as the `quizzes:` entry of course.yaml that loads back to the same settings."""
    data: dict[str, Any] = {"key": quiz.key, "title": quiz.title}
    if quiz.description.strip():
        data["description"] = quiz.description.strip() + "\n"
    if quiz.module_key:
        data["module"] = quiz.module_key
    data.update(pass_mark=quiz.pass_mark, max_attempts=quiz.max_attempts, grading=quiz.grading_method.value)
    if quiz.time_limit_minutes:
        data["time_limit"] = quiz.time_limit_minutes
    data.update(
        shuffle_questions=quiz.shuffle_questions,
        shuffle_answers=quiz.shuffle_answers,
        per_page=quiz.per_page,
        required=quiz.required,
        published=quiz.published,
    )
    for name in ("opens_at", "closes_at"):
        if getattr(quiz, name):
            data[name] = _iso(getattr(quiz, name))
    data["review"] = {"after": _review(quiz, "after"), "closed": _review(quiz, "closed")}
    data["slots"] = [_slot_data(slot, to_code) for slot in quiz.slots]
    return data


def dump_package_quizzes(course: Course, target: Path, data: dict[str, Any]) -> None:
    """Write the question bank as GIFT and the quizzes into course.yaml's `quizzes:` section."""
    quizzes = list(db.session.scalars(select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.position)))
    questions = bank.list_questions(course)
    # An archived question a quiz still draws by id must travel with it, or the quiz cannot load.
    fixed = {s.question for quiz in quizzes for s in quiz.slots if s.kind == SlotKind.QUESTION}
    questions += sorted(fixed - set(questions), key=lambda q: q.key)
    folder = target / "questions"
    # A dump replaces the package's questions: old files would load again next to the new one.
    for old in folder.glob("*.gift"):
        old.unlink()
    if not questions and not quizzes:
        return
    if questions:
        folder.mkdir(parents=True, exist_ok=True)
        (target / BANK_FILE).write_text(bank.export_gift(course, questions), encoding="utf-8")
    to_code, _lookup = bank.outcome_code_map(course)
    data["quizzes"] = {
        "questions": [BANK_FILE] if questions else [],
        "quizzes": [quiz_data(quiz, to_code) for quiz in quizzes],
    }


# --- validate (no database) ------------------------------------------------------------------------
