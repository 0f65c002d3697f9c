"""Grading of every question type, with partial and negative credit, and grading across attempts."""

from __future__ import annotations

import pytest

from academy.quizzes import grading
from academy.quizzes.grading import Grade, combine_attempts, grade, parse_number, short_answer_matches

SINGLE = {
    "choices": [
        {"text": "Lead partner", "weight": 100.0, "feedback": "Right."},
        {"text": "Managing authority", "weight": 50.0, "feedback": "Half right."},
        {"text": "Auditor", "weight": 0.0, "feedback": ""},
        {"text": "Nobody", "weight": -50.0, "feedback": "Never."},
    ]
}


@pytest.mark.parametrize(
    ("answer", "fraction", "feedback"),
    [
        (0, 1.0, ["Right."]),
        (1, 0.5, ["Half right."]),
        (2, 0.0, []),
        (3, 0.0, ["Never."]),  # a negative weight counts as 0 in a single-choice question
        (None, 0.0, []),
        (9, 0.0, []),  # out of range
        (True, 0.0, []),  # not an index
        ("0", 0.0, []),
    ],
)
def test_single_choice(answer, fraction, feedback):
    assert grade("single", SINGLE, answer) == Grade(fraction, feedback)


MULTIPLE = {
    "choices": [
        {"text": "Staff costs", "weight": 50.0, "feedback": "Yes."},
        {"text": "Office costs", "weight": 50.0, "feedback": ""},
        {"text": "Travel", "weight": 0.0, "feedback": ""},
        {"text": "Fines", "weight": -100.0, "feedback": "Not eligible."},
        {"text": "Interest", "weight": -25.0, "feedback": ""},
    ]
}


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [
        ([0, 1], 1.0),
        ([0], 0.5),
        ([0, 1, 2], 1.0),  # a 0% choice costs nothing
        ([0, 1, 4], 0.75),  # negative weight subtracts
        ([0, 4], 0.25),
        ([0, 3], 0.0),  # 50 - 100 = -50: floored at 0
        ([3, 4], 0.0),
        ([1, 1, 0], 1.0),  # duplicates count once
        ([], 0.0),
        (None, 0.0),
        ([0, 99], 0.5),  # unknown index ignored
    ],
)
def test_multiple_response_weights_and_floor(answer, fraction):
    assert grade("multiple", MULTIPLE, answer).fraction == fraction


def test_multiple_response_feedback_for_each_chosen_answer():
    assert grade("multiple", MULTIPLE, [3, 0]).feedback == ["Yes.", "Not eligible."]


@pytest.mark.parametrize(
    ("right", "answer", "fraction", "feedback"),
    [
        (True, True, 1.0, ["Good."]),
        (True, False, 0.0, ["Bad."]),
        (False, False, 1.0, ["Good."]),
        (False, True, 0.0, ["Bad."]),
        (True, None, 0.0, []),
        (True, "true", 0.0, []),
    ],
)
def test_true_false(right, answer, fraction, feedback):
    data = {"answer": right, "feedback_right": "Good.", "feedback_wrong": "Bad."}
    assert grade("truefalse", data, answer) == Grade(fraction, feedback)


SHORT = {
    "answers": [
        {"text": "Joint Secretariat", "weight": 100.0, "feedback": "Exactly."},
        {"text": "JS", "weight": 100.0, "feedback": ""},
        {"text": "*secretariat*", "weight": 50.0, "feedback": "Which one?"},
        {"text": "2\\*3", "weight": 100.0, "feedback": "literal"},
    ],
    "case_sensitive": False,
}


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [
        ("Joint Secretariat", 1.0),
        ("joint secretariat", 1.0),  # case-insensitive by default
        ("  JOINT   Secretariat ", 1.0),  # outer and repeated spaces do not matter
        ("js", 1.0),
        ("the secretariat of the programme", 0.5),  # wildcard, lower weight
        ("Joint Secretariat office", 0.5),  # only the wildcard matches
        ("secretary", 0.0),
        ("", 0.0),
        (None, 0.0),
        ("2*3", 1.0),  # \* is a literal asterisk
        ("2x3", 0.0),
    ],
)
def test_short_answer(answer, fraction):
    assert grade("short", SHORT, answer).fraction == fraction


def test_short_answer_best_weight_wins_and_gives_its_feedback():
    data = {
        "answers": [
            {"text": "*", "weight": 0.0, "feedback": "Anything else is wrong."},
            {"text": "Interact", "weight": 100.0, "feedback": "Right."},
        ],
        "case_sensitive": False,
    }
    assert grade("short", data, "interact") == Grade(1.0, ["Right."])
    assert grade("short", data, "keep.eu") == Grade(0.0, ["Anything else is wrong."])


def test_short_answer_case_sensitive_when_asked():
    data = {"answers": [{"text": "ICON", "weight": 100.0, "feedback": ""}], "case_sensitive": True}
    assert grade("short", data, "ICON").fraction == 1.0
    assert grade("short", data, "icon").fraction == 0.0


def test_short_answer_case_folding_handles_unicode():
    assert short_answer_matches("Straße", "STRASSE")
    assert short_answer_matches("Öffentlich*", "öffentlichkeitsarbeit")
    # Regex characters in an accepted answer are literal.
    assert short_answer_matches("a.b (c)", "A.B (C)")
    assert not short_answer_matches("a.b", "axb")


NUMERICAL = {
    "answers": [
        {"value": 1822.0, "tolerance": 0.0, "weight": 100.0, "feedback": "Exactly."},
        {"value": 1822.0, "tolerance": 2.0, "weight": 50.0, "feedback": "Close."},
        {"min": 1700.0, "max": 1799.0, "weight": 0.0, "feedback": "A century too early."},
    ],
    "feedback_wrong": "No.",
}


@pytest.mark.parametrize(
    ("answer", "fraction", "feedback"),
    [
        ("1822", 1.0, ["Exactly."]),
        ("1822.0", 1.0, ["Exactly."]),
        ("1 822", 1.0, ["Exactly."]),
        ("1823", 0.5, ["Close."]),
        ("1824", 0.5, ["Close."]),  # tolerance bounds are included
        ("1824.01", 0.0, ["No."]),
        ("1750", 0.0, ["A century too early."]),  # a 0% answer gives its own feedback
        ("1820,5", 0.5, ["Close."]),  # decimal comma
        ("abc", 0.0, ["No."]),
        ("1,000.5", 0.0, ["No."]),  # ambiguous separators are refused
        ("", 0.0, []),
        (None, 0.0, []),
    ],
)
def test_numerical(answer, fraction, feedback):
    assert grade("numerical", NUMERICAL, answer) == Grade(fraction, feedback)


def test_numerical_range_and_float_noise():
    data = {"answers": [{"min": 0.3, "max": 0.5, "weight": 100.0, "feedback": ""}], "feedback_wrong": ""}
    assert grade("numerical", data, str(0.1 + 0.2)).fraction == 1.0  # 0.30000000000000004
    assert grade("numerical", data, "0.5").fraction == 1.0
    assert grade("numerical", data, "0.51").fraction == 0.0
    assert grade("numerical", data, "-0.4").fraction == 0.0


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3.0), ("-3.5", -3.5), ("3,5", 3.5), ("1e3", 1000.0), (".5", 0.5), ("\u22122", -2.0), ("nan", None),
     ("inf", None), ("1e999", None), ("", None), ("3.", 3.0), ("1,2,3", None)],
)  # fmt: skip
def test_parse_number(text, value):
    assert parse_number(text) == value


MATCHING = {
    "pairs": [
        {"left": "HIT", "right": "Harmonised tools"},
        {"left": "Jems", "right": "Monitoring system"},
        {"left": "keep.eu", "right": "Project database"},
        {"left": "", "right": "Payment platform"},  # extra wrong option
    ]
}


def test_matching_options_and_items():
    assert grading.matching_options(MATCHING) == [
        "Harmonised tools",
        "Monitoring system",
        "Project database",
        "Payment platform",
    ]
    assert grading.matching_items(MATCHING) == [0, 1, 2]


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [
        ({"0": 0, "1": 1, "2": 2}, 1.0),
        ({"0": 0, "1": 2, "2": 1}, round(1 / 3, 7)),
        ({"0": 3, "1": 1}, round(1 / 3, 7)),  # unanswered item counts as wrong
        ({"0": 1, "1": 0, "2": 3}, 0.0),
        ({"3": 3}, 0.0),  # a distractor is not an item
        ({}, 0.0),
        (None, 0.0),
    ],
)
def test_matching(answer, fraction):
    assert grade("matching", MATCHING, answer).fraction == fraction


def test_matching_duplicate_right_sides_share_one_option():
    data = {"pairs": [{"left": "ERDF", "right": "Fund"}, {"left": "IPA", "right": "Fund"}]}
    assert grading.matching_options(data) == ["Fund"]
    assert grade("matching", data, {"0": 0, "1": 0}).fraction == 1.0


def test_essay_waits_for_a_trainer_unless_empty():
    assert grade("essay", {}, "My answer about Interreg branding.") == Grade(None)
    assert grade("essay", {}, "   ") == Grade(0.0)
    assert grade("essay", {}, None) == Grade(0.0)


def test_unknown_type_is_an_error():
    with pytest.raises(ValueError):
        grade("hotspot", {}, None)


def test_score_rounds_fraction_times_points():
    assert grading.score(1 / 3, 3) == 1.0
    assert grading.score(0.5, 2.5) == 1.25
    assert grading.score(None, 2) is None


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 80.0), ("last", 60.0), ("first", 40.0), ("average", 60.0)],
)
def test_grading_methods_across_attempts(method, expected):
    assert combine_attempts(method, [40.0, 80.0, 60.0]) == expected


def test_grading_methods_without_attempts_and_unknown():
    assert combine_attempts("highest", []) is None
    with pytest.raises(ValueError):
        combine_attempts("median", [1.0])
