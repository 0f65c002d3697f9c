"""Pure grading: from a question's data and a learner's answer to a fraction of its points.

No database, no Flask. Every function takes the version's `data` (shapes in qtypes.py) and the
stored answer (shapes below) and returns a Grade: `fraction` in [0, 1] (None for an essay, which a
trainer grades) and the answer feedback texts to show.

Stored answers:
  single     int, index into data["choices"]
  multiple   list[int], indexes into data["choices"]
  truefalse  bool
  short      str
  numerical  str, as typed (parsed here, "3,5" and "3.5" both accepted)
  matching   dict[str(left index), int] mapping a pair's index to an index of matching_options(data)
  essay      str
An unanswered question (None) scores 0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

PRECISION = 7  # decimals kept in fractions and scores, as Moodle does


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one answer."""

    fraction: float | None
    feedback: list[str] = field(default_factory=list)


def clamp(value: float) -> float:
    """Keep a fraction inside [0, 1] and round away float noise."""
    return round(min(1.0, max(0.0, value)), PRECISION)


def grade(qtype: str, data: dict[str, Any], answer: Any) -> Grade:
    """Grade `answer` to a question of type `qtype` with `data`."""
    grader = _GRADERS.get(str(qtype))
    if grader is None:
        raise ValueError(f"unknown question type {qtype!r}")
    return grader(data, answer)


def score(fraction: float | None, points: float) -> float | None:
    """Points earned for a fraction of a question worth `points`."""
    if fraction is None:
        return None
    return round(fraction * points, PRECISION)


# --- choice questions ------------------------------------------------------------------------


def grade_single(data: dict[str, Any], answer: Any) -> Grade:
    """Single choice: the chosen answer's weight; negative weights count as 0."""
    choices = data.get("choices", [])
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
        return Grade(0.0)
    choice = choices[answer]
    return Grade(clamp(choice["weight"] / 100), _nonempty([choice.get("feedback", "")]))


def grade_multiple(data: dict[str, Any], answer: Any) -> Grade:
    """Multiple response: the sum of the chosen answers' weights (negatives allowed), never below 0."""
    choices = data.get("choices", [])
    chosen = _indexes(answer, len(choices))
    if not chosen:
        return Grade(0.0)
    total = sum(choices[i]["weight"] for i in chosen)
    return Grade(clamp(total / 100), _nonempty([choices[i].get("feedback", "") for i in chosen]))


def _indexes(answer: Any, size: int) -> list[int]:
    if not isinstance(answer, list):
        return []
    valid = {a for a in answer if isinstance(a, int) and not isinstance(a, bool) and 0 <= a < size}
    return sorted(valid)


def grade_truefalse(data: dict[str, Any], answer: Any) -> Grade:
    """True/false: all or nothing, with the right or wrong feedback."""
    if not isinstance(answer, bool):
        return Grade(0.0)
    right = answer == bool(data.get("answer"))
    text = data.get("feedback_right" if right else "feedback_wrong", "")
    return Grade(1.0 if right else 0.0, _nonempty([text]))


# --- typed answers ---------------------------------------------------------------------------


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """Trim, squeeze inner whitespace, NFC-normalise and (by default) case-fold a typed answer."""
    text = unicodedata.normalize("NFC", " ".join(str(text).split()))
    return text if case_sensitive else text.casefold()


def wildcard_regex(pattern: str, *, case_sensitive: bool = False) -> re.Pattern[str]:
    """A regex for a short-answer pattern: `*` matches any text, `\\*` is a literal asterisk."""
    pattern = normalise_text(pattern, case_sensitive=case_sensitive)
    parts = re.split(r"(?<!\\)\*", pattern)
    body = ".*".join(re.escape(part.replace("\\*", "*")) for part in parts)
    return re.compile(body, re.DOTALL)


def short_answer_matches(pattern: str, response: str, *, case_sensitive: bool = False) -> bool:
    """True if `response` matches the accepted answer `pattern`."""
    response = normalise_text(response, case_sensitive=case_sensitive)
    return wildcard_regex(pattern, case_sensitive=case_sensitive).fullmatch(response) is not None


def grade_short(data: dict[str, Any], answer: Any) -> Grade:
    """Short answer: the best weight among the accepted answers that match (first one on ties)."""
    if not isinstance(answer, str) or not answer.strip():
        return Grade(0.0)
    case_sensitive = bool(data.get("case_sensitive", False))
    best = None
    for accepted in data.get("answers", []):
        if short_answer_matches(accepted["text"], answer, case_sensitive=case_sensitive) and (
            best is None or accepted["weight"] > best["weight"]
        ):
            best = accepted
    if best is None:
        return Grade(0.0)
    return Grade(clamp(best["weight"] / 100), _nonempty([best.get("feedback", "")]))


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_number(text: Any) -> float | None:
    """Read a typed number: spaces ignored, a lone comma taken as the decimal sign; None if not a number."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(text) else None
    if not isinstance(text, str):
        return None
    cleaned = "".join(text.split()).replace("\u2212", "-")  # also the typographic minus
    if "," in cleaned:
        if "." in cleaned or cleaned.count(",") > 1:
            return None  # "1,000.5" or "1,000,000": ambiguous, refuse rather than guess
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return None
    value = float(cleaned)
    return value if math.isfinite(value) else None


def numeric_bounds(accepted: dict[str, Any]) -> tuple[float, float]:
    """The closed interval an accepted numerical answer covers."""
    if "min" in accepted:
        return float(accepted["min"]), float(accepted["max"])
    value, tolerance = float(accepted["value"]), abs(float(accepted.get("tolerance", 0)))
    return value - tolerance, value + tolerance


def grade_numerical(data: dict[str, Any], answer: Any) -> Grade:
    """Numerical: the best weight among the accepted intervals holding the number (bounds included)."""
    value = parse_number(answer)
    if value is None:
        return Grade(0.0, _nonempty([data.get("feedback_wrong", "")]) if answer not in (None, "") else [])
    best = None
    for accepted in data.get("answers", []):
        low, high = numeric_bounds(accepted)
        # Allow for binary float noise (0.1 + 0.2 style) at the edges, relative to the magnitude.
        slack = 1e-9 * max(1.0, abs(low), abs(high))
        if low - slack <= value <= high + slack and (best is None or accepted["weight"] > best["weight"]):
            best = accepted
    if best is None or best["weight"] <= 0:
        wrong = data.get("feedback_wrong", "")
        feedback = [best.get("feedback", "")] if best else [wrong]
        return Grade(0.0, _nonempty(feedback))
    return Grade(clamp(best["weight"] / 100), _nonempty([best.get("feedback", "")]))


# --- matching and essay ----------------------------------------------------------------------


def matching_options(data: dict[str, Any]) -> list[str]:
    """The distinct right-hand texts a learner picks from, in the order they first appear."""
    options: list[str] = []
    for pair in data.get("pairs", []):
        if pair["right"] not in options:
            options.append(pair["right"])
    return options


def matching_items(data: dict[str, Any]) -> list[int]:
    """Indexes of the pairs a learner must match (pairs with an empty left side are distractors)."""
    return [i for i, pair in enumerate(data.get("pairs", [])) if pair["left"].strip()]


def grade_matching(data: dict[str, Any], answer: Any) -> Grade:
    """Matching: the share of items matched to the right text."""
    items = matching_items(data)
    if not items:
        return Grade(0.0)
    options = matching_options(data)
    chosen = answer if isinstance(answer, dict) else {}
    right = 0
    for i in items:
        picked = chosen.get(str(i))
        if isinstance(picked, int) and 0 <= picked < len(options) and options[picked] == data["pairs"][i]["right"]:
            right += 1
    return Grade(clamp(right / len(items)))


def grade_essay(data: dict[str, Any], answer: Any) -> Grade:
    """Essay: a trainer grades it; an empty essay scores 0 at once, since there is nothing to read."""
    if not isinstance(answer, str) or not answer.strip():
        return Grade(0.0)
    return Grade(None)


def _nonempty(texts: list[str]) -> list[str]:
    return [t for t in texts if t]


_GRADERS = {
    "single": grade_single,
    "multiple": grade_multiple,
    "truefalse": grade_truefalse,
    "short": grade_short,
    "numerical": grade_numerical,
    "matching": grade_matching,
    "essay": grade_essay,
}


# --- across attempts -------------------------------------------------------------------------


def combine_attempts(method: str, percents: list[float]) -> float | None:
    """The quiz grade from graded attempts' percentages, oldest first, by grading method."""
    if not percents:
        return None
    if method == "highest":
        return max(percents)
    if method == "last":
        return percents[-1]
    if method == "first":
        return percents[0]
    if method == "average":
        return round(sum(percents) / len(percents), PRECISION)
    raise ValueError(f"unknown grading method {method!r}")
