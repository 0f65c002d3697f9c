"""Lesson files (images, downloads) in course packages: `files/<name>` beside course.yaml.

In the database a lesson references a course file as `upload:<id>` (`![alt](upload:12)`); ids differ
between databases, so a package names the file instead: `![alt](file:map.png)`, with the bytes in
`files/map.png`. Dumping writes the files a version's lessons use and rewrites `upload:<id>` to
`file:<name>`; loading stores each file (reusing an identical one the course already has) and
rewrites back to `upload:<new id>`. An image takes its text alternative from the first image
reference to it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from academy.core.files import Upload, blob_path, safe_filename
from academy.courses.models import Course, CourseFile, CourseVersion
from academy.courses.packages.reader import Package, PackageError
from academy.courses.services import files as course_files
from academy.exceptions import ServiceError
from academy.extensions import db

FILES_DIR = "files"
# `](upload:12)` in the database, `](file:map.png)` in a package; an image's alt text is the `![...]` part.
_UPLOAD_REF = re.compile(r"\]\(upload:(\d+)\)")
_FILE_REF = re.compile(r"(!?)\[([^\]]*)\]\(file:([^)\s/\\]+)\)")


def _bodies(version: CourseVersion) -> Iterable[str]:
    return (lesson.body for module in version.modules for lesson in module.lessons)


def dump_names(version: CourseVersion) -> dict[int, tuple[str, CourseFile]]:
    """The course files the version's lessons use, by id, with the name each gets in the package."""
    used = sorted({int(m) for body in _bodies(version) for m in _UPLOAD_REF.findall(body)})
    names: dict[int, tuple[str, CourseFile]] = {}
    taken: set[str] = set()
    for file_id in used:
        found = db.session.get(CourseFile, file_id)
        if found is None or found.course_id != version.course_id:
            continue  # a deleted file: the lesson keeps the reference, which shows as missing
        name, number = found.filename, 1
        while name.lower() in taken:  # two uploads with one name: map.png, map-2.png
            number += 1
            stem, dot, ext = found.filename.rpartition(".")
            name = f"{stem}-{number}.{ext}" if dot else f"{found.filename}-{number}"
        taken.add(name.lower())
        names[file_id] = (name, found)
    return names


def to_package(body: str, names: dict[int, tuple[str, CourseFile]]) -> str:
    """Rewrite `upload:<id>` references to `file:<name>` (unknown ids stay as they are)."""
    return _UPLOAD_REF.sub(
        lambda m: f"](file:{names[int(m.group(1))][0]})" if int(m.group(1)) in names else m.group(0), body
    )


def stored_files(version: CourseVersion) -> dict[str, str]:
    """The package names and SHA-256 of the files the version's lessons use (for comparing content)."""
    return {name: found.sha256 for name, found in dump_names(version).values()}


def write(version: CourseVersion, target: Path) -> None:
    """Write the files the version's lessons use into target/files/ (replacing that folder)."""
    folder = target / FILES_DIR
    for old in folder.glob("*") if folder.is_dir() else []:
        old.unlink()
    for name, found in dump_names(version).values():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(blob_path(found.sha256).read_bytes())


def _references(package: Package) -> list[tuple[str, str, bool, Path, int]]:
    """(name, alt, is_image, lesson file, line) of every `file:` reference in the lessons."""
    found = []
    for module in package.modules:
        for lesson in module.lessons:
            # Line numbers of the file, front matter included (the references are all in the body).
            text = lesson.path.read_text(encoding="utf-8") if lesson.path.is_file() else lesson.body
            for number, line in enumerate(text.splitlines(), start=1):
                for bang, alt, name in _FILE_REF.findall(line):
                    found.append((name, alt.strip(), bool(bang), lesson.path, number))
    return found


def package_files(package: Package) -> dict[str, str]:
    """The names and SHA-256 of the files the package's lessons reference (missing ones left out)."""
    out = {}
    for name, *_rest in _references(package):
        path = package.root / FILES_DIR / name
        if path.is_file():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _alts(package: Package) -> dict[str, str]:
    alts: dict[str, str] = {}
    for name, alt, is_image, _path, _line in _references(package):
        if is_image and alt and name not in alts:
            alts[name] = alt
    return alts


def validate(package: Package) -> list[PackageError]:
    """Every referenced file exists in files/ and passes the checks of an upload (type, size, alt text)."""
    errors: list[PackageError] = []
    alts = _alts(package)
    checked: set[str] = set()
    for name, _alt, _image, path, line in _references(package):
        if name in checked:
            continue
        checked.add(name)
        source = package.root / FILES_DIR / name
        if safe_filename(name) != name:
            errors.append(PackageError(path, line, f"file:{name}: use a plain file name such as {safe_filename(name)}"))
            continue
        if not source.is_file():
            errors.append(PackageError(path, line, f"file:{name} is not in {FILES_DIR}/ of the package"))
            continue
        try:
            course_files.check(Upload(filename=name, data=source.read_bytes()), alts.get(name, ""))
        except ServiceError as exc:
            errors.append(PackageError(source, None, f"{exc.message} (first used in {path.name}, line {line})"))
    return errors


def store(package: Package, course: Course) -> dict[str, int]:
    """Store the referenced files for the course (reusing identical ones) and return name -> id. Flushes."""
    existing = {(f.filename, f.sha256): f for f in course_files.list_files(course)}
    alts = _alts(package)
    ids: dict[str, int] = {}
    for name, *_rest in _references(package):
        if name in ids:
            continue
        data = (package.root / FILES_DIR / name).read_bytes()
        same = existing.get((name, hashlib.sha256(data).hexdigest()))
        if same is None:
            same = course_files.upload_file(
                course, uploader=None, upload=Upload(filename=name, data=data), alt_text=alts.get(name, "")
            )
        ids[name] = same.id
    return ids


def to_database(body: str, ids: dict[str, int]) -> str:
    """Rewrite `file:<name>` references to `upload:<id>`."""
    return _FILE_REF.sub(
        lambda m: f"{m.group(1)}[{m.group(2)}](upload:{ids[m.group(3)]})" if m.group(3) in ids else m.group(0), body
    )
