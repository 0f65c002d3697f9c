"""Let other features (quizzes) read, load, compare and dump their own parts of a course package.

The course loader ignores the `quizzes:` section of course.yaml and any other files in the
package folder (such as `questions/*.gift`); an extension registered here takes them over:

    register(app, PackageExtension(
        name="quizzes",
        validate=lambda package: [...PackageError...],      # extra checks; any error loads nothing
        content=lambda package: {...},                       # its content as read from the files
        stored=lambda version: {...},                        # the same content from the database
        load=lambda package, version: ...,                   # write rows for a new version (flush only)
        dump=lambda version, folder, data: ...,              # add to course.yaml `data`, write files
    ))

`content(package) == stored(version)` must hold after loading, so an unchanged package loads as
"unchanged" and a dump loads back identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from academy.courses.models import CourseVersion
    from academy.courses.packages.reader import Package, PackageError

_KEY = "academy_course_package_extensions"


@dataclass(frozen=True)
class PackageExtension:
    """Callbacks for one feature's part of a package; every one is optional."""

    name: str
    validate: Callable[[Package], list[PackageError]] | None = None
    content: Callable[[Package], Any] | None = None
    stored: Callable[[CourseVersion], Any] | None = None
    load: Callable[[Package, CourseVersion], None] | None = None
    dump: Callable[[CourseVersion, Path, dict[str, Any]], None] | None = None


def register(app: Flask, extension: PackageExtension) -> None:
    """Add an extension (once per name)."""
    registry = app.extensions.setdefault(_KEY, {})
    registry[extension.name] = extension


def registered() -> list[PackageExtension]:
    """Extensions registered on the current app."""
    return list(current_app.extensions.get(_KEY, {}).values())
