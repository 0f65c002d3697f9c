"""Read Moodle's GIFT format into QuestionSpecs, reporting each question it cannot take.

Follows Moodle's qformat_gift: questions are separated by blank lines; `//` lines are comments;
`::title::`, `[format]`, the answer block `{...}` (text after it makes a missing-word question),
`=` right / `~` wrong answers, `%50%` weights, `#` answer feedback, `####` general feedback,
`{#...}` numerical answers (`3:2`, `1..5`, several with `=`), `->` matching pairs, `{T}`/`{FALSE}`,
`{}` essays, `$CATEGORY:` lines and the escapes `\\~ \\= \\# \\{ \\} \\: \\n \\\\`.
Comment tokens inside a question's block: `[id:KEY]` (the question's stable key), `[tag:LO1]`
(a learning outcome) and our own `[points:2]` and `[case-sensitive]`, which Moodle ignores.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from academy.quizzes import qtypes
from academy.quizzes.models import QuestionType, TextFormat
from academy.quizzes.spec import QuestionSpec

# Escaped characters become private-use placeholders while the structure is parsed. A placeholder
# character typed literally in the file is kept as _LITERAL + itself, so it is not mistaken for one.
_ESCAPABLE = "\\~=#{}:"
_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate(_ESCAPABLE)}
_LITERAL = "\ue00f"
_RESERVED = {*_PLACEHOLDER.values(), _LITERAL}
_RESTORE_PATTERN = re.compile(f"{_LITERAL}(.)|([{''.join(_PLACEHOLDER.values())}])", re.S)
_RESTORE = {v: k for k, v in _PLACEHOLDER.items()}

_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\[(moodle|html|plain|markdown)\]")
_ID = re.compile(r"\[id:([^\]\x00-\x1f]+)\]")
_TAG = re.compile(r"\[tag:([^\]\x00-\x1f]+)\]")
_POINTS = re.compile(r"\[points:([^\]\x00-\x1f]+)\]")
_CASE = re.compile(r"\[case-sensitive\]")
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_SCOPE = re.compile(r"^\$\w+\$/")
MISSING_WORD = "_____"
TITLE_MAX = 255


@dataclass
class GiftError:
    """A question that could not be read: where it starts, its title if known, and why."""

    line: int
    title: str
    reason: str


@dataclass
class GiftResult:
    """Questions read, in file order, and the questions refused."""

    questions: list[QuestionSpec] = field(default_factory=list)
    errors: list[GiftError] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, reason: str, title: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.title = title


def parse(source: str) -> GiftResult:
    """Parse a GIFT document."""
    result = GiftResult()
    category = ""
    for _start, lines in _blocks(source):
        comments = [line.strip() for _, line in lines if line.strip().startswith("//")]
        content = [(no, line) for no, line in lines if not line.strip().startswith("//")]
        if not content:
            continue
        first_no = content[0][0]
        if content[0][1].strip().startswith("$CATEGORY:"):
            category = _category(content[0][1].strip()[len("$CATEGORY:") :])
            content = content[1:]
            if not content:
                continue
            first_no = content[0][0]
        text = "\n".join(line for _, line in content).strip()
        try:
            spec = _question(text, comments)
        except _Refused as refused:
            result.errors.append(GiftError(first_no, refused.title, refused.reason))
            continue
        spec.category = category
        spec.line = first_no
        problems = qtypes.validate(spec.type, spec.data)
        if problems:
            result.errors.append(GiftError(first_no, spec.title, " ".join(problems)))
            continue
        result.questions.append(spec)
    return result


def _blocks(source: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """Groups of consecutive non-blank lines, with 1-based line numbers."""
    source = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[tuple[int, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] = []
    for no, line in enumerate(source.split("\n"), start=1):
        if line.strip():
            current.append((no, line))
        elif current:
            blocks.append((current[0][0], current))
            current = []
    if current:
        blocks.append((current[0][0], current))
    return blocks


def _protect(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _PLACEHOLDER:
                out.append(_PLACEHOLDER[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        if ch in _RESERVED:
            out.append(_LITERAL)
        out.append(ch)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return _RESTORE_PATTERN.sub(lambda m: m.group(1) or _RESTORE[m.group(2)], text)


def _category(raw: str) -> str:
    category = _restore(_protect(raw.strip())).strip()
    # Moodle exports "$course$/top/Finance"; keep only the path below the course's top category.
    category = _SCOPE.sub("", category)
    if category == "top":
        return ""
    return category.removeprefix("top/").strip()


def _text(raw: str) -> str:
    """A protected text part: drop a [format] prefix (the question's format applies), restore, trim."""
    raw = raw.strip()
    match = _FORMAT.match(raw)
    if match:
        raw = raw[match.end() :]
    return _restore(raw).strip()


def _default_title(text: str) -> str:
    plain = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return plain if len(plain) <= 60 else plain[:59].rstrip() + "…"


def _question(raw: str, comments: list[str]) -> QuestionSpec:
    comment = "\n".join(comments)
    text = _protect(raw)
    title: str | None = None
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise _Refused(_("The title is not closed with “::”."))
        title = _restore(text[2:end]).strip()
        text = text[end + 2 :].strip()
        if len(title) > TITLE_MAX:
            raise _Refused(_("The title is longer than %(max)d characters.", max=TITLE_MAX), title[:60])
    shown = title or _default_title(_restore(text))

    start = text.find("{")
    close = text.find("}")
    if start == -1 and close == -1:
        raise _Refused(_("No answer block {…}: descriptions without answers are not supported."), shown)
    if start == -1 or close == -1 or close < start:
        raise _Refused(_("The braces { and } do not match (write \\{ or \\} for a literal brace)."), shown)
    if "{" in text[start + 1 : close]:
        raise _Refused(_("The braces { and } do not match (write \\{ or \\} for a literal brace)."), shown)
    if "{" in text[close + 1 :] or "}" in text[close + 1 :]:
        raise _Refused(_("A question can have only one answer block."), shown)
    answers = text[start + 1 : close].strip()
    before, after = text[:start], text[close + 1 :]
    question_text = before if not after.strip() else before + MISSING_WORD + after

    general_feedback = ""
    cut = answers.rfind("####")
    if cut != -1:
        general_feedback = _text(answers[cut + 4 :])
        answers = answers[:cut].strip()

    question_text = question_text.strip()
    text_format = TextFormat.MOODLE
    match = _FORMAT.match(question_text)
    if match:
        text_format = TextFormat(match.group(1))
        question_text = question_text[match.end() :]
    question_text = _restore(question_text).strip()
    if not question_text:
        raise _Refused(_("The question has no text."), shown)
    if not title:
        title = _default_title(question_text)

    qtype, data = _answers(answers, shown)
    spec = QuestionSpec(
        type=qtype,
        title=title,
        text=question_text,
        data=data,
        text_format=text_format,
        general_feedback=general_feedback,
    )
    _apply_comment(spec, comment)
    return spec


def _apply_comment(spec: QuestionSpec, comment: str) -> None:
    key = _ID.search(comment)
    if key:
        spec.key = key.group(1).strip()
        if not KEY_PATTERN.fullmatch(spec.key):
            raise _Refused(
                _("The id “%(key)s” may use only letters, digits and . _ : - (at most 100).", key=spec.key),
                spec.title,
            )
    tags = []
    for tag in _TAG.findall(comment):
        tag = tag.strip()
        if tag and tag not in tags:
            tags.append(tag)
    spec.tags = tags
    points = _POINTS.search(comment)
    if points:
        value = _number(points.group(1).strip())
        if value is None or not 0 < value <= 1000:
            raise _Refused(_("Points must be a number above 0 and at most 1000."), spec.title)
        spec.points = value
    if spec.type == QuestionType.SHORT:
        spec.data["case_sensitive"] = bool(_CASE.search(comment))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _weight(part: str, default: float) -> tuple[float, str]:
    match = _WEIGHT.match(part)
    if not match:
        return default, part
    return qtypes.round_weight(float(match.group(1))), part[match.end() :]


def _feedback_split(part: str) -> tuple[str, str]:
    text, _sep, feedback = part.partition("#")
    return _text(text), _text(feedback)


def _answers(answers: str, title: str) -> tuple[QuestionType, dict]:
    if answers == "":
        return QuestionType.ESSAY, {}
    if answers.startswith("#"):
        return QuestionType.NUMERICAL, _numerical(answers[1:], title)
    if "~" in answers:
        single = "=" in answers
        return (QuestionType.SINGLE if single else QuestionType.MULTIPLE), _choices(answers, title)
    if "=" in answers and "->" in answers:
        return QuestionType.MATCHING, _matching(answers, title)
    head = answers.split("#", 1)[0].strip()
    if head in ("T", "TRUE", "F", "FALSE"):
        bits = answers.split("#", 2)
        wrong = _text(bits[1]) if len(bits) > 1 else ""
        right = _text(bits[2]) if len(bits) > 2 else ""
        return QuestionType.TRUEFALSE, {
            "answer": head in ("T", "TRUE"),
            "feedback_right": right,
            "feedback_wrong": wrong,
        }
    return QuestionType.SHORT, _short(answers, title)


def _leading(parts: list[str], title: str) -> list[str]:
    if parts and parts[0].strip():
        raise _Refused(_("There is text before the first answer; start each answer with = or ~."), title)
    return parts[1:]


def _choices(answers: str, title: str) -> dict:
    parts = _leading(answers.replace("=", "~=").split("~"), title)
    choices = []
    for part in parts:
        part = part.strip()
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        else:
            weight, part = _weight(part, 0.0)
        text, feedback = _feedback_split(part)
        choices.append({"text": text, "weight": weight, "feedback": feedback})
    return {"choices": choices}


def _short(answers: str, title: str) -> dict:
    parts = _leading(answers.split("="), title)
    accepted = []
    for part in parts:
        weight, part = _weight(part.strip(), 100.0)
        text, feedback = _feedback_split(part)
        accepted.append({"text": text, "weight": weight, "feedback": feedback})
    return {"answers": accepted, "case_sensitive": False}


def _matching(answers: str, title: str) -> dict:
    parts = _leading(answers.split("="), title)
    pairs = []
    for part in parts:
        marker = part.find("->")
        if marker == -1:
            raise _Refused(_("Every matching pair needs “->” between its two sides."), title)
        pairs.append({"left": _text(part[:marker]), "right": _restore(part[marker + 2 :]).strip()})
    return {"pairs": pairs}


def _numerical(answers: str, title: str) -> dict:
    feedback_wrong = ""
    tilde = answers.find("~")
    if tilde != -1:
        feedback_wrong = _text(answers[tilde:].partition("#")[2])
        answers = answers[:tilde]
    parts = [p for p in answers.split("=")]
    if parts and not parts[0].strip():
        parts = parts[1:]
    if not parts:
        raise _Refused(_("A numerical question needs at least one number."), title)
    accepted = []
    for part in parts:
        weight, part = _weight(part.strip(), 100.0)
        number, _sep, feedback = part.partition("#")
        number = _restore(number).strip()
        entry: dict
        if number.find("..") > 0:
            low, high = number.split("..", 1)
            low_v, high_v = _number(low.strip()), _number(high.strip())
            if low_v is None or high_v is None:
                raise _Refused(_("“%(value)s” is not a range of two numbers.", value=number), title)
            entry = {"min": low_v, "max": high_v}
        elif number.find(":") > 0:
            value, tolerance = number.split(":", 1)
            value_v, tolerance_v = _number(value.strip()), _number(tolerance.strip())
            if value_v is None or tolerance_v is None:
                raise _Refused(_("“%(value)s” is not a number with a tolerance.", value=number), title)
            entry = {"value": value_v, "tolerance": tolerance_v}
        else:
            value_v = _number(number)
            if value_v is None:
                raise _Refused(_("“%(value)s” is not a number.", value=number), title)
            entry = {"value": value_v, "tolerance": 0.0}
        entry.update(weight=weight, feedback=_text(feedback))
        accepted.append(entry)
    return {"answers": accepted, "feedback_wrong": feedback_wrong}
