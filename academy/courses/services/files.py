"""Images and files a trainer uploads for a course's lessons: checked by content, stored by SHA-256.

Lessons reference them as `![alt](upload:<id>)` (images) or `[text](upload:<id>)` (downloads);
academy.lesson_markdown.render_lesson resolves the number through `resolver(course)`, so a lesson shows
only files of its own course. An image needs a text alternative, given when it is uploaded.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from academy.auth.models import User
from academy.core.files import FILE_TYPES, IMAGE_TYPES, Upload, detect_type, extension, safe_filename, write_blob
from academy.courses.models import Course, CourseFile
from academy.exceptions import NotFound, ServiceError
from academy.extensions import db
from academy.lesson_markdown import LessonFile, LessonFileResolver

# Extension -> the MIME type a course file is served with.
COURSE_FILE_TYPES = {**FILE_TYPES, **IMAGE_TYPES}
MAX_ALT = 500


def max_upload_bytes() -> int:
    """The size limit for one course file (COURSE_UPLOAD_MAX_BYTES, default 10 MB)."""
    return int(current_app.config.get("COURSE_UPLOAD_MAX_BYTES") or 10 * 1024 * 1024)


def is_image(course_file: CourseFile) -> bool:
    """True for a file shown inline in a lesson (PNG, JPEG, GIF, WebP)."""
    return course_file.file_type in IMAGE_TYPES


def _check(upload: Upload, alt_text: str) -> tuple[str, str]:
    name = safe_filename(upload.filename)
    if not name or not upload.data:
        raise ServiceError(_("Choose a file to upload."), field="upload")
    limit = max_upload_bytes()
    if len(upload.data) > limit:
        raise ServiceError(
            _("%(name)s is larger than %(mb)d MB.", name=name, mb=max(1, limit // (1024 * 1024))), field="upload"
        )
    ext = extension(name)
    if ext not in COURSE_FILE_TYPES:
        raise ServiceError(
            _("%(name)s: only images (PNG, JPG, GIF, WebP), PDF, office documents, CSV and text files.", name=name),
            field="upload",
        )
    detected = detect_type(upload.data)
    if detected != ext and not (detected == "text" and ext in ("csv", "txt")):
        raise ServiceError(_("%(name)s does not look like a .%(ext)s file.", name=name, ext=ext), field="upload")
    if ext in IMAGE_TYPES and not alt_text:
        raise ServiceError(
            _("Describe the image for people who cannot see it (the text alternative)."), field="upload_alt"
        )
    if len(alt_text) > MAX_ALT:
        raise ServiceError(_("Keep the text alternative under %(n)d characters.", n=MAX_ALT), field="upload_alt")
    return name, ext


def check(upload: Upload, alt_text: str = "") -> None:
    """Raise ServiceError when the upload could not be stored as a course file (type, size, alt text)."""
    _check(upload, " ".join((alt_text or "").split()))


def upload_file(course: Course, *, uploader: User | None, upload: Upload, alt_text: str = "") -> CourseFile:
    """Check and store an upload for the course; an image needs `alt_text`."""
    alt_text = " ".join((alt_text or "").split())
    name, ext = _check(upload, alt_text)
    stored = CourseFile(
        course_id=course.id,
        filename=name,
        file_type=ext,
        size=len(upload.data),
        sha256=write_blob(upload.data),
        alt_text=alt_text,
        uploaded_by_id=uploader.id if uploader is not None else None,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def list_files(course: Course) -> list[CourseFile]:
    """The course's files, newest first."""
    stmt = select(CourseFile).where(CourseFile.course_id == course.id).order_by(CourseFile.id.desc())
    return list(db.session.scalars(stmt))


def get_file(course: Course, file_id: int) -> CourseFile:
    """One file of this course, or NotFound."""
    found = db.session.get(CourseFile, file_id)
    if found is None or found.course_id != course.id:
        raise NotFound(_("That file does not exist."))
    return found


def delete_file(course: Course, file_id: int) -> CourseFile:
    """Remove a file from the course; lessons that show it keep its text alternative."""
    found = get_file(course, file_id)
    db.session.delete(found)
    db.session.flush()
    return found


def file_url(course: Course, course_file: CourseFile) -> str:
    """Where the file is served (the name in the address is for people; the id finds the file)."""
    return url_for("courses.course_file", slug=course.slug, file_id=course_file.id, name=course_file.filename)


def reference(course_file: CourseFile) -> str:
    """The Markdown that puts the file in a lesson: an image with its alt text, or a download link."""
    target = f"upload:{course_file.id}"
    if is_image(course_file):
        alt = course_file.alt_text.replace("]", ")").replace("[", "(")
        return f"![{alt}]({target})"
    label = course_file.filename.replace("]", ")").replace("[", "(")
    return f"[{label}]({target})"


def resolver(course: Course) -> LessonFileResolver:
    """Resolves `upload:<id>` in the course's lessons; the files are read once, on first use."""
    cache: dict[int, CourseFile] | None = None

    def resolve(file_id: int) -> LessonFile | None:
        nonlocal cache
        if cache is None:
            cache = {f.id: f for f in list_files(course)}
        found = cache.get(file_id)
        if found is None:
            return None
        return LessonFile(url=file_url(course, found), is_image=is_image(found), name=found.filename)

    return resolve
