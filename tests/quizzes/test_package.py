"""Course packages: questions/*.gift and the `quizzes:` section of course.yaml, loaded idempotently."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from academy.cli import academy_cli
from academy.courses.models import Course
from academy.exceptions import ServiceError
from academy.extensions import db as sa
from academy.quizzes.models import GradingMethod, Question, Quiz, SlotKind
from academy.quizzes.package import load_package_quizzes, quiz_data
from academy.quizzes.services import bank
from tests.factories import create_user
from tests.quizzes.factories import create_course, outcome_key

EXAMPLE = Path(__file__).parent / "data" / "every_feature.gift"

COURSE_YAML = """
quizzes:
  - key: final
    title: Final assessment
    module: m1
    pass_mark: 75
    max_attempts: 3
    grading: average
    time_limit: 20
    shuffle_questions: true
    closes_at: 2030-01-01T00:00:00Z
    review:
      after: [score]
      closed: [score, answers, feedback]
    slots:
      - question: report-lead
      - outcome: LO2
        count: 2
      - category: Tools
        count: 1
  - key: practice
    title: Practice
    required: false
    slots:
      - outcome: lo3-key
        count: 1
"""

UNTAGGED_IDS = """// [tag:LO1]
::Plain title:: A statement without an id. {T}
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    (tmp_path / "questions").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "questions" / "main.gift")
    (tmp_path / "questions" / "extra.gift").write_text(UNTAGGED_IDS)
    return tmp_path


def _quizzes_yaml():
    return yaml.safe_load(COURSE_YAML)["quizzes"]


def test_load_questions_and_quizzes(db, package):
    course = create_course()
    report = load_package_quizzes(course, package, _quizzes_yaml())
    db.session.commit()
    assert report.questions == {"create": 13, "update": 0, "unchanged": 0}
    assert report.quizzes_created == ["final", "practice"]
    keys = {q.key for q in bank.list_questions(course)}
    assert "extra-plain-title" in keys  # derived from file stem and title
    final = db.session.scalar(select(Quiz).where(Quiz.key == "final"))
    assert (final.title, final.module_key, final.pass_mark, final.max_attempts) == ("Final assessment", "m1", 75, 3)
    assert final.grading_method == GradingMethod.AVERAGE and final.time_limit_minutes == 20
    assert final.published and final.required and final.shuffle_questions
    assert final.closes_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert (final.review_score_after, final.review_answers_after, final.review_answers_closed) == (True, False, True)
    assert [(s.kind, s.outcome_key, s.category, s.count) for s in final.slots] == [
        (SlotKind.QUESTION, None, None, 1),
        (SlotKind.OUTCOME, outcome_key("LO2"), None, 2),
        (SlotKind.CATEGORY, None, "Tools", 1),
    ]
    practice = db.session.scalar(select(Quiz).where(Quiz.key == "practice"))
    assert not practice.required and practice.slots[0].outcome_key == outcome_key("LO3")


def test_loading_again_changes_nothing_and_edits_update(db, package):
    course = create_course()
    load_package_quizzes(course, package, _quizzes_yaml())
    db.session.commit()
    ids = sorted(db.session.scalars(select(Question.id)))
    slot_ids = [s.id for s in db.session.scalar(select(Quiz).where(Quiz.key == "final")).slots]

    again = load_package_quizzes(course, package, _quizzes_yaml())
    db.session.commit()
    assert again.questions == {"create": 0, "update": 0, "unchanged": 13}
    assert again.quizzes_updated == ["final", "practice"]
    assert sorted(db.session.scalars(select(Question.id))) == ids
    assert [s.id for s in db.session.scalar(select(Quiz).where(Quiz.key == "final")).slots] == slot_ids

    main = package / "questions" / "main.gift"
    main.write_text(main.read_text().replace("Who submits the progress report", "Who sends the progress report"))
    changed = _quizzes_yaml()
    changed[0]["pass_mark"] = 80
    report = load_package_quizzes(course, package, changed)
    db.session.commit()
    assert report.questions == {"create": 0, "update": 1, "unchanged": 12}
    assert db.session.scalar(select(Quiz).where(Quiz.key == "final")).pass_mark == 80


def test_mapping_form_with_explicit_question_files(db, package):
    course = create_course()
    report = load_package_quizzes(course, package, {"questions": ["questions/extra.gift"], "quizzes": []})
    assert report.questions["create"] == 1
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


@pytest.mark.parametrize(
    ("gift", "message"),
    [
        ("// [tag:LO9]\n::Bad tag:: S {T}\n", "extra.gift:2: Bad tag: The tag LO9 matches no learning outcome"),
        ("// [tag:LO1]\n::Broken:: S {=a\n", "extra.gift:2: Broken: The braces"),
    ],
)
def test_question_file_problems_name_file_and_line(db, package, gift, message):
    (package / "questions" / "extra.gift").write_text(gift)
    with pytest.raises(ServiceError, match=message):
        load_package_quizzes(create_course(), package, [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"module": "m9"}, "quiz final: the course has no module m9"),
        ({"grading": "median"}, "grading is one of"),
        ({"colour": "blue"}, "unknown settings colour"),
        ({"slots": [{"outcome": "LO7", "count": 1}]}, "no learning outcome LO7"),
        ({"slots": [{"question": "missing"}]}, "no question has the id missing"),
        ({"slots": [{"outcome": "LO1", "count": 50}]}, "which draws 50"),
        ({"slots": [{"nothing": 1}]}, "give `question`, `outcome` or `category`"),
        ({"closes_at": "2030-01-01T00:00:00"}, "needs a time zone"),
        ({"pass_mark": 150}, "pass mark is a percentage"),
        ({"review": {"after": ["everything"]}}, "review items are"),
    ],
)
def test_quiz_problems_are_reported(db, package, change, message):
    quizzes = _quizzes_yaml()
    quizzes[0].update(change)
    with pytest.raises(ServiceError, match=message):
        load_package_quizzes(create_course(), package, quizzes)


def test_quiz_needs_key_and_title(db, package):
    with pytest.raises(ServiceError, match="needs a key and a title"):
        load_package_quizzes(create_course(), package, [{"title": "No key"}])


# --- dump ------------------------------------------------------------------------------------------

DEMO = Path(__file__).resolve().parents[2] / "courses" / "simplified-cost-options"


def _cli(app, *args):
    return app.test_cli_runner().invoke(academy_cli, ["courses", *map(str, args)])


def _bank_and_quizzes(course):
    to_code, _lookup = bank.outcome_code_map(course)
    gift_text = bank.export_gift(course).split("\n", 1)[1]  # without the header naming the count
    quizzes = sa.session.scalars(select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.position))
    return gift_text, [quiz_data(quiz, to_code) for quiz in quizzes]


def test_dump_writes_the_bank_and_quizzes_that_load_back_identically(app, db, tmp_path):
    create_user(email="trainer@academy.example", trainer=True)
    result = _cli(app, "load", DEMO, "--owner", "trainer@academy.example")
    assert result.exit_code == 0, result.output
    course = db.session.scalar(select(Course))
    original = _bank_and_quizzes(course)
    assert original[1] and original[0].count("::") >= 20

    result = _cli(app, "dump", course.slug, tmp_path)
    assert result.exit_code == 0, result.output
    dumped = tmp_path / course.slug
    assert [p.name for p in (dumped / "questions").iterdir()] == ["bank.gift"]
    assert _cli(app, "validate", dumped).exit_code == 0

    db.session.delete(course)
    db.session.commit()
    result = _cli(app, "load", dumped, "--owner", "trainer@academy.example")
    assert result.exit_code == 0, result.output
    assert _bank_and_quizzes(db.session.scalar(select(Course))) == original


def test_dump_replaces_old_question_files(app, db, tmp_path):
    create_user(email="trainer@academy.example", trainer=True)
    _cli(app, "load", DEMO, "--owner", "trainer@academy.example")
    slug = db.session.scalar(select(Course.slug))
    stale = tmp_path / slug / "questions" / "old.gift"
    stale.parent.mkdir(parents=True)
    stale.write_text("::Old:: Gone? {T}\n")
    assert _cli(app, "dump", slug, tmp_path, "--force").exit_code == 0
    assert not stale.exists() and (tmp_path / slug / "questions" / "bank.gift").is_file()


# --- validate without a database -------------------------------------------------------------------

PACKAGE_HEAD = """\
title: Reporting in Interreg
summary: Progress reports from partner to programme.
topic: Programme management
language: en
level: introductory
slug: reporting-in-interreg
hours: 1
credits: 0
outcomes:
  - {code: LO1, text: Explain who reports.}
  - {code: LO2, text: Describe the reporting cycle.}
  - {code: LO3, key: lo3-key, text: Use the reporting tools.}
modules:
  - key: m1
    title: Reporting
    lessons: [lessons/01-intro.md]
"""


def test_validate_accepts_a_package_with_quizzes(app, package):
    (package / "course.yaml").write_text(PACKAGE_HEAD + COURSE_YAML)
    (package / "lessons").mkdir()
    (package / "lessons" / "01-intro.md").write_text("# Reporting\n\nWho reports what, and when.\n")
    result = _cli(app, "validate", package)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("module: m1", "module: m9", "quiz final: the course has no module m9"),
        ("grading: average", "grading: median", "grading is one of"),
        ("pass_mark: 75", "pass_mark: 150", "pass mark is a percentage"),
        ("time_limit: 20", "time_limit: twenty", "'twenty' is not a whole number"),
        ("- question: report-lead", "- question: missing", "slot 1: no question file has the id missing"),
        ("- outcome: LO2", "- outcome: LO7", "slot 2: the course has no learning outcome LO7"),
        ("  - key: practice", "  - key: final", "quiz final: the key is used twice"),
    ],
)
def test_validate_reports_quiz_problems_with_their_line(app, package, old, new, message):
    course_yaml = package / "course.yaml"
    course_yaml.write_text(PACKAGE_HEAD + COURSE_YAML.replace(old, new, 1))
    (package / "lessons").mkdir()
    (package / "lessons" / "01-intro.md").write_text("# Reporting\n\nWho reports what, and when.\n")
    assert old in COURSE_YAML
    result = _cli(app, "validate", package)
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert "course.yaml:" in result.output  # located by line


MOODLE_UNTAGGED = """$CATEGORY: $course$/top/Reporting

::Q1:: Who signs the partner report? {=The partner ~The programme}

::Q1:: Who checks it first? {=The controller ~Nobody}
"""


def test_untagged_moodle_questions_need_a_default_outcome_named_by_file_and_line(db, package):
    (package / "questions" / "moodle.gift").write_text(MOODLE_UNTAGGED)
    expected = r"moodle\.gift:3: Q1: the question has no // \[tag:\.\.\.\].*default_outcome"
    with pytest.raises(ServiceError, match=expected):
        load_package_quizzes(create_course(), package, [])


def test_a_package_default_outcome_tags_untagged_questions(db, package):
    (package / "questions" / "moodle.gift").write_text(MOODLE_UNTAGGED)
    course = create_course()
    load_package_quizzes(course, package, {"default_outcome": "LO2", "quizzes": []})
    untagged = sa.session.scalars(select(Question).where(Question.key.like("moodle-%"))).all()
    assert len(untagged) == 2 and len({q.key for q in untagged}) == 2  # repeated titles do not collide
    assert all(q.current_version.outcome_keys == [outcome_key("LO2")] for q in untagged)
    with pytest.raises(ServiceError, match="default_outcome LO9: the course has no such learning outcome"):
        load_package_quizzes(course, package, {"default_outcome": "LO9"})


def test_validate_names_untagged_questions_and_a_wrong_default_outcome(app, package):
    (package / "questions" / "moodle.gift").write_text(MOODLE_UNTAGGED)
    (package / "course.yaml").write_text(PACKAGE_HEAD)
    (package / "lessons").mkdir()
    (package / "lessons" / "01-intro.md").write_text("# Reporting\n\nWho reports what, and when.\n")
    result = _cli(app, "validate", package)
    assert result.exit_code != 0
    assert "moodle.gift:3: Q1: the question has no // [tag:...]" in result.output, result.output
    assert "moodle.gift:5:" in result.output
    (package / "course.yaml").write_text(PACKAGE_HEAD + "quizzes:\n  default_outcome: LO9\n")
    result = _cli(app, "validate", package)
    assert "course.yaml:" in result.output and "default_outcome LO9" in result.output, result.output
    (package / "course.yaml").write_text(PACKAGE_HEAD + "quizzes:\n  default_outcome: LO1\n")
    result = _cli(app, "validate", package)
    assert result.exit_code == 0, result.output
