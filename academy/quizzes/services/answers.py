"""Answers: what a question's form fields mean, and the canonical stored form of an answer (see grading.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from academy.quizzes import grading
from academy.quizzes.models import QuestionType, QuestionVersion, Response
from academy.quizzes.snapshots import VersionSnap

MAX_SHORT = 500
MAX_ESSAY = 20_000


def clean_answer(version: QuestionVersion | VersionSnap, answer: Any) -> Any:
    """The canonical stored form of an answer (see grading.py), or None for no answer."""
    qtype = QuestionType(version.type)
    data = version.data or {}
    if answer is None:
        return None
    if qtype == QuestionType.SINGLE:
        ok = isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(data["choices"])
        return answer if ok else None
    if qtype == QuestionType.MULTIPLE:
        chosen = grading._indexes(answer, len(data["choices"]))
        return chosen or None
    if qtype == QuestionType.TRUEFALSE:
        return answer if isinstance(answer, bool) else None
    if qtype in (QuestionType.SHORT, QuestionType.NUMERICAL):
        text = str(answer).strip()[:MAX_SHORT]
        return text or None
    if qtype == QuestionType.ESSAY:
        text = str(answer).strip()[:MAX_ESSAY]
        return text or None
    if qtype == QuestionType.MATCHING:
        if not isinstance(answer, dict):
            return None
        items = set(grading.matching_items(data))
        size = len(grading.matching_options(data))
        chosen = {
            str(k): v
            for k, v in answer.items()
            if str(k).isdigit() and int(k) in items and isinstance(v, int) and 0 <= v < size
        }
        return chosen or None
    return None


def answer_from_form(
    response: Response, values: Callable[[str], list[str]], version: QuestionVersion | VersionSnap | None = None
) -> Any:
    """Turn the posted fields of one question into its answer; displayed positions map back via `order`."""
    version = version or response.version
    qtype = QuestionType(version.type)
    name = f"q{response.position}"
    order = list(response.order or [])

    def original(raw: str) -> int | None:
        if not raw.isdigit() or int(raw) >= len(order):
            return None
        return order[int(raw)]

    posted = values(name)
    first = posted[0] if posted else ""
    if qtype == QuestionType.SINGLE:
        return original(first)
    if qtype == QuestionType.MULTIPLE:
        picked = [original(v) for v in posted]
        return sorted({p for p in picked if p is not None}) or None
    if qtype == QuestionType.TRUEFALSE:
        return {"true": True, "false": False}.get(first)
    if qtype in (QuestionType.SHORT, QuestionType.NUMERICAL, QuestionType.ESSAY):
        return first
    if qtype == QuestionType.MATCHING:
        out = {}
        for item in grading.matching_items(version.data):
            field_values = values(f"{name}-{item}")
            picked = original(field_values[0]) if field_values else None
            if picked is not None:
                out[str(item)] = picked
        return out or None
    return None
