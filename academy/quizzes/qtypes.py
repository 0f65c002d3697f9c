"""What each question type stores in `QuestionVersion.data`, and the checks a question must pass.

  single, multiple  {"choices": [{"text", "weight", "feedback"}]}   weight: percent, -100..100
  truefalse         {"answer": bool, "feedback_right", "feedback_wrong"}
  short             {"answers": [{"text", "weight", "feedback"}], "case_sensitive": bool}
                    weight 0..100; `*` in text is a wildcard
  numerical         {"answers": [{"value", "tolerance", "weight", "feedback"}
                                 | {"min", "max", "weight", "feedback"}], "feedback_wrong"}
  matching          {"pairs": [{"left", "right"}]}   an empty left side is an extra wrong option
  essay             {}

The same checks serve the browser editor, GIFT import and course packages.
"""

from __future__ import annotations

import math
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from academy.quizzes.grading import parse_number
from academy.quizzes.models import QuestionType

TYPE_LABELS = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple response"),
    QuestionType.TRUEFALSE: _l("True / false"),
    QuestionType.SHORT: _l("Short answer"),
    QuestionType.NUMERICAL: _l("Numerical"),
    QuestionType.MATCHING: _l("Matching"),
    QuestionType.ESSAY: _l("Essay"),
}

WEIGHT_DECIMALS = 5
MAX_TEXT = 20_000


def round_weight(value: float) -> float:
    """Weights are kept to five decimals so they survive a trip through GIFT unchanged."""
    return round(float(value), WEIGHT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def validate(qtype: QuestionType | str, data: dict[str, Any]) -> list[str]:
    """Problems that stop a question of `qtype` with `data` from being graded fairly (empty if none)."""
    try:
        qtype = QuestionType(qtype)
    except ValueError:
        return [_("Unknown question type %(type)s.", type=qtype)]
    check = _CHECKS[qtype]
    try:
        return check(data)
    except (KeyError, TypeError, ValueError):
        return [_("The answers of this question are incomplete.")]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_choices(data: dict[str, Any], *, single: bool) -> list[str]:
    choices = data["choices"]
    errors = []
    if len(choices) < 2:
        errors.append(_("A choice question needs at least two answers."))
    for choice in choices:
        if not str(choice["text"]).strip():
            errors.append(_("Every answer needs a text."))
            break
    weights = [c["weight"] for c in choices]
    if not all(_finite(w) and -100 <= w <= 100 for w in weights):
        errors.append(_("Answer weights must lie between -100% and 100%."))
        return errors
    if single:
        if not any(w == 100 for w in weights):
            errors.append(_("A single-choice question needs one answer worth 100%."))
        if all(w == 100 for w in weights):
            errors.append(_("A single-choice question needs at least one answer that is not fully right."))
    else:
        positive = sum(w for w in weights if w > 0)
        if abs(positive - 100) > 0.01:
            errors.append(
                _(
                    "The positive weights of a multiple-response question must add up to 100%% (now %(sum)s%%).",
                    sum=f"{positive:g}",
                )
            )
    return errors


def _check_single(data: dict[str, Any]) -> list[str]:
    return _check_choices(data, single=True)


def _check_multiple(data: dict[str, Any]) -> list[str]:
    return _check_choices(data, single=False)


def _check_truefalse(data: dict[str, Any]) -> list[str]:
    return [] if isinstance(data["answer"], bool) else [_("Say whether the statement is true or false.")]


def _check_short(data: dict[str, Any]) -> list[str]:
    answers = data["answers"]
    errors = []
    if not answers:
        errors.append(_("A short-answer question needs at least one accepted answer."))
    if any(not str(a["text"]).strip() for a in answers):
        errors.append(_("Every accepted answer needs a text."))
    if any("->" in str(a["text"]) or "->" in str(a.get("feedback", "")) for a in answers):
        # GIFT would read the question back as a matching question.
        errors.append(_("Short answers and their feedback cannot contain “->”."))
    if not all(_finite(a["weight"]) and 0 <= a["weight"] <= 100 for a in answers):
        errors.append(_("Short-answer weights must lie between 0% and 100%."))
    elif answers and not any(a["weight"] == 100 for a in answers):
        errors.append(_("At least one accepted answer must be worth 100%."))
    return errors


def _check_numerical(data: dict[str, Any]) -> list[str]:
    answers = data["answers"]
    errors = []
    if not answers:
        errors.append(_("A numerical question needs at least one accepted answer."))
    for accepted in answers:
        if "min" in accepted:
            if not (_finite(accepted["min"]) and _finite(accepted["max"])) or accepted["min"] > accepted["max"]:
                errors.append(_("A range needs two numbers, the smaller first."))
        elif (
            not (_finite(accepted["value"]) and _finite(accepted.get("tolerance", 0)))
            or accepted.get("tolerance", 0) < 0
        ):
            errors.append(_("An accepted number needs a value and a tolerance of 0 or more."))
        if not (_finite(accepted["weight"]) and 0 <= accepted["weight"] <= 100):
            errors.append(_("Numerical weights must lie between 0% and 100%."))
    if answers and not errors and not any(a["weight"] == 100 for a in answers):
        errors.append(_("At least one accepted answer must be worth 100%."))
    return errors


def _check_matching(data: dict[str, Any]) -> list[str]:
    pairs = data["pairs"]
    errors = []
    items = [p for p in pairs if str(p["left"]).strip()]
    if len(items) < 2:
        errors.append(_("A matching question needs at least two pairs."))
    if any(not str(p["right"]).strip() for p in pairs):
        errors.append(_("Every pair needs a right-hand side."))
    if any("->" in str(p["left"]) for p in pairs):
        errors.append(_("The left-hand side of a pair cannot contain “->”."))
    return errors


def _check_essay(data: dict[str, Any]) -> list[str]:
    return []


_CHECKS = {
    QuestionType.SINGLE: _check_single,
    QuestionType.MULTIPLE: _check_multiple,
    QuestionType.TRUEFALSE: _check_truefalse,
    QuestionType.SHORT: _check_short,
    QuestionType.NUMERICAL: _check_numerical,
    QuestionType.MATCHING: _check_matching,
    QuestionType.ESSAY: _check_essay,
}


def correct_answer_summary(qtype: QuestionType | str, data: dict[str, Any]) -> list[str]:
    """Human-readable right answers, for the review page once the quiz allows it."""
    qtype = QuestionType(qtype)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return [c["text"] for c in data["choices"] if c["weight"] > 0]
    if qtype == QuestionType.TRUEFALSE:
        return [_("True") if data["answer"] else _("False")]
    if qtype == QuestionType.SHORT:
        return [a["text"] for a in data["answers"] if a["weight"] == 100]
    if qtype == QuestionType.NUMERICAL:
        out = []
        for a in data["answers"]:
            if a["weight"] != 100:
                continue
            if "min" in a:
                out.append(f"{a['min']:g} – {a['max']:g}")
            elif a.get("tolerance"):
                out.append(f"{a['value']:g} ± {a['tolerance']:g}")
            else:
                out.append(f"{a['value']:g}")
        return out
    if qtype == QuestionType.MATCHING:
        return [f"{p['left']} → {p['right']}" for p in data["pairs"] if p["left"].strip()]
    return []


def parse_numeric_answer(text: str) -> dict[str, float] | None:
    """Read "3", "3:0.5" (value and tolerance) or "1..5" (range) as typed in the editor; None if not."""
    text = text.strip()
    if text.find("..") > 0:
        low, high = (parse_number(part) for part in text.split("..", 1))
        return None if low is None or high is None else {"min": low, "max": high}
    if text.find(":") > 0:
        value, tolerance = (parse_number(part) for part in text.split(":", 1))
        return None if value is None or tolerance is None else {"value": value, "tolerance": tolerance}
    value = parse_number(text)
    return None if value is None else {"value": value, "tolerance": 0.0}
