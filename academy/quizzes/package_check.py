"""Checks of a course package's quizzes before anything is loaded (`flask academy courses validate`).

Problems come back as (line, message) in course.yaml, or located in a question file, so the
validator can name the file and line of each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from academy.exceptions import ServiceError
from academy.quizzes import gift
from academy.quizzes.models import SlotKind
from academy.quizzes.package import UNTAGGED, _question_files, generated_key, quiz_settings, slot_shape


def _line(container: Any, index: Any) -> int | None:
    line_of = getattr(container, "line_of", None)
    return line_of(index) if line_of else None


def check_quizzes_section(
    package_dir: Path, quizzes_yaml: Any, *, outcomes: set[str], modules: set[str]
) -> list[tuple[int | None, str]]:
    """Problems of course.yaml's `quizzes:` section as (line, message), checked against the package's files."""
    if isinstance(quizzes_yaml, list):
        quizzes_yaml = {"quizzes": quizzes_yaml}
    if not isinstance(quizzes_yaml, dict):
        return [(None, "`quizzes` must be a list or a mapping")]
    problems: list[tuple[int | None, str]] = []
    default = quizzes_yaml.get("default_outcome")
    if default is not None and str(default).casefold() not in outcomes:
        problems.append(
            (
                _line(quizzes_yaml, "default_outcome"),
                f"default_outcome {default}: the course has no such learning outcome",
            )
        )
    keys: set[str] = set()
    try:
        for path in _question_files(package_dir, quizzes_yaml.get("questions")):
            for spec in gift.parse(path.read_text(encoding="utf-8")).questions:
                keys.add(spec.key or generated_key(path, spec.title, keys))
    except (ServiceError, UnicodeDecodeError) as err:
        problems.append((_line(quizzes_yaml, "questions"), getattr(err, "message", str(err))))
    items = quizzes_yaml.get("quizzes") or []
    if not isinstance(items, list):
        return [*problems, (_line(quizzes_yaml, "quizzes"), "`quizzes` lists the quizzes")]
    seen: set[str] = set()
    for position, spec in enumerate(items, start=1):
        line = _line(items, position - 1)
        try:
            key, settings = quiz_settings(spec, position)
        except ServiceError as err:
            problems.append((line, err.message))
            continue
        if key in seen:
            problems.append((line, f"quiz {key}: the key is used twice"))
        seen.add(key)
        if settings["module_key"] is not None and settings["module_key"] not in modules:
            problems.append((line, f"quiz {key}: the course has no module {settings['module_key']}"))
        for n, slot in enumerate(spec.get("slots") or [], start=1):
            kind, name, _count = slot_shape(slot, f"quiz {key} slot {n}")
            slot_line = _line(spec.get("slots"), n - 1) or line
            if kind == SlotKind.QUESTION and name not in keys:
                problems.append((slot_line, f"quiz {key} slot {n}: no question file has the id {name}"))
            elif kind == SlotKind.OUTCOME and name.casefold() not in outcomes:
                problems.append((slot_line, f"quiz {key} slot {n}: the course has no learning outcome {name}"))
    return problems


def untagged_problems(package_dir: Path, quizzes_yaml: Any, *, outcomes: set[str]) -> list[tuple[Path, int, str]]:
    """Questions without an outcome tag when the package sets no `default_outcome` (file, line, message)."""
    section = quizzes_yaml if isinstance(quizzes_yaml, dict) else {}
    if section.get("default_outcome") is not None:
        return []
    found: list[tuple[Path, int, str]] = []
    try:
        paths = _question_files(package_dir, section.get("questions"))
    except ServiceError:
        return []  # reported by check_quizzes_section
    for path in paths:
        try:
            parsed = gift.parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
        found.extend((path, spec.line, f"{spec.title}: {UNTAGGED}") for spec in parsed.questions if not spec.tags)
    return found
