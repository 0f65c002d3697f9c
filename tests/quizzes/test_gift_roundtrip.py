"""Property: writing questions as GIFT and reading them back gives the same questions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.quizzes import qtypes
from academy.quizzes.gift import dumps, parse
from academy.quizzes.models import QuestionType, TextFormat
from academy.quizzes.spec import QuestionSpec

# Every character GIFT treats specially, plus ordinary and non-Latin text.
SPECIAL = [*"\\~=#{}:%[]->_/* \t\n", "[html]", "[markdown]", "::", "//", "####", "->", "..", "\\n", "$CATEGORY:"]
_chars = st.characters(blacklist_categories=("Cs", "Cc"))
_raw = st.lists(st.one_of(_chars, st.sampled_from(SPECIAL)), min_size=1, max_size=12).map("".join)


def _clean(text: str) -> str:
    return text.strip()


texts = _raw.map(_clean).filter(bool)
optional_texts = st.one_of(st.just(""), texts)
single_line = texts.map(lambda t: " ".join(t.split("\n"))).map(_clean).filter(bool)
no_arrow = texts.filter(lambda t: "->" not in t)
weights = st.floats(min_value=-100, max_value=100, allow_nan=False).map(qtypes.round_weight)
positive_weights = st.floats(min_value=0, max_value=100, allow_nan=False).map(qtypes.round_weight)
numbers = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def single_data(draw):
    right = {"text": draw(texts), "weight": 100.0, "feedback": draw(optional_texts)}
    others = draw(
        st.lists(
            st.fixed_dictionaries(
                {"text": texts, "weight": weights.filter(lambda w: w != 100), "feedback": optional_texts}
            ),
            min_size=1,
            max_size=4,
        )
    )
    choices = [right, *others]
    return {"choices": draw(st.permutations(choices))}


@st.composite
def multiple_data(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=count - 1, max_size=count - 1, unique=True)))
    positives = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    choices = [{"text": draw(texts), "weight": float(w), "feedback": draw(optional_texts)} for w in positives]
    extra = draw(
        st.lists(
            st.fixed_dictionaries(
                {"text": texts, "weight": weights.filter(lambda w: w <= 0), "feedback": optional_texts}
            ),
            max_size=3,
        )
    )
    all_choices = choices + extra
    if len(all_choices) < 2:
        all_choices.append({"text": draw(texts), "weight": 0.0, "feedback": ""})
    return {"choices": draw(st.permutations(all_choices))}


truefalse_data = st.fixed_dictionaries(
    {"answer": st.booleans(), "feedback_right": optional_texts, "feedback_wrong": optional_texts}
)


@st.composite
def short_data(draw):
    first = {"text": draw(no_arrow), "weight": 100.0, "feedback": draw(optional_texts.filter(lambda t: "->" not in t))}
    more = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "text": no_arrow,
                    "weight": positive_weights,
                    "feedback": optional_texts.filter(lambda t: "->" not in t),
                }
            ),
            max_size=3,
        )
    )
    return {"answers": draw(st.permutations([first, *more])), "case_sensitive": draw(st.booleans())}


@st.composite
def numeric_answer(draw, weight=None):
    w = weight if weight is not None else draw(positive_weights)
    if draw(st.booleans()):
        low, high = sorted([draw(numbers), draw(numbers)])
        answer = {"min": low, "max": high}
    else:
        answer = {"value": draw(numbers), "tolerance": abs(draw(numbers))}
    answer.update(weight=w, feedback=draw(optional_texts))
    return answer


@st.composite
def numerical_data(draw):
    answers = [draw(numeric_answer(weight=100.0)), *draw(st.lists(numeric_answer(), max_size=2))]
    return {"answers": draw(st.permutations(answers)), "feedback_wrong": draw(optional_texts)}


@st.composite
def matching_data(draw):
    pairs = draw(st.lists(st.fixed_dictionaries({"left": no_arrow, "right": texts}), min_size=2, max_size=4))
    extra = draw(st.lists(st.fixed_dictionaries({"left": st.just(""), "right": texts}), max_size=2))
    return {"pairs": pairs + extra}


DATA = {
    QuestionType.SINGLE: single_data(),
    QuestionType.MULTIPLE: multiple_data(),
    QuestionType.TRUEFALSE: truefalse_data,
    QuestionType.SHORT: short_data(),
    QuestionType.NUMERICAL: numerical_data(),
    QuestionType.MATCHING: matching_data(),
    QuestionType.ESSAY: st.just({}),
}

keys = st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_.:-]{1,20}", fullmatch=True))
tags = st.lists(st.from_regex(r"[A-Za-z0-9_.-]{1,8}", fullmatch=True), unique=True, max_size=3)
categories = st.one_of(
    st.just(""),
    single_line.filter(lambda c: not c.startswith(("$", "top/")) and c != "top" and "\\n" not in c),
)


@st.composite
def question_specs(draw):
    qtype = draw(st.sampled_from(list(QuestionType)))
    return QuestionSpec(
        type=qtype,
        title=draw(single_line.filter(lambda t: len(t) <= 255)),
        text=draw(texts),
        data=draw(DATA[qtype]),
        text_format=draw(st.sampled_from(list(TextFormat))),
        general_feedback=draw(optional_texts),
        category=draw(categories),
        tags=draw(tags),
        key=draw(keys),
        points=draw(st.floats(min_value=0.01, max_value=1000, allow_nan=False)),
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(question_specs(), min_size=1, max_size=5))
def test_export_then_import_gives_the_same_questions(specs):
    for spec in specs:
        assert qtypes.validate(spec.type, spec.data) == []
    result = parse(dumps(specs))
    assert result.errors == []
    assert result.questions == specs


@pytest.mark.parametrize("literal", ["\ue000", "\ue003\ue00f", "a\ue00fb", "\\\ue001{"])
def test_private_use_characters_typed_in_a_file_survive_the_round_trip(literal):
    """The parser's own placeholders, when they appear in the text itself, are kept as typed."""
    spec = QuestionSpec(
        type=QuestionType.MULTIPLE,
        title="Unit costs",
        text=f"Which apply {literal}?",
        data={
            "choices": [
                {"text": "0", "weight": 100.0, "feedback": ""},
                {"text": literal, "weight": 0.0, "feedback": literal},
            ]
        },
        text_format=TextFormat.MOODLE,
    )
    result = parse(dumps([spec]))
    assert result.errors == []
    (back,) = result.questions
    assert back.text == spec.text
    assert back.data["choices"][1] == {"text": literal, "weight": 0.0, "feedback": literal}
