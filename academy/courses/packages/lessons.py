"""Lesson files of a course package: optional YAML front matter between --- lines, then Markdown."""

from __future__ import annotations

from pathlib import Path

from academy.courses.packages.reader import (
    KEY_RE,
    LESSON_KEYS,
    ORDER_PREFIX_RE,
    LessonSpec,
    OutcomeSpec,
    PackageError,
    _Checker,
    _display,
)
from academy.courses.packages.yamlines import LineMap, YAMLProblem, parse


def lesson_key_from_filename(path: Path) -> str:
    """“02-why-harmonise.md” -> “why-harmonise” (a leading number only orders the files)."""
    return ORDER_PREFIX_RE.sub("", path.stem)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise YAMLProblem("the front matter that starts with --- on line 1 is never closed with ---", 1)


def read_lesson(path: Path, outcomes: dict[str, OutcomeSpec]) -> tuple[LessonSpec | None, list[PackageError]]:
    """Parse one lesson file: optional YAML front matter between --- lines, then Markdown."""
    check = _Checker(path, _display(path))
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        check.error(None, "the file is not UTF-8 text")
        return None, check.errors
    try:
        front, body, body_line = split_front_matter(text)
        meta = parse(front, first_line=2) if front is not None else None
    except YAMLProblem as exc:
        check.error(exc.line, f"front matter: {exc.message}")
        return None, check.errors
    if meta is None:
        meta = LineMap()
        meta.line = 1
    if not isinstance(meta, LineMap):
        check.error(2, "the front matter must be fields such as title: and minutes:")
        return None, check.errors
    check.unknown_keys(meta, LESSON_KEYS, "lesson")
    title = check.text(meta, "title")
    body = body.strip("\n")
    if not title:
        # No title in the front matter: take it from a first "# Heading" line.
        first, _, rest = body.partition("\n")
        if first.startswith("# "):
            title, body = first[2:].strip(), rest.strip("\n")
        else:
            check.error(body_line, "the lesson needs a title: in the front matter or a first line “# Title”")
    if len(title) > 200:
        check.error(meta.line_of("title"), "“title” is longer than 200 characters")
    if not body.strip():
        check.error(body_line, "the lesson has no text")
    key = check.text(meta, "key", max_length=64, default=lesson_key_from_filename(path))
    if not KEY_RE.match(key):
        check.error(meta.line_of("key"), f"lesson key “{key}” must be lower-case letters, digits, - or _")
    codes, codes_raw = check.string_list(meta, "outcomes")
    for j, code in enumerate(codes):
        if code.lower() not in outcomes:
            check.error(codes_raw.line_of(j), f"outcome “{code}” is not listed under outcomes in course.yaml")
    minutes = check.integer(meta, "minutes", low=1, high=600, default=10) or 10
    required = check.boolean(meta, "required", default=True)
    if check.errors:
        return None, check.errors
    return (
        LessonSpec(
            key=key,
            title=title,
            body=body,
            minutes=minutes,
            required=required,
            outcome_codes=[outcomes[c.lower()].code for c in codes],
            path=path,
            key_line=meta.line_of("key") if "key" in meta else 1,
        ),
        check.errors,
    )
