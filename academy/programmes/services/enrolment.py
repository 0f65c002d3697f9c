"""Finding programmes, enrolling in them (and so in their courses), and leaving."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.models import User
from academy.courses.models import Course, Enrolment, EnrolmentStatus
from academy.courses.services import progress as course_progress
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound
from academy.extensions import db
from academy.programmes.models import (
    PartKind,
    Programme,
    ProgrammeEnrolment,
    ProgrammeEnrolmentStatus,
    ProgrammePart,
    ProgrammeStatus,
)
from academy.programmes.policy import can_view_programme

PER_PAGE = 12


def published(*, q: str = "") -> Select:
    """Published programmes matching every word in `q` (title or summary, at most 8 words), by title."""
    stmt = (
        select(Programme)
        .where(Programme.status == ProgrammeStatus.PUBLISHED)
        .options(selectinload(Programme.parts))
        .order_by(Programme.title, Programme.id)
    )
    for word in q.split()[:8]:
        stmt = stmt.where(
            or_(Programme.title.icontains(word, autoescape=True), Programme.summary.icontains(word, autoescape=True))
        )
    return stmt


def listed(*, q: str = "", page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """Published programmes matching the words in `q`, by title, one page at a time."""
    return db.paginate(published(q=q), page=page, per_page=per_page, error_out=False)


def get_programme(slug: str, *, viewer: User | None = None) -> Programme:
    """A published or archived programme (or any, for those who may edit it) with its parts loaded; NotFound otherwise.

    An archived programme keeps its page, like an archived course: participants and certificate
    holders still reach it; it is only out of the catalogue and closed to new enrolments.
    """
    programme = db.session.scalar(
        select(Programme)
        .where(Programme.slug == slug)
        .options(
            selectinload(Programme.owners),
            selectinload(Programme.outcomes),
            selectinload(Programme.parts).selectinload(ProgrammePart.course).selectinload(Course.published_version),
            selectinload(Programme.parts).selectinload(ProgrammePart.session),
            # Other dates come in the parts query itself (a join), so the page keeps its query count.
            selectinload(Programme.parts).joinedload(ProgrammePart.other_dates),
        )
    )
    if programme is None or not can_view_programme(viewer, programme):
        raise NotFound(_("No such programme."))
    return programme


def enrolment_of(user: User | None, programme: Programme) -> ProgrammeEnrolment | None:
    """The user's programme enrolment (active or left), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(ProgrammeEnrolment).where(
            ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.user_id == user.id
        )
    )


def is_enrolled(user: User | None, programme: Programme) -> bool:
    """True while the user is an active participant."""
    enrolment = enrolment_of(user, programme)
    return enrolment is not None and enrolment.status == ProgrammeEnrolmentStatus.ACTIVE


def enrol(user: User, programme: Programme) -> ProgrammeEnrolment:
    """Enrol the user in the programme and in each of its courses (those they are not already in).

    The programme certificate check is queued for after the commit: a learner may already hold
    every course certificate (pages and API alike).
    """
    # programmes.jobs runs this module's lookups: importing it at the top would be a circle.
    from academy.programmes import jobs

    if programme.status == ProgrammeStatus.ARCHIVED:
        raise Conflict(_("This programme is archived and takes no new enrolments."))
    if programme.status != ProgrammeStatus.PUBLISHED:
        raise NotFound(_("This programme is not open for enrolment."))
    enrolment = enrolment_of(user, programme)
    if enrolment is not None and enrolment.status == ProgrammeEnrolmentStatus.ACTIVE:
        raise Conflict(_("You are already enrolled in this programme."))
    if enrolment is None:
        enrolment = ProgrammeEnrolment(programme_id=programme.id, user_id=user.id)
        try:
            with db.session.begin_nested():  # a double click racing us hits the unique row
                db.session.add(enrolment)
        except IntegrityError as exc:
            raise Conflict(_("You are already enrolled in this programme.")) from exc
    enrolment.status = ProgrammeEnrolmentStatus.ACTIVE
    enrolment.enrolled_at = utcnow()
    for part in programme.parts:
        if part.kind != PartKind.COURSE or part.course is None:
            continue
        existing = course_progress.get_enrolment(user, part.course)
        if course_progress.is_active(existing):
            continue
        try:
            course_progress.enrol(user, part.course)
        except (Conflict, NotFound):
            # An archived or withdrawn course: the programme page shows it as unavailable.
            continue
    db.session.flush()
    jobs.queue_check(user.id)
    return enrolment


def participants_to_enrol(programme_id: int, course: Course) -> list[User]:
    """Active participants who have not completed the programme and are not active in `course`."""
    in_course = select(Enrolment.id).where(
        Enrolment.user_id == User.id, Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE
    )
    return list(
        db.session.scalars(
            select(User)
            .join(ProgrammeEnrolment, ProgrammeEnrolment.user_id == User.id)
            .where(
                ProgrammeEnrolment.programme_id == programme_id,
                ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE,
                ProgrammeEnrolment.completed_at.is_(None),
                ~in_course.exists(),
            )
            .order_by(User.id)
        )
    )


def leave(user: User, programme: Programme) -> ProgrammeEnrolment:
    """Leave the programme; course enrolments, registrations and certificates stay."""
    enrolment = enrolment_of(user, programme)
    if enrolment is None or enrolment.status != ProgrammeEnrolmentStatus.ACTIVE:
        raise Conflict(_("You are not enrolled in this programme."))
    enrolment.status = ProgrammeEnrolmentStatus.LEFT
    db.session.flush()
    return enrolment


def programmes_of_learner(user: User) -> list[ProgrammeEnrolment]:
    """The user's active programme enrolments with their programmes."""
    return list(
        db.session.scalars(
            select(ProgrammeEnrolment)
            .where(ProgrammeEnrolment.user_id == user.id, ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE)
            .options(selectinload(ProgrammeEnrolment.programme))
        )
    )


def unfinished_programmes(user: User) -> list[ProgrammeEnrolment]:
    """Active programme enrolments not yet completed, with each programme's parts and sessions loaded (4 queries)."""
    return list(
        db.session.scalars(
            select(ProgrammeEnrolment)
            .where(
                ProgrammeEnrolment.user_id == user.id,
                ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE,
                ProgrammeEnrolment.completed_at.is_(None),
            )
            .options(
                selectinload(ProgrammeEnrolment.programme)
                .selectinload(Programme.parts)
                .options(selectinload(ProgrammePart.session), joinedload(ProgrammePart.other_dates))
            )
            .order_by(ProgrammeEnrolment.enrolled_at.desc(), ProgrammeEnrolment.id.desc())
        )
    )
