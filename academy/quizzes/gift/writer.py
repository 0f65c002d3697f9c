"""Write QuestionSpecs as GIFT that both Moodle and our parser read back to the same questions.

Every text goes on one line with `\\n` for line breaks, so no text line can pass for a comment or
a blank separator; every question gets a `::title::`; reserved characters are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from academy.quizzes.models import QuestionType, TextFormat
from academy.quizzes.spec import QuestionSpec

_RESERVED = "~=#{}:"


def escape(text: str) -> str:
    """Escape GIFT's reserved characters and line breaks."""
    out = text.replace("\\", "\\\\")
    for ch in _RESERVED:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r", "").replace("\n", "\\n")


def number(value: float) -> str:
    """A number as short as it reads back exactly: 3 rather than 3.0."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def weight(value: float) -> str:
    """A weight in percent, at most five decimals, never in exponent notation."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _part(text: str, fmt: TextFormat) -> str:
    # A part that itself begins with "[" would be read as a format tag: state the format first.
    prefix = f"[{fmt}]" if text.startswith("[") else ""
    return prefix + escape(text)


def _weighted(marker: str, w: float, text: str, *, implicit: float) -> str:
    explicit = w != implicit or text.startswith("%")
    return marker + (f"%{weight(w)}%" if explicit else "")


def _feedback(text: str, fmt: TextFormat) -> str:
    return f"#{_part(text, fmt)}" if text else ""


def dumps(specs: Iterable[QuestionSpec]) -> str:
    """A GIFT document holding `specs` in order, with $CATEGORY lines where the category changes."""
    chunks: list[str] = []
    category: str | None = None
    for spec in specs:
        if spec.category != category:
            if category is not None or spec.category:
                chunks.append(f"$CATEGORY: {escape(spec.category)}\n")
            category = spec.category
        chunks.append(write_question(spec))
    return "\n".join(chunks)


def write_question(spec: QuestionSpec) -> str:
    """One question with its comment tokens, ending with a newline."""
    fmt = TextFormat(spec.text_format)
    lines = []
    if spec.key:
        lines.append(f"// [id:{spec.key}]")
    lines.extend(f"// [tag:{tag}]" for tag in spec.tags)
    if float(spec.points) != 1.0:
        lines.append(f"// [points:{number(spec.points)}]")
    if spec.type == QuestionType.SHORT and spec.data.get("case_sensitive"):
        lines.append("// [case-sensitive]")
    text_prefix = f"[{fmt}]" if fmt != TextFormat.MOODLE or spec.text.startswith("[") else ""
    head = f"::{escape(spec.title)}:: {text_prefix}{escape(spec.text)} "
    general = f"####{_part(spec.general_feedback, fmt)}" if spec.general_feedback else ""
    body = _BODY[QuestionType(spec.type)](spec.data, fmt)
    if body is None:  # answers inline: {TRUE...} or {}
        lines.append(head + "{" + _inline(spec, fmt) + general + "}")
    else:
        opening = "{#" if spec.type == QuestionType.NUMERICAL else "{"
        block = [head + opening, *(f"\t{line}" for line in body)]
        if general:
            block.append(f"\t{general}")
        block.append("}")
        lines.extend(block)
    return "\n".join(lines) + "\n"


def _inline(spec: QuestionSpec, fmt: TextFormat) -> str:
    if spec.type == QuestionType.ESSAY:
        return ""
    data = spec.data
    out = "TRUE" if data["answer"] else "FALSE"
    right, wrong = data.get("feedback_right", ""), data.get("feedback_wrong", "")
    if wrong or right:
        out += "#" + (_part(wrong, fmt) if wrong else "")
    if right:
        out += "#" + _part(right, fmt)
    return out


def _choices(data: dict, fmt: TextFormat, *, single: bool) -> list[str]:
    lines = []
    for choice in data["choices"]:
        text, w = choice["text"], choice["weight"]
        marker = "=" if single and w == 100 else _weighted("~", w, text, implicit=0.0)
        lines.append(marker + _part(text, fmt) + _feedback(choice.get("feedback", ""), fmt))
    return lines


def _single(data: dict, fmt: TextFormat) -> list[str]:
    return _choices(data, fmt, single=True)


def _multiple(data: dict, fmt: TextFormat) -> list[str]:
    return _choices(data, fmt, single=False)


def _short(data: dict, fmt: TextFormat) -> list[str]:
    return [
        _weighted("=", a["weight"], a["text"], implicit=100.0) + _part(a["text"], fmt) + _feedback(a["feedback"], fmt)
        for a in data["answers"]
    ]


def _numerical(data: dict, fmt: TextFormat) -> list[str]:
    lines = []
    for a in data["answers"]:
        if "min" in a:
            value = f"{number(a['min'])}..{number(a['max'])}"
        else:
            value = f"{number(a['value'])}:{number(a.get('tolerance', 0))}"
        marker = "=" + (f"%{weight(a['weight'])}%" if a["weight"] != 100 else "")
        lines.append(marker + value + _feedback(a.get("feedback", ""), fmt))
    if data.get("feedback_wrong"):
        lines.append("~#" + _part(data["feedback_wrong"], fmt))
    return lines


def _matching(data: dict, fmt: TextFormat) -> list[str]:
    return [f"={_part(p['left'], fmt) if p['left'] else ''} -> {escape(p['right'])}" for p in data["pairs"]]


_BODY = {
    QuestionType.SINGLE: _single,
    QuestionType.MULTIPLE: _multiple,
    QuestionType.SHORT: _short,
    QuestionType.NUMERICAL: _numerical,
    QuestionType.MATCHING: _matching,
    QuestionType.TRUEFALSE: lambda data, fmt: None,
    QuestionType.ESSAY: lambda data, fmt: None,
}
