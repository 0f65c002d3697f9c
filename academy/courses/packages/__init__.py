"""Course packages: a course as files under courses/<slug>/ (course.yaml plus Markdown lessons).

    validate(path) -> list[PackageError]        check without touching the database
    load(path, owner=..., publish=True)         create / add a version / leave unchanged; flushes only
    dump(course, directory)                     write directory/<slug>/ back out
    stored_content(version), package_content(package)   what "identical content" means

The format is documented in courses/README.md; extensions.py lets quizzes add their part.
"""

from academy.courses.packages.extensions import PackageExtension, register
from academy.courses.packages.reader import Package, PackageError, PackageInvalid, find_packages, read_package
from academy.courses.packages.store import (
    LoadResult,
    dump,
    load,
    load_package,
    package_content,
    read_all,
    stored_content,
    validate,
)

__all__ = [
    "LoadResult",
    "Package",
    "PackageError",
    "PackageExtension",
    "PackageInvalid",
    "dump",
    "find_packages",
    "load",
    "load_package",
    "package_content",
    "read_all",
    "read_package",
    "register",
    "stored_content",
    "validate",
]
