"""The question bank: versions, outcome tags, GIFT import (both modes), export, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.exceptions import ServiceError
from academy.quizzes.models import Question, QuestionType, QuestionVersion
from academy.quizzes.services import bank
from academy.quizzes.spec import QuestionSpec
from tests.quizzes.factories import (
    create_course,
    create_learner,
    create_question,
    create_quiz,
    outcome_key,
    take_attempt,
)

EXAMPLE = Path(__file__).parent / "data" / "every_feature.gift"


def _spec(**overrides) -> QuestionSpec:
    values = {
        "type": QuestionType.TRUEFALSE,
        "title": "Lead partner",
        "text": "Every project has one lead partner.",
        "data": {"answer": True, "feedback_right": "", "feedback_wrong": ""},
    }
    values.update(overrides)
    return QuestionSpec(**values)


def test_question_needs_a_known_outcome(db):
    course = create_course()
    with pytest.raises(ServiceError, match="at least one learning outcome"):
        bank.create_question(course, _spec(), [])
    with pytest.raises(ServiceError, match="Unknown learning outcome"):
        bank.create_question(course, _spec(), ["nope"])
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_invalid_question_is_refused(db):
    course = create_course()
    spec = _spec(type=QuestionType.SINGLE, data={"choices": [{"text": "only", "weight": 100.0, "feedback": ""}]})
    with pytest.raises(ServiceError, match="at least two answers"):
        bank.create_question(course, spec, [outcome_key("LO1")])


def test_editing_an_unused_question_changes_it_in_place(db):
    course = create_course()
    question = create_question(course, type="truefalse")
    bank.update_question(question, _spec(title="Renamed"), [outcome_key("LO2")])
    db.session.commit()
    assert [v.number for v in question.versions] == [1]
    assert question.current_version.title == "Renamed"
    assert question.current_version.outcome_keys == [outcome_key("LO2")]


def test_editing_a_used_question_creates_a_version_and_old_attempts_keep_theirs(db):
    course = create_course()
    question = create_question(course, type="truefalse", title="Old title")
    quiz = create_quiz(course, questions=[question])
    learner = create_learner(course)
    attempt = take_attempt(quiz, learner, {1: True})
    old_version_id = attempt.responses[0].question_version_id

    bank.update_question(
        question,
        _spec(title="New title", data={"answer": False, "feedback_right": "", "feedback_wrong": ""}),
        [outcome_key("LO1")],
    )
    db.session.commit()

    assert [v.number for v in question.versions] == [1, 2]
    assert question.current_version.title == "New title"
    old = db.session.get(QuestionVersion, old_version_id)
    assert old.title == "Old title" and old.data["answer"] is True
    db.session.refresh(attempt)
    assert attempt.responses[0].question_version_id == old_version_id
    assert attempt.percent == 100.0


def test_an_edit_that_changes_nothing_makes_no_version(db):
    course = create_course()
    question = create_question(course, type="truefalse", title="Same", text="Same text.")
    quiz = create_quiz(course, questions=[question])
    take_attempt(quiz, create_learner(course), {1: True})
    spec = bank.spec_for(question, {})
    bank.update_question(question, spec, list(question.current_version.outcome_keys))
    assert [v.number for v in question.versions] == [1]


def test_categories_list_parents(db):
    course = create_course()
    create_question(course, category="Finance/SCO")
    create_question(course, category="Audit")
    assert bank.categories(course) == ["Audit", "Finance", "Finance/SCO"]
    assert len(bank.list_questions(course, category="Finance")) == 1
    assert len(bank.list_questions(course, category="Fin")) == 0


def test_import_example_file_maps_tags_to_outcome_keys(db):
    course = create_course()
    report = bank.import_gift(course, EXAMPLE.read_text())
    db.session.commit()
    assert report.errors == [] and report.saved
    assert report.count == {"create": 12, "update": 0, "unchanged": 0}
    question = db.session.scalar(select(Question).where(Question.key == "eligible-costs"))
    assert question.current_version.outcome_keys == [outcome_key("LO1"), outcome_key("LO2")]
    assert question.current_version.points == 2.0


def test_import_matches_tags_by_code_or_key_case_insensitively(db):
    course = create_course()
    report = bank.import_gift(course, f"// [tag:lo2]\n// [tag:{outcome_key('LO3')}]\n::T:: S {{T}}")
    assert report.errors == []
    assert report.items[0].outcome_keys == [outcome_key("LO2"), outcome_key("LO3")]


BAD_AND_GOOD = """// [tag:LO1]
::Good one:: S {T}

// [tag:LO9]
::Unknown tag:: S {T}

::Untagged:: S {T}

// [tag:LO1]
::Broken:: S {=a

// [tag:LO1]
// [id:dup]
::First dup:: S {T}

// [tag:LO1]
// [id:dup]
::Second dup:: S {F}
"""


def test_import_reports_each_refused_question_with_line_and_reason(db):
    course = create_course()
    report = bank.read_gift(course, BAD_AND_GOOD)
    assert [(e.line, e.title) for e in report.errors] == [
        (5, "Unknown tag"),
        (7, "Untagged"),
        (10, "Broken"),
        (18, "Second dup"),
    ]
    assert "LO9 matches no learning outcome of the course (LO1, LO2, LO3)" in report.errors[0].reason
    assert "no // [tag:...]" in report.errors[1].reason
    assert "used by an earlier question" in report.errors[3].reason
    assert [i.spec.title for i in report.items] == ["Good one", "First dup"]


def test_import_the_rest(db):
    course = create_course()
    report = bank.import_gift(course, BAD_AND_GOOD, mode=bank.IMPORT_VALID_ONLY)
    db.session.commit()
    assert report.saved
    assert sorted(q.current_version.title for q in bank.list_questions(course)) == ["First dup", "Good one"]


def test_import_nothing_when_any_question_is_refused(db):
    course = create_course()
    report = bank.import_gift(course, BAD_AND_GOOD, mode=bank.IMPORT_ALL_OR_NOTHING)
    db.session.commit()
    assert not report.saved
    assert bank.list_questions(course) == []


def test_reimport_with_ids_updates_or_leaves_unchanged(db):
    course = create_course()
    bank.import_gift(course, EXAMPLE.read_text())
    db.session.commit()
    again = bank.import_gift(course, EXAMPLE.read_text())
    assert again.count == {"create": 0, "update": 0, "unchanged": 12}
    edited = EXAMPLE.read_text().replace("Who submits the progress report", "Who sends the progress report")
    report = bank.import_gift(course, edited)
    db.session.commit()
    assert report.count == {"create": 0, "update": 1, "unchanged": 11}
    question = db.session.scalar(select(Question).where(Question.key == "report-lead"))
    assert question.current_version.text.startswith("Who sends")


def test_export_then_import_into_another_course_gives_the_same_questions(db):
    source = create_course()
    bank.import_gift(source, EXAMPLE.read_text())
    create_question(source, type="essay", text="Describe <b>branding</b> & logos", category="Free/Text", points=3)
    db.session.commit()
    exported = bank.export_gift(source)

    target = create_course()
    report = bank.import_gift(target, exported)
    db.session.commit()
    assert report.errors == []

    def content(course):
        to_code, _ = bank.outcome_code_map(course)
        return sorted((bank.spec_for(q, to_code) for q in bank.list_questions(course)), key=lambda s: s.key)

    assert content(target) == content(source)


def test_archived_questions_leave_the_bank_but_not_attempts(db):
    course = create_course()
    question = create_question(course)
    bank.archive_question(question)
    db.session.commit()
    assert bank.list_questions(course) == []
    assert bank.list_questions(course, include_archived=True) == [question]


def test_cli_import_and_export(app, db, tmp_path):
    course = create_course(slug="sco")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["academy", "quizzes", "import-gift", "sco", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "12 new" in result.output
    assert len(bank.list_questions(course)) == 12

    out = tmp_path / "out.gift"
    result = runner.invoke(args=["academy", "quizzes", "export-gift", "sco", str(out)])
    assert result.exit_code == 0, result.output
    assert "// [id:report-lead]" in out.read_text()


def test_cli_import_all_or_nothing_fails_and_reports_lines(app, db, tmp_path):
    create_course(slug="sco")
    bad = tmp_path / "bad.gift"
    bad.write_text(BAD_AND_GOOD)
    result = app.test_cli_runner().invoke(args=["academy", "quizzes", "import-gift", "sco", str(bad), "--mode", "all"])
    assert result.exit_code == 1
    assert f"{bad}:5: Unknown tag:" in result.output
    assert "Nothing imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_cli_unknown_course(app):
    result = app.test_cli_runner().invoke(args=["academy", "quizzes", "export-gift", "nope"])
    assert result.exit_code != 0
    assert "No course has the slug" in result.output
