"""Course packages: validate (file:line errors), load (idempotent, all or nothing), dump (round trip)."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.cli import academy_cli
from academy.courses import packages
from academy.courses.models import Course, CourseVersion, LearningOutcome, Lesson, Module, VersionStatus
from academy.courses.services import authoring, versioning
from academy.courses.services import content as course_content
from academy.extensions import db
from tests.courses.factories import enrol
from tests.factories import create_user

COURSE_YAML = """\
# A small course about HIT.
title: HIT in practice
summary: The harmonised implementation tools, used day to day.
description: |
  For **joint secretariats** that adopt HIT.
topic: Programme management
language: en
level: intermediate
hours: 2.5
credits: 0.5
sequential: true
validity_months: 36
outcomes:
  - code: LO1
    text: Explain why programmes harmonise their documents.
    threshold: 60
  - code: LO2
    text: Name the parts of the HIT package.
modules:
  - key: why
    title: Why harmonise
    summary: The case for shared tools.
    lessons:
      - lessons/why/01-partners.md
      - lessons/why/02-legal-certainty.md
  - key: what
    title: What HIT contains
    requires: [why]
    lessons:
      - lessons/what/01-templates.md
quizzes:
  final:
    pool: 10
"""

LESSONS = {
    "lessons/why/01-partners.md": """\
---
title: "Partners in two programmes"
minutes: 12
outcomes: [LO1]
---

A partner active in two programmes should not learn two systems.

| Before | After |
|---|---|
| two forms | one form |
""",
    "lessons/why/02-legal-certainty.md": "# Legal certainty\n\nShared templates implement EU rules in practice.\n",
    "lessons/what/01-templates.md": """\
---
title: Templates and checklists
required: false
outcomes: [lo2, LO1]
---
Application forms, checklists, reporting templates and budget structures.
""",
}


def write_package(root: Path, slug: str = "hit-in-practice", course_yaml: str = COURSE_YAML, lessons=None) -> Path:
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(course_yaml, encoding="utf-8")
    for name, text in (LESSONS if lessons is None else lessons).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "questions").mkdir(exist_ok=True)
    (folder / "questions" / "why.gift").write_text("// [tag:LO1]\n::Q1:: Is HIT shared? {T}\n", encoding="utf-8")
    return folder


def run(app, *args):
    return app.test_cli_runner().invoke(academy_cli, ["courses", *[str(a) for a in args]])


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, CourseVersion, LearningOutcome, Module, Lesson)
    )


# --- validate ------------------------------------------------------------------------------------


def test_valid_package_passes(app, tmp_path):
    folder = write_package(tmp_path)
    result = run(app, "validate", folder)
    assert result.exit_code == 0, result.output
    assert "OK: 1 package(s) are valid." in result.output


def test_reader_parses_everything(app, tmp_path):
    package, errors = packages.read_package(write_package(tmp_path))
    assert errors == []
    assert package.slug == "hit-in-practice"
    assert package.fields["hours"] == Decimal("2.5") and package.fields["validity_months"] == 36
    assert [(o.key, o.code, o.threshold) for o in package.outcomes] == [("lo1", "LO1", 60), ("lo2", "LO2", 70)]
    why, what = package.modules
    assert [lesson.key for lesson in why.lessons] == ["partners", "legal-certainty"]
    assert why.lessons[1].title == "Legal certainty"  # from the first heading
    assert why.lessons[1].body == "Shared templates implement EU rules in practice."
    assert what.requires == ["why"] and what.lessons[0].required is False
    assert what.lessons[0].outcome_codes == ["LO2", "LO1"]
    assert package.quizzes == {"final": {"pool": 10}}  # passed through for the quizzes feature


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("level: intermediate", "level: expert", "level: expert", "level must be one of"),
        ("hours: 2.5", "hours: lots", "hours: lots", "“hours” must be a number"),
        ("credits: 0.5", "credits: 0.3", "credits: 0.3", "credits go in steps of 0.5"),
        ("sequential: true", "sequential: maybe", "sequential: maybe", "must be true or false"),
        ("    threshold: 60", "    threshold: 160", "threshold: 160", "between 0 and 100"),
        ("  - code: LO2", "  - code: LO1", "  - code: LO1\n    text: Name", "is used twice"),
        ("    requires: [why]", "    requires: [later]", "requires: [later]", "not a module listed before it"),
        ("      - lessons/what/01-templates.md", "      - lessons/what/missing.md", "missing.md", "does not exist"),
        ("      - lessons/what/01-templates.md", "      - ../outside.md", "../outside.md", "outside the course folder"),
        ("topic: Programme management", "topik: Programme management", "topik:", "unknown course field “topik”"),
        ("title: HIT in practice", "title: [HIT", "summary: The", "YAML syntax: expected ',' or ']'"),
        ("  - key: what", "  - key: why", "  - key: why\n    title: What", "is used twice"),
        ("language: en", "language: English", "language: English", "must be a code such as en"),
        ("summary: The harmonised", "sumary: The harmonised", "sumary:", "unknown course field"),
    ],
)
def test_errors_name_the_file_and_line(app, tmp_path, old, new, needle, message):
    assert old in COURSE_YAML
    text = COURSE_YAML.replace(old, new, 1)
    folder = write_package(tmp_path, course_yaml=text)
    first = needle.split("\n")[0]
    candidates = [i for i, line in enumerate(text.splitlines(), start=1) if first in line]
    line = candidates[-1] if "\n" in needle else candidates[0]
    result = run(app, "validate", folder)
    assert result.exit_code != 0
    assert f"hit-in-practice/course.yaml:{line}: " in result.output, result.output
    assert message in result.output, result.output


def test_duplicate_yaml_key_is_reported_with_its_line(app, tmp_path):
    text = COURSE_YAML.replace("topic: Programme management\n", "topic: Programme management\ntopic: Finance\n")
    result = run(app, "validate", write_package(tmp_path, course_yaml=text))
    assert f"course.yaml:{_line_of(text, 'topic: Finance')}: YAML syntax: “topic” appears twice" in result.output


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("lessons/why/01-partners.md", "---\ntitle: X\noutcomes: [LO7]\n---\nBody", 3, "outcome “LO7” is not listed"),
        ("lessons/why/01-partners.md", "---\ntitle: X\nminutes: 0\n---\nBody", 3, "between 1 and 600"),
        ("lessons/why/01-partners.md", "---\ntitle: X\ncolour: red\n---\nBody", 3, "unknown lesson field “colour”"),
        ("lessons/why/01-partners.md", "---\ntitle: X\n", 1, "never closed"),
        ("lessons/why/01-partners.md", "---\ntitle: [X\n---\nBody", 2, "front matter"),
        ("lessons/why/01-partners.md", "No title here.\n", 1, "needs a title"),
        ("lessons/why/01-partners.md", "---\ntitle: Empty\n---\n\n", 4, "has no text"),
        ("lessons/what/01-templates.md", "---\nkey: partners\n---\n# T\n\nBody", 2, "also used by"),
    ],
)
def test_lesson_errors_name_the_lesson_file_and_line(app, tmp_path, name, text, line, message):
    folder = write_package(tmp_path, lessons={**LESSONS, name: text})
    result = run(app, "validate", folder)
    assert result.exit_code != 0
    assert f"{name}:{line}: " in result.output, result.output
    assert message in result.output


def test_validate_reports_every_problem_at_once(app, tmp_path):
    text = COURSE_YAML.replace("level: intermediate", "level: expert").replace("hours: 2.5", "hours: x")
    result = run(app, "validate", write_package(tmp_path, course_yaml=text))
    assert "level must be one of" in result.output and "“hours” must be a number" in result.output


def test_folder_without_packages(app, tmp_path):
    result = run(app, "validate", tmp_path)
    assert result.exit_code != 0 and "no course.yaml" in result.output


# --- load ----------------------------------------------------------------------------------------


def test_load_creates_a_published_course(app, tmp_path):
    trainer = create_user(trainer=True, email="t@example.org")
    result = run(app, "load", write_package(tmp_path), "--owner", "t@example.org")
    assert result.exit_code == 0, result.output
    assert "hit-in-practice: created (version 1, published)" in result.output
    course = db.session.scalar(select(Course))
    assert course.published_version.number == 1 and [o.id for o in course.owners] == [trainer.id]
    version = course.published_version
    assert version.title == "HIT in practice" and version.sequential and version.level.value == "intermediate"
    assert [p.key for p in version.modules[1].prerequisites] == ["why"]
    assert [o.code for o in version.modules[1].lessons[0].outcomes] == ["LO1", "LO2"]


def test_loading_the_same_files_twice_changes_nothing(app, tmp_path):
    folder = write_package(tmp_path)
    run(app, "load", folder)
    before = counts()
    result = run(app, "load", folder)
    assert result.exit_code == 0
    assert "hit-in-practice: unchanged (version 1, published)" in result.output
    assert counts() == before


def test_changed_files_make_a_new_version_and_progress_survives(app, tmp_path):
    folder = write_package(tmp_path)
    run(app, "load", folder)
    course = db.session.scalar(select(Course))
    learner = create_user()
    enrol(learner, course, done=["partners"])
    (folder / "lessons/why/02-legal-certainty.md").write_text("# Legal certainty\n\nNew wording.\n")
    result = run(app, "load", folder)
    assert "hit-in-practice: updated (version 2, published)" in result.output
    db.session.expire_all()
    course = db.session.scalar(select(Course))
    assert [(v.number, v.status) for v in course.versions] == [(1, VersionStatus.RETIRED), (2, VersionStatus.PUBLISHED)]
    assert course.published_version.modules[0].lessons[1].body == "New wording."
    assert course.enrolments[0].progress[0].lesson_key == "partners"


def test_load_as_draft(app, tmp_path):
    result = run(app, "load", write_package(tmp_path), "--draft")
    assert "created (version 1, draft)" in result.output
    assert db.session.scalar(select(Course)).published_version_id is None


def test_a_broken_package_loads_nothing(app, tmp_path):
    write_package(tmp_path, slug="good-course")
    broken = COURSE_YAML.replace("level: intermediate", "level: expert")
    write_package(tmp_path, slug="bad-course", course_yaml=broken)
    result = run(app, "load", tmp_path)
    assert result.exit_code != 0
    assert f"bad-course/course.yaml:{_line_of(broken, 'level: expert')}: level must be one of" in result.output
    assert "Nothing was loaded." in result.output
    assert counts() == (0, 0, 0, 0, 0)


def test_broken_course_yaml_leaves_the_database_unchanged(app, tmp_path):
    folder = write_package(tmp_path)
    run(app, "load", folder)
    before = counts()
    content = packages.stored_content(db.session.scalar(select(CourseVersion)))
    (folder / "course.yaml").write_text(COURSE_YAML.replace("hours: 2.5", "hours: [").replace("Why", "Whyyy"))
    result = run(app, "load", folder)
    assert result.exit_code != 0 and "course.yaml:" in result.output
    db.session.expire_all()
    assert counts() == before
    assert packages.stored_content(db.session.scalar(select(CourseVersion))) == content


def test_load_refuses_to_overwrite_a_browser_draft(app, tmp_path):
    folder = write_package(tmp_path)
    run(app, "load", folder)
    course = db.session.scalar(select(Course))
    authoring.update_course(course, title="Edited in the browser")
    db.session.commit()
    (folder / "lessons/what/01-templates.md").write_text("# Templates\n\nChanged.\n")
    before = counts()
    result = run(app, "load", folder)
    assert result.exit_code != 0 and "unpublished draft (version 2)" in result.output
    assert counts() == before


def test_owner_must_be_a_trainer(app, tmp_path):
    create_user(email="l@example.org")
    result = run(app, "load", write_package(tmp_path), "--owner", "l@example.org")
    assert result.exit_code != 0 and "not a trainer" in result.output
    assert counts() == (0, 0, 0, 0, 0)


# --- dump and round trip -------------------------------------------------------------------------


def _tricky_course():
    owner = create_user(trainer=True)
    course = authoring.create_course(
        slug="tricky",
        owner=owner,
        title='Quotes "and" colons: a test',
        summary="Summary with ünïcödé, # hash and 'quotes'.",
        description="Line one.\n\n- item\n- item two\n",
        topic="Finance",
        language="de",
        level="advanced",
        hours=Decimal("12.5"),
        credits=Decimal("2.5"),
        sequential=True,
        validity_months=None,
    )
    course_content.add_outcome(course, code="LO1", text="Calculate a flat rate: 20 %.", threshold=80)
    course_content.add_outcome(course, code="A.2", text="Explain: yes/no questions.", threshold=0)
    first = course_content.add_module(course, title="Yes", summary="A title YAML would read as true.")
    course_content.add_module(course, title="Second: part", prerequisites=[first.key])
    course_content.add_lesson(
        course, "yes", title="No", body="---\nnot front matter\n---\n\n```\ncode  \n```\n\ttab", minutes=7
    )
    course_content.add_lesson(
        course,
        "second-part",
        title="2021-rules",
        body="# Heading kept\n\nText",
        required=False,
        outcomes=["a-2", "lo1"],
    )
    versioning.publish(course)
    db.session.commit()
    return course


def test_dump_then_load_gives_identical_content(app, tmp_path):
    course = _tricky_course()
    original = packages.stored_content(course.published_version)
    result = run(app, "dump", "tricky", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tricky" / "course.yaml").is_file()
    # Loading the dump into the same database is a no-op...
    before = counts()
    result = run(app, "load", tmp_path / "tricky")
    assert "tricky: unchanged (version 1, published)" in result.output, result.output
    assert counts() == before
    # ...and into an empty one recreates the same content.
    db.session.delete(db.session.scalar(select(Course)))
    db.session.commit()
    result = run(app, "load", tmp_path / "tricky")
    assert "tricky: created" in result.output, result.output
    assert packages.stored_content(db.session.scalar(select(Course)).published_version) == original


def test_load_then_dump_then_load_again(app, tmp_path):
    source = write_package(tmp_path / "src")
    run(app, "load", source)
    run(app, "dump", "hit-in-practice", tmp_path / "out")
    package, errors = packages.read_package(tmp_path / "out" / "hit-in-practice")
    assert errors == []
    original, _ = packages.read_package(source)
    assert packages.package_content(package) == packages.package_content(original)


def test_dump_refuses_to_overwrite_without_force(app, tmp_path):
    _tricky_course()
    run(app, "dump", "tricky", tmp_path)
    result = run(app, "dump", "tricky", tmp_path)
    assert result.exit_code != 0 and "--force" in result.output
    assert run(app, "dump", "tricky", tmp_path, "--force").exit_code == 0


def test_dump_unknown_course(app, tmp_path):
    result = run(app, "dump", "nope", tmp_path)
    assert result.exit_code != 0 and "No course has the slug nope" in result.output


def test_dump_keeps_other_files(app, tmp_path):
    _tricky_course()
    run(app, "dump", "tricky", tmp_path)
    (tmp_path / "tricky" / "NOTES.md").write_text("Reviewed by the finance team.")
    (tmp_path / "tricky" / "images").mkdir()
    (tmp_path / "tricky" / "images" / "flow.svg").write_text("<svg/>")
    run(app, "dump", "tricky", tmp_path, "--force")
    assert (tmp_path / "tricky" / "NOTES.md").is_file() and (tmp_path / "tricky" / "images" / "flow.svg").is_file()


# --- extensions ------------------------------------------------------------------------------------


def test_extension_takes_part_in_validate_load_compare_and_dump(app, tmp_path):
    seen = {}

    def validate(package):
        if package.quizzes and package.quizzes.get("final", {}).get("pool", 0) > 99:
            return [
                packages.PackageError(package.root / "course.yaml", package.data.line_of("quizzes"), "pool too big")
            ]
        return []

    def dump(version, folder, data):
        data["quizzes"] = seen[version.course.slug]

    packages.register(
        app,
        packages.PackageExtension(
            name="test",
            validate=validate,
            content=lambda package: package.quizzes,
            stored=lambda version: seen.get(version.course.slug),
            load=lambda package, version: seen.__setitem__(package.slug, package.quizzes),
            dump=dump,
        ),
    )
    folder = write_package(tmp_path)
    run(app, "load", folder)
    assert seen == {"hit-in-practice": {"final": {"pool": 10}}}
    assert "unchanged" in run(app, "load", folder).output
    (folder / "course.yaml").write_text(COURSE_YAML.replace("pool: 10", "pool: 12"))
    assert "updated (version 2" in run(app, "load", folder).output
    (folder / "course.yaml").write_text(COURSE_YAML.replace("pool: 10", "pool: 100"))
    result = run(app, "load", folder)
    assert f"course.yaml:{_line_of(COURSE_YAML, 'quizzes:')}: pool too big" in result.output
    run(app, "dump", "hit-in-practice", tmp_path / "out")
    assert "pool: 12" in (tmp_path / "out" / "hit-in-practice" / "course.yaml").read_text()


# --- the demo catalogue ------------------------------------------------------------------------------

DEMO = Path(__file__).resolve().parents[2] / "courses"


def test_demo_catalogue_is_valid_and_substantial(app):
    assert packages.validate(DEMO) == []
    demo = packages.read_all(DEMO)
    assert len(demo) >= 5
    for package in demo:
        assert len(package.modules) >= 3, package.slug
        assert len(package.outcomes) >= 3, package.slug
        for module in package.modules:
            for lesson in module.lessons:
                paragraphs = [p for p in lesson.body.split("\n\n") if len(p.strip()) > 120]
                assert len(paragraphs) >= 3, f"{lesson.path} is thin"
        taught = {code for m in package.modules for lesson in m.lessons for code in lesson.outcome_codes}
        assert taught == {o.code for o in package.outcomes}, f"{package.slug}: an outcome is taught by no lesson"


def test_seed_demo_loads_the_catalogue_once(app, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(academy_cli, ["seed-demo"])
    assert first.exit_code == 0, first.output
    before = counts()
    assert before[0] >= 5
    second = runner.invoke(academy_cli, ["seed-demo"])
    assert second.exit_code == 0 and "unchanged" in second.output
    assert counts() == before
    course = db.session.scalar(select(Course))
    assert [o.email for o in course.owners] == ["trainer@academy.example"]
    assert course.published_version is not None


def test_demo_course_pages_render(app, client):
    app.test_cli_runner().invoke(academy_cli, ["seed-demo"])
    html = client.get("/courses").get_data(as_text=True)
    for package in packages.read_all(DEMO):
        assert package.fields["title"].replace("&", "&amp;") in html
        assert client.get(f"/courses/{package.slug}").status_code == 200


def test_copying_a_demo_package_and_renaming_it_loads_a_second_course(app, tmp_path):
    slug = packages.find_packages(DEMO)[0].name
    shutil.copytree(DEMO / slug, tmp_path / "copy-of-course")
    text = (tmp_path / "copy-of-course" / "course.yaml").read_text()
    (tmp_path / "copy-of-course" / "course.yaml").write_text(text.replace(f"slug: {slug}", "slug: copy-of-course"))
    assert packages.validate(tmp_path / "copy-of-course") == []
