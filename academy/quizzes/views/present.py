"""What templates get to show of a question: never weights, right answers or feedback before review.

The answering view model holds only texts and display positions (choices are identified by
where they are shown, not by their index in the question), so nothing in the page before
submission can tell a right answer from a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from academy.quizzes import grading, qtypes
from academy.quizzes.models import QuestionType, Response
from academy.quizzes.rendering import render
from academy.quizzes.services.results import Review


@dataclass
class Option:
    """A choice or matching option as shown: its display position, text, and whether it is picked."""

    value: str
    html: Markup
    selected: bool = False
    verdict: str | None = None  # "right" / "wrong" / "partial": chosen ones once scores show, all with answers
    feedback: Markup | None = None  # the choice's own feedback, on review with feedback, for chosen ones


@dataclass
class Item:
    """A matching item (left side) with the option picked for it."""

    index: int
    html: Markup
    picked: str = ""
    picked_html: Markup | None = None
    right: bool | None = None


@dataclass
class ShownQuestion:
    """One question of an attempt as the template shows it."""

    position: int
    type: str
    type_label: str
    title: str
    text_html: Markup
    points: float
    answered: bool
    options: list[Option] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    text_answer: str = ""
    truefalse: bool | None = None
    # Review only:
    score: float | None = None
    fraction: float | None = None
    waiting: bool = False
    right_answers: list[str] = field(default_factory=list)
    correct: str | None = None  # "right" / "partial" / "wrong" for a typed or true/false answer, on review
    feedback: list[Markup] = field(default_factory=list)
    general_feedback: Markup | None = None
    comment: str = ""


def _inline(text: str, fmt: str) -> Markup:
    return render(text, fmt, inline=True)


def for_answering(response: Response) -> ShownQuestion:
    """The question as a learner answers it: texts and display positions only."""
    version = response.version
    data = version.data or {}
    fmt = version.text_format
    shown = ShownQuestion(
        position=response.position,
        type=str(version.type),
        type_label=str(qtypes.TYPE_LABELS[QuestionType(version.type)]),
        title=version.title,
        text_html=render(version.text, fmt),
        points=response.max_points,
        answered=response.answered,
    )
    answer = response.answer
    order = list(response.order or [])
    qtype = QuestionType(version.type)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        picked = set(answer if isinstance(answer, list) else [answer] if isinstance(answer, int) else [])
        shown.options = [
            Option(str(d), _inline(data["choices"][i]["text"], fmt), i in picked) for d, i in enumerate(order)
        ]
    elif qtype == QuestionType.MATCHING:
        options = grading.matching_options(data)
        shown.options = [Option(str(d), _inline(options[i], fmt)) for d, i in enumerate(order)]
        chosen = answer if isinstance(answer, dict) else {}
        display_of = {i: str(d) for d, i in enumerate(order)}
        for i in grading.matching_items(data):
            picked = chosen.get(str(i))
            shown.items.append(
                Item(
                    i,
                    _inline(data["pairs"][i]["left"], fmt),
                    display_of.get(picked, ""),
                    _inline(options[picked], fmt) if isinstance(picked, int) and picked < len(options) else None,
                )
            )
    elif qtype == QuestionType.TRUEFALSE:
        shown.truefalse = answer if isinstance(answer, bool) else None
    else:
        shown.text_answer = answer if isinstance(answer, str) else ""
    return shown


def for_review(response: Response, review: Review) -> ShownQuestion:
    """The question after submission, revealing what the quiz's review options allow.

    Once scores show, each chosen option is marked right or wrong (the score tells as much);
    with answers, the options not chosen that were right are marked too and the right answer is
    listed; with feedback, each chosen option's feedback sits next to that option.
    """
    shown = for_answering(response)
    version = response.version
    data = version.data or {}
    fmt = version.text_format
    qtype = QuestionType(version.type)
    shown.waiting = response.fraction is None
    choice = qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE)
    if review.score:
        shown.score = response.score
        shown.fraction = response.fraction
    if review.score or review.answers:
        _mark_chosen(shown, response)
    if review.answers:
        if not choice:  # choices carry their own marks
            shown.right_answers = qtypes.correct_answer_summary(qtype, data)
        _mark(shown, response)
    if review.feedback:
        if choice:
            order = list(response.order or [])
            for option, i in zip(shown.options, order, strict=True):
                text = data["choices"][i].get("feedback", "") if option.selected else ""
                option.feedback = _inline(text, fmt) if text.strip() else None
        else:
            result = grading.grade(version.type, data, response.answer)
            shown.feedback = [_inline(text, fmt) for text in result.feedback]
        if version.general_feedback:
            shown.general_feedback = render(version.general_feedback, fmt)
        shown.comment = response.comment or ""
    return shown


def _verdict(weight_or_fraction: float, full: float) -> str:
    return "right" if weight_or_fraction >= full else "partial" if weight_or_fraction > 0 else "wrong"


def _choice_verdict(qtype: QuestionType, weight: float) -> str:
    """A multiple-response option with any positive weight belongs to the right answer."""
    if qtype == QuestionType.MULTIPLE:
        return "right" if weight > 0 else "wrong"
    return _verdict(weight, 100)


def _mark_chosen(shown: ShownQuestion, response: Response) -> None:
    """Mark the options the learner chose, and a typed or true/false answer, right or wrong."""
    version = response.version
    data = version.data or {}
    qtype = QuestionType(version.type)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        for option, i in zip(shown.options, list(response.order or []), strict=True):
            if option.selected:
                option.verdict = _choice_verdict(qtype, data["choices"][i]["weight"])
    elif qtype in (QuestionType.TRUEFALSE, QuestionType.SHORT, QuestionType.NUMERICAL) and (
        response.answered and response.fraction is not None
    ):
        shown.correct = _verdict(response.fraction, 1)


def _mark(shown: ShownQuestion, response: Response) -> None:
    version = response.version
    data = version.data or {}
    order = list(response.order or [])
    qtype = QuestionType(version.type)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        for option, i in zip(shown.options, order, strict=True):
            option.verdict = _choice_verdict(qtype, data["choices"][i]["weight"])
    elif qtype == QuestionType.MATCHING:
        options = grading.matching_options(data)
        chosen: dict[str, Any] = response.answer if isinstance(response.answer, dict) else {}
        for item in shown.items:
            picked = chosen.get(str(item.index))
            item.right = picked is not None and options[picked] == data["pairs"][item.index]["right"]
