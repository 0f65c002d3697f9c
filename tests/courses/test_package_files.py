"""Lesson files in course packages: dump writes files/<name> and file: references, load stores them again."""

import re

from sqlalchemy import select

from academy.core.files import Upload, blob_path
from academy.courses import packages
from academy.courses.models import Course, CourseFile, Lesson
from academy.courses.services import authoring, versioning
from academy.courses.services import content as course_content
from academy.courses.services import files as course_files
from academy.extensions import db
from tests.community.factories import pdf_bytes, png_bytes
from tests.courses.test_packages import run
from tests.factories import create_user


def _course_with_files() -> Course:
    owner = create_user(trainer=True)
    course = authoring.create_course(
        slug="illustrated",
        owner=owner,
        title="Illustrated",
        summary="A course with a map and a handout.",
        description="",
        topic="Finance",
        language="en",
        level="introductory",
        hours=1,
        credits=0,
        sequential=False,
        validity_months=None,
    )
    course_content.add_module(course, title="Maps")
    image = course_files.upload_file(
        course, uploader=owner, upload=Upload(filename="map.png", data=png_bytes()), alt_text="The programme area"
    )
    handout = course_files.upload_file(course, uploader=owner, upload=Upload(filename="rules.pdf", data=pdf_bytes()))
    # A second upload with the same name gets its own name in the package.
    other = course_files.upload_file(
        course, uploader=owner, upload=Upload(filename="rules.pdf", data=pdf_bytes("annex"))
    )
    body = (
        f"{course_files.reference(image)}\n\nRead {course_files.reference(handout)} and "
        f"[the annex](upload:{other.id}).\n\nA [gone file](upload:99999) stays as it is."
    )
    course_content.add_lesson(course, "maps", title="Where", body=body, minutes=5)
    versioning.publish(course)
    db.session.commit()
    return course


def _lesson_body(slug: str) -> str:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    return course.published_version.modules[0].lessons[0].body


def test_dump_writes_the_files_and_names_them_in_the_lessons(app, tmp_path):
    _course_with_files()
    assert run(app, "dump", "illustrated", tmp_path).exit_code == 0
    folder = tmp_path / "illustrated"
    assert sorted(p.name for p in (folder / "files").iterdir()) == ["map.png", "rules-2.pdf", "rules.pdf"]
    assert (folder / "files" / "map.png").read_bytes() == png_bytes()
    assert (folder / "files" / "rules-2.pdf").read_bytes() == pdf_bytes("annex")
    (lesson,) = (folder / "lessons" / "maps").iterdir()
    text = lesson.read_text(encoding="utf-8")
    assert "![The programme area](file:map.png)" in text
    assert "[rules.pdf](file:rules.pdf)" in text and "[the annex](file:rules-2.pdf)" in text
    assert "upload:99999" in text and not re.search(r"upload:(?!99999)", text)


def test_files_survive_a_round_trip_into_another_course(app, tmp_path):
    original = _course_with_files()
    run(app, "dump", "illustrated", tmp_path)
    # Loading the dump into the same course changes nothing, files included.
    files_before = db.session.scalar(select(db.func.count()).select_from(CourseFile))
    result = run(app, "load", tmp_path / "illustrated")
    assert "illustrated: unchanged" in result.output, result.output
    assert db.session.scalar(select(db.func.count()).select_from(CourseFile)) == files_before

    # The same package as a new course: its own copies of the files, referenced by their new ids.
    yaml_path = tmp_path / "illustrated" / "course.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("slug: illustrated", "slug: copy"), encoding="utf-8")
    result = run(app, "load", tmp_path / "illustrated")
    assert "copy: created" in result.output, result.output
    copy = db.session.scalar(select(Course).where(Course.slug == "copy"))
    stored = {f.filename: f for f in course_files.list_files(copy)}
    assert sorted(stored) == ["map.png", "rules-2.pdf", "rules.pdf"]
    assert stored["map.png"].alt_text == "The programme area"
    assert blob_path(stored["rules-2.pdf"].sha256).read_bytes() == pdf_bytes("annex")
    body = _lesson_body("copy")
    assert f"![The programme area](upload:{stored['map.png'].id})" in body
    assert f"[the annex](upload:{stored['rules-2.pdf'].id})" in body
    assert all(f.course_id == copy.id for f in stored.values())
    assert (
        packages.stored_content(copy.published_version)["modules"]
        == (packages.stored_content(original.published_version)["modules"])
    )


def test_a_changed_file_makes_a_new_version(app, tmp_path):
    _course_with_files()
    run(app, "dump", "illustrated", tmp_path)
    (tmp_path / "illustrated" / "files" / "rules.pdf").write_bytes(pdf_bytes("a new edition"))
    result = run(app, "load", tmp_path / "illustrated")
    assert "illustrated: updated (version 2, published)" in result.output, result.output
    course = db.session.scalar(select(Course).where(Course.slug == "illustrated"))
    new_id = next(
        f.id
        for f in course_files.list_files(course)
        if f.sha256 != "" and blob_path(f.sha256).read_bytes() == pdf_bytes("a new edition")
    )
    assert f"[rules.pdf](upload:{new_id})" in _lesson_body("illustrated")


def test_a_missing_or_unfit_file_is_an_error_naming_the_lesson_and_line(app, tmp_path):
    _course_with_files()
    run(app, "dump", "illustrated", tmp_path)
    folder = tmp_path / "illustrated"
    (folder / "files" / "rules.pdf").unlink()
    (folder / "files" / "map.png").write_bytes(b"<svg onload=alert(1)>")
    result = run(app, "validate", folder)
    assert result.exit_code != 0
    assert "01-where.md:8: file:rules.pdf is not in files/ of the package" in result.output, result.output
    assert "map.png does not look like a .png file." in result.output
    lessons_before = db.session.scalar(select(db.func.count()).select_from(Lesson))
    assert run(app, "load", folder).exit_code != 0
    assert db.session.scalar(select(db.func.count()).select_from(Lesson)) == lessons_before
