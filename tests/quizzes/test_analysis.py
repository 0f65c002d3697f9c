"""Item analysis against a hand-computed example, the histogram and the CSV export."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime

import pytest

from academy.quizzes import analysis
from tests.factories import create_user
from tests.quizzes.factories import create_course, create_question, create_quiz, enrol, take_attempt

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _quiz_with_attempts(title: str = "Final", rows=None, question_titles=None):
    course = create_course()
    rows = rows or [
        # Q1 Q2 Q3 Q4 Q5: 1 = right. Q4 everyone gets right, Q5 nobody.
        (1, 1, 1, 1, 0),  # 80%
        (1, 1, 0, 1, 0),  # 60%
        (1, 0, 0, 1, 0),  # 40%
        (0, 0, 0, 1, 0),  # 20%
    ]
    titles = question_titles or [f"Q{i}" for i in range(1, len(rows[0]) + 1)]
    questions = [create_question(course, title=t) for t in titles]
    quiz = create_quiz(course, questions=questions, title=title)
    for row in rows:
        user = create_user()
        enrol(user, course)
        # Choice 0 is right and choice 1 wrong in the factory's single-choice question.
        take_attempt(quiz, user, {i + 1: 0 if right else 1 for i, right in enumerate(row)}, now=T0)
    return quiz


def test_item_analysis_matches_the_hand_computed_example(db):
    stats = analysis.analyse(_quiz_with_attempts())
    assert stats.attempts == 4
    assert stats.mean_percent == 50.0
    by_title = {q.title: q for q in stats.questions}
    # Facility = mean score / max score.
    assert [by_title[f"Q{i}"].facility for i in range(1, 6)] == [0.75, 0.5, 0.25, 1.0, 0.0]
    # Discrimination = r(question score, rest of the attempt), computed by hand:
    # Q1: x = 1,1,1,0; rest = 3,2,1,1 -> r = 0.75 / sqrt(0.75 * 2.75)
    assert by_title["Q1"].discrimination == pytest.approx(0.75 / math.sqrt(0.75 * 2.75))
    # Q2: x = 1,1,0,0; rest = 3,2,2,1 -> r = 1 / sqrt(1 * 2)
    assert by_title["Q2"].discrimination == pytest.approx(1 / math.sqrt(2))
    # Q3: x = 1,0,0,0; rest = 3,3,2,1 -> r = 0.75 / sqrt(0.75 * 2.75)
    assert by_title["Q3"].discrimination == pytest.approx(0.75 / math.sqrt(0.75 * 2.75))
    assert by_title["Q4"].discrimination is None  # no variation
    # Alpha: k = 5, item variances 3/16 + 1/4 + 3/16 + 0 + 0 = 5/8, totals 4,3,2,1 have variance 5/4.
    assert stats.alpha == pytest.approx(5 / 4 * (1 - (5 / 8) / (5 / 4)))
    assert by_title["Q4"].flags == ["Very easy"]
    assert by_title["Q5"].flags == ["Very hard"]
    assert by_title["Q1"].flags == []
    assert by_title["Q2"].sd == pytest.approx(0.5)


def test_low_discrimination_is_flagged(db):
    stats = analysis.analyse(_quiz_with_attempts(rows=[(1, 0), (1, 0), (0, 1)]))
    by_title = {q.title: q for q in stats.questions}
    assert by_title["Q2"].discrimination == pytest.approx(-1.0)
    assert "Low discrimination" in by_title["Q2"].flags


def test_histogram_bands():
    assert analysis.histogram([0, 9.99, 10, 55, 100, 100]) == [
        ("0–10%", 2),
        ("10–20%", 1),
        ("20–30%", 0),
        ("30–40%", 0),
        ("40–50%", 0),
        ("50–60%", 1),
        ("60–70%", 0),
        ("70–80%", 0),
        ("80–90%", 0),
        ("90–100%", 2),
    ]


def test_histogram_svg_is_accessible_and_escaped():
    svg = str(analysis.histogram_svg([("0–10%", 3), ("10–20%", 0)], title="Scores <b>", description="3 & 0"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="hist-title hist-desc"' in svg
    assert '<title id="hist-title">Scores &lt;b&gt;</title>' in svg
    assert '<desc id="hist-desc">3 &amp; 0</desc>' in svg
    assert svg.count("<rect") == 2


def test_alpha_and_correlation_edge_cases():
    assert analysis.cronbach_alpha([[1, 1]]) is None
    assert analysis.cronbach_alpha([[1], [0]]) is None
    assert analysis.cronbach_alpha([[1, 1], [1, 1]]) is None
    assert analysis.correlation([1.0], [2.0]) is None


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Plain", "Plain"),
        (0.5, "0.5000"),
        (-0.25, "-0.2500"),  # numbers we format ourselves are not formulas
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cells_are_neutralised(value, cell):
    assert analysis.csv_cell(value) == cell


def test_csv_export(db):
    quiz = _quiz_with_attempts(title="@Final", question_titles=["=1+1", "Q2", "Q3", "Q4", "Q5"])
    rows = list(csv.reader(io.StringIO(analysis.stats_csv(quiz, analysis.analyse(quiz)))))
    assert rows[0][:3] == ["quiz", "question", "type"]
    assert rows[1][:2] == ["'@Final", "'=1+1"]
    assert ["cronbach alpha", "0.6250"] in rows
