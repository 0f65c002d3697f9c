"""A question as plain data, independent of the database: what GIFT reads and writes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from academy.quizzes.models import QuestionType, QuestionVersion, TextFormat


@dataclass
class QuestionSpec:
    """One question: its content, its bank category and the outcome codes it is tagged with."""

    type: QuestionType
    title: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    text_format: TextFormat = TextFormat.MOODLE
    general_feedback: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)  # outcome codes (or keys) from // [tag:...]
    key: str | None = None  # // [id:...]
    points: float = 1.0
    line: int = field(default=0, compare=False)  # where it starts in the GIFT file

    def content(self) -> tuple:
        """What makes two versions the same question (used to skip no-op edits)."""
        return (
            self.type,
            self.title,
            self.text,
            self.text_format,
            self.data,
            self.general_feedback,
            self.category,
            self.points,
        )


def spec_from_version(version: QuestionVersion, *, key: str | None, tags: list[str]) -> QuestionSpec:
    """The spec of a stored version; `tags` are the outcome codes to write for its outcome keys."""
    return QuestionSpec(
        type=QuestionType(version.type),
        title=version.title,
        text=version.text,
        data=copy.deepcopy(version.data or {}),
        text_format=TextFormat(version.text_format),
        general_feedback=version.general_feedback or "",
        category=version.category or "",
        tags=list(tags),
        key=key,
        points=float(version.points),
    )
