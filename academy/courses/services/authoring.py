"""What trainers change about a course as a whole: its address, details, archiving and co-owners.

Changes to the details land on the draft of the next version (made on first change after a
publication), so learners keep studying the published version until the draft is published.
What is inside a course (outcomes, modules, lessons) is changed in `content`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from academy.auth.models import User
from academy.auth.services import get_user_by_email
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    Level,
    VersionStatus,
)
from academy.courses.policy import can_manage_course, managed_courses
from academy.courses.services import versioning
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Slugs that would clash with fixed trainer addresses such as /trainer/courses/new.
RESERVED_SLUGS = frozenset({"new"})


def reserved_slugs() -> frozenset[str]:
    """Words no course slug may be: "new", and every fixed word the URL map puts where a <slug> goes.

    `/teach/programmes/...` is the programme editor, so a course called "programmes" could never
    reach `/teach/<slug>/quizzes`; reading the words from the URL map keeps this true for routes
    added later by any feature.
    """
    words = set(RESERVED_SLUGS)
    if not has_app_context():
        return frozenset(words)
    rules = [rule.rule for rule in current_app.url_map.iter_rules()]
    prefixes = {rule[: rule.index("<slug>")] for rule in rules if "<slug>" in rule}
    for rule in rules:
        for prefix in prefixes:
            if rule.startswith(prefix):
                word = rule[len(prefix) :].split("/", 1)[0]
                if word and "<" not in word:
                    words.add(word)
    return frozenset(words)


def check_slug(slug: str) -> None:
    """ServiceError on the slug field unless `slug` can be a course address."""
    if not SLUG_RE.match(slug) or len(slug) > 80:
        raise ServiceError(
            _("Use lower-case letters, digits and single hyphens, for example “jems-basics”."), field="slug"
        )
    if slug in reserved_slugs():
        raise ServiceError(
            _("“%(slug)s” is the name of a page of the site; choose another address.", slug=slug), field="slug"
        )


def slugify(text: str, *, max_length: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens ("Jems & eMS" -> "jems-ems")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


def unique_key(base: str, taken: set[str], *, fallback: str = "item") -> str:
    """`base` as a key, with -2, -3... appended when taken."""
    stem = slugify(base, max_length=56) or fallback
    key, n = stem, 2
    while key in taken:
        key = f"{stem}-{n}"
        n += 1
    return key


# --- permissions -----------------------------------------------------------------------------


def course_for_editing(slug: str, user: User) -> Course:
    """The course by slug with its versions and owners; NotFound or PermissionDenied otherwise."""
    course = db.session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.owners), selectinload(Course.versions))
    )
    if course is None:
        raise NotFound(_("No such course."))
    if not can_manage_course(user, course):
        raise PermissionDenied
    return course


def courses_of(user: User, *, owned_only: bool = False) -> list[tuple[Course, CourseVersion, int]]:
    """Courses the user may edit (every one for admins unless `owned_only`), working version, active learners."""
    stmt = (
        select(Course)
        .options(selectinload(Course.versions), selectinload(Course.owners))
        .where(managed_courses(user, owned_only=owned_only))
    )
    courses = db.session.scalars(stmt).all()
    counts = dict(
        db.session.execute(
            select(Enrolment.course_id, func.count())
            .where(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.course_id.in_([c.id for c in courses]))
            .group_by(Enrolment.course_id)
        ).all()
    )
    rows = [(c, versioning.working_version(c), counts.get(c.id, 0)) for c in courses]
    rows.sort(key=lambda row: row[1].title.lower())
    return rows


# --- courses -------------------------------------------------------------------------------


def _check_course_values(values: dict[str, Any]) -> None:
    credits = values.get("credits")
    if credits is not None and (Decimal(credits) * 2) % 1 != 0:
        raise ServiceError(_("Credits go in steps of 0.5."), field="credits")
    level = values.get("level")
    if level is not None and not isinstance(level, Level):
        values["level"] = Level(level)


def create_course(*, slug: str, owner: User, **values: Any) -> Course:
    """A new course with its first version as a draft, owned by `owner`."""
    slug = (slug or "").strip().lower()
    check_slug(slug)
    if db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise Conflict(_("Another course already uses this address."), field="slug")
    if not owner.has_role("trainer"):
        raise PermissionDenied
    _check_course_values(values)
    course = Course(slug=slug, status=CourseStatus.DRAFT, owners=[owner])
    version = CourseVersion(number=1, status=VersionStatus.DRAFT)
    for name in versioning.VERSION_FIELDS:
        if name in values:
            setattr(version, name, values[name])
    course.versions.append(version)
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course: Course, **values: Any) -> CourseVersion:
    """Change the course's details on the draft."""
    _check_course_values(values)
    draft = versioning.ensure_draft(course)
    for name, value in values.items():
        if name not in versioning.VERSION_FIELDS:
            raise ValueError(f"unknown course field {name}")
        setattr(draft, name, value)
    db.session.flush()
    return draft


def set_archived(course: Course, archived: bool) -> None:
    """Take a published course out of the catalogue, or bring it back."""
    if course.published_version_id is None:
        raise Conflict(_("Only a published course can be archived."))
    course.status = CourseStatus.ARCHIVED if archived else CourseStatus.PUBLISHED
    db.session.flush()


def add_owner(course: Course, email: str) -> User:
    """Make the trainer with this e-mail address a co-owner."""
    user = get_user_by_email(email)
    if user is None:
        raise ServiceError(_("No account uses this e-mail address."), field="email")
    if not user.has_role("trainer"):
        raise ServiceError(_("%(name)s is not a trainer; an admin can make them one.", name=user.name), field="email")
    if any(o.id == user.id for o in course.owners):
        raise Conflict(_("%(name)s already owns this course.", name=user.name), field="email")
    course.owners.append(user)
    db.session.flush()
    return user


def remove_owner(course: Course, user_id: int) -> User:
    """Remove a co-owner; the last owner stays."""
    owner = next((o for o in course.owners if o.id == user_id), None)
    if owner is None:
        raise NotFound(_("This person does not own the course."))
    if len(course.owners) == 1:
        raise Conflict(_("A course keeps at least one owner."))
    course.owners.remove(owner)
    db.session.flush()
    return owner
