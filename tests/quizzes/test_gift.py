"""GIFT, feature by feature: what Moodle's format says, what we read, what we write back."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy.quizzes.gift import dumps, parse
from academy.quizzes.models import QuestionType, TextFormat
from academy.quizzes.spec import QuestionSpec

EXAMPLE = Path(__file__).parent / "data" / "every_feature.gift"


def one(source: str) -> QuestionSpec:
    result = parse(source)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def refused(source: str) -> str:
    result = parse(source)
    assert result.questions == []
    assert len(result.errors) == 1
    return result.errors[0].reason


def test_title_and_text():
    q = one("::Lead partner:: Who reports? {=The lead partner ~Each partner}")
    assert (q.title, q.text) == ("Lead partner", "Who reports?")


def test_title_defaults_to_the_text():
    q = one("Who reports to the joint secretariat? {=The lead partner ~Each partner}")
    assert q.title == "Who reports to the joint secretariat?"


def test_comments_are_ignored_but_keep_a_question_together():
    q = one("// a note for authors\n::T:: Text {=a ~b}\n// trailing note")
    assert q.text == "Text"


def test_a_comment_block_alone_is_not_a_question():
    assert parse("// only a comment\n// and another").questions == []


def test_category_applies_to_following_questions_and_drops_moodle_prefix():
    result = parse("$CATEGORY: $course$/top/Finance/SCO\n\n::A:: a {T}\n\n$CATEGORY: Audit\n\n::B:: b {F}")
    assert [q.category for q in result.questions] == ["Finance/SCO", "Audit"]


def test_category_line_directly_above_a_question():
    result = parse("$CATEGORY: Finance\n::A:: a {T}")
    assert [(q.title, q.category) for q in result.questions] == [("A", "Finance")]


@pytest.mark.parametrize("fmt", ["markdown", "html", "plain", "moodle"])
def test_text_formats(fmt):
    q = one(f"::T:: [{fmt}]Some *text* {{T}}")
    assert q.text_format == TextFormat(fmt)
    assert q.text == "Some *text*"


def test_default_format_is_moodle_and_unknown_bracket_is_text():
    q = one("::T:: [note] Read this {T}")
    assert q.text_format == TextFormat.MOODLE
    assert q.text == "[note] Read this"


def test_single_choice_with_answer_feedback_and_general_feedback():
    q = one("::T:: Q? {=right # well done ~wrong # sorry ~%50%half#so-so ####Because.}")
    assert q.type == QuestionType.SINGLE
    assert q.data["choices"] == [
        {"text": "right", "weight": 100.0, "feedback": "well done"},
        {"text": "wrong", "weight": 0.0, "feedback": "sorry"},
        {"text": "half", "weight": 50.0, "feedback": "so-so"},
    ]
    assert q.general_feedback == "Because."


def test_multiple_response_weights_including_negative():
    q = one("::T:: Q? {~%33.33333%a ~%33.33333%b ~%-100%c ~%33.33334%d ~e}")
    assert q.type == QuestionType.MULTIPLE
    assert [c["weight"] for c in q.data["choices"]] == [33.33333, 33.33333, -100.0, 33.33334, 0.0]


def test_missing_word_question():
    q = one("::T:: The {~auditor =lead partner} signs the agreement.")
    assert q.type == QuestionType.SINGLE
    assert q.text == "The _____ signs the agreement."


def test_true_false_forms_and_feedback():
    assert one("::T:: S {T}").data["answer"] is True
    assert one("::T:: S {TRUE}").data["answer"] is True
    assert one("::T:: S {F}").data["answer"] is False
    assert one("::T:: S {FALSE}").data["answer"] is False
    q = one("::T:: S {FALSE#wrong fb#right fb####general}")
    assert q.data == {"answer": False, "feedback_wrong": "wrong fb", "feedback_right": "right fb"}
    assert q.general_feedback == "general"


def test_short_answer_several_answers_weights_and_wildcard():
    q = one("::T:: Who? {=Jems =%50%*electronic*#close}")
    assert q.type == QuestionType.SHORT
    assert q.data == {
        "answers": [
            {"text": "Jems", "weight": 100.0, "feedback": ""},
            {"text": "*electronic*", "weight": 50.0, "feedback": "close"},
        ],
        "case_sensitive": False,
    }


def test_case_sensitive_short_answer_comment():
    assert one("// [case-sensitive]\n::T:: Q {=ICON}").data["case_sensitive"] is True


def test_numerical_tolerance():
    q = one("::T:: Q {#3:2}")
    assert q.type == QuestionType.NUMERICAL
    assert q.data["answers"] == [{"value": 3.0, "tolerance": 2.0, "weight": 100.0, "feedback": ""}]


def test_numerical_range():
    q = one("::T:: Q {#1..5}")
    assert q.data["answers"] == [{"min": 1.0, "max": 5.0, "weight": 100.0, "feedback": ""}]


def test_numerical_multiple_answers_partial_credit_and_wrong_feedback():
    q = one("::T:: Born? {#\n=1822:0 # exact\n=%50%1822:2 # close\n~# no\n####gf\n}")
    assert q.data == {
        "answers": [
            {"value": 1822.0, "tolerance": 0.0, "weight": 100.0, "feedback": "exact"},
            {"value": 1822.0, "tolerance": 2.0, "weight": 50.0, "feedback": "close"},
        ],
        "feedback_wrong": "no",
    }
    assert q.general_feedback == "gf"


def test_numerical_negative_and_exact():
    assert one("::T:: Q {#-4}").data["answers"][0] == {"value": -4.0, "tolerance": 0.0, "weight": 100.0, "feedback": ""}
    assert one("::T:: Q {#-5..-1}").data["answers"][0]["min"] == -5.0


def test_numerical_not_a_number_is_refused():
    assert "is not a number" in refused("::T:: Q {#three}")


def test_matching_with_an_extra_option():
    q = one("::T:: Match {=HIT -> tools =keep.eu -> projects = -> payments}")
    assert q.type == QuestionType.MATCHING
    assert q.data["pairs"] == [
        {"left": "HIT", "right": "tools"},
        {"left": "keep.eu", "right": "projects"},
        {"left": "", "right": "payments"},
    ]


def test_essay():
    q = one("::T:: Explain {}")
    assert q.type == QuestionType.ESSAY
    assert q.data == {}
    assert one("::T:: Explain {####Look at the seeds.}").general_feedback == "Look at the seeds."


def test_escapes():
    q = one(r"::A\:B:: Is 1\=1 \{really\} \~ \#1? {=yes\# # it\~s ~no}")
    assert q.title == "A:B"
    assert q.text == "Is 1=1 {really} ~ #1?"
    assert q.data["choices"][0] == {"text": "yes#", "weight": 100.0, "feedback": "it~s"}


def test_backslash_and_newline_escapes():
    q = one(r"::T:: Line one\nLine two with a \\ backslash {T}")
    assert q.text == "Line one\nLine two with a \\ backslash"


def test_multi_line_question():
    q = one("::T:: First line\nsecond line\n{\n  =a\n  ~b\n}")
    assert q.text == "First line\nsecond line"


def test_tags_id_and_points_from_comments():
    q = one("// [id:sco-1] [tag:LO1]\n// [tag:LO2]\n// [points:2.5]\n::T:: Q {T}")
    assert (q.key, q.tags, q.points) == ("sco-1", ["LO1", "LO2"], 2.5)


def test_each_refused_question_reports_its_line_and_the_rest_is_read():
    source = "::A:: ok {T}\n\n::B:: no answers here\n\n\n::C:: broken { =a\n\n::D:: fine {F}\n"
    result = parse(source)
    assert [q.title for q in result.questions] == ["A", "D"]
    assert [(e.line, e.title) for e in result.errors] == [(3, "B"), (6, "C")]
    assert "descriptions" in result.errors[0].reason
    assert "braces" in result.errors[1].reason


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("::T:: Q {=a}}", "only one answer block"),
        ("::T Q {T}", "title is not closed"),
        ("::T:: {T}", "no text"),
        ("::T:: Q {~a}", "at least two answers"),
        ("::T:: Q {~a ~b}", "add up to 100%"),
        ("::T:: Q {=a -> b =c}", "needs “->”"),
        ("::T:: Q {=a -> b}", "at least two pairs"),
        ("::T:: Q {junk ~a =b}", "text before the first answer"),
        ("// [points:0]\n::T:: Q {T}", "Points must be"),
        ("// [id:bad key!]\n::T:: Q {T}", "The id"),
        ("::T:: Q {#1..x}", "not a range"),
    ],
)
def test_refusal_reasons(source, reason):
    assert reason in refused(source)


def test_crlf_and_bom_are_accepted():
    q = one("\ufeff::T:: Q {\r\n=a\r\n~b\r\n}\r\n")
    assert q.data["choices"][1]["text"] == "b"


def test_example_file_reads_completely():
    result = parse(EXAMPLE.read_text(encoding="utf-8"))
    assert result.errors == []
    by_key = {q.key: q for q in result.questions}
    assert len(by_key) == 12
    assert {q.type for q in result.questions} == set(QuestionType)
    assert by_key["report-lead"].category == "Reporting"
    assert by_key["sco-rate"].category == "Reporting/Numbers"
    assert by_key["tools-match"].category == "Tools"
    assert by_key["eligible-costs"].tags == ["LO1", "LO2"]
    assert by_key["eligible-costs"].points == 2.0
    assert by_key["icon-case"].data["case_sensitive"] is True
    assert by_key["icon-case"].text_format == TextFormat.PLAIN
    assert by_key["jems-short"].text.endswith("for programmes of the 2021-2027 period?")
    assert by_key["missing-word"].text.startswith("The _____ signs")
    assert by_key["escapes"].title == "Escapes: special characters"
    assert [c["text"] for c in by_key["escapes"].data["choices"]] == ["{", "}", "=", "#"]
    assert by_key["essay-branding"].points == 5.0


def test_example_file_round_trips():
    first = parse(EXAMPLE.read_text(encoding="utf-8")).questions
    again = parse(dumps(first))
    assert again.errors == []
    assert again.questions == first


def test_writer_output_is_readable_gift():
    spec = QuestionSpec(
        type=QuestionType.SINGLE,
        title="Who: reports?",
        text="Text with {braces} and = and ~",
        data={
            "choices": [{"text": "a", "weight": 100.0, "feedback": "ok"}, {"text": "b", "weight": 0.0, "feedback": ""}]
        },
        tags=["LO1"],
        key="k1",
        category="Reporting",
    )
    assert dumps([spec]) == (
        "$CATEGORY: Reporting\n\n"
        "// [id:k1]\n// [tag:LO1]\n"
        "::Who\\: reports?:: Text with \\{braces\\} and \\= and \\~ {\n\t=a#ok\n\t~b\n}\n"
    )
