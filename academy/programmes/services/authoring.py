"""Defining programmes: title, outcomes, ordered parts (courses and sessions), publishing.

Services flush and never commit; views, jobs and the CLI own the transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from academy.auth.models import User
from academy.courses.models import Course, CourseStatus
from academy.courses.services.authoring import slugify
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db
from academy.programmes import jobs
from academy.programmes.models import (
    PartKind,
    Programme,
    ProgrammeOutcome,
    ProgrammePart,
    ProgrammeStatus,
    TrainingSession,
)
from academy.programmes.policy import can_manage_programme, managed_programmes
from academy.programmes.services import seats


def programme_for_editing(slug: str, user: User) -> Programme:
    """The programme with its parts, outcomes and sessions; NotFound or PermissionDenied otherwise."""
    programme = db.session.scalar(
        select(Programme)
        .where(Programme.slug == slug)
        .options(
            selectinload(Programme.owners),
            selectinload(Programme.parts).selectinload(ProgrammePart.course).selectinload(Course.published_version),
            selectinload(Programme.parts).selectinload(ProgrammePart.session),
            # Other dates come in the parts query itself (a join), so the page keeps its query count.
            selectinload(Programme.parts).joinedload(ProgrammePart.other_dates),
            selectinload(Programme.outcomes),
            selectinload(Programme.sessions),
        )
    )
    if programme is None:
        raise NotFound(_("No such programme."))
    if not can_manage_programme(user, programme):
        raise PermissionDenied
    return programme


def programmes_of(user: User) -> list[Programme]:
    """Programmes the user may edit (all for admins), by title."""
    stmt = (
        select(Programme)
        .options(selectinload(Programme.parts))
        .where(managed_programmes(user))
        .order_by(Programme.title, Programme.id)
    )
    return list(db.session.scalars(stmt))


def _credits(value: Decimal | str | int | float | None) -> Decimal:
    try:
        credits = Decimal(str(value if value is not None else "0"))
    except InvalidOperation:
        raise ServiceError(_("Enter the credits as a number."), field="credits") from None
    if credits < 0 or (credits * 2) % 1 != 0:
        raise ServiceError(_("Credits go in steps of 0.5."), field="credits")
    return credits


def create_programme(
    *,
    title: str,
    owner: User,
    summary: str = "",
    credits: Decimal | str | int = 0,
    validity_months: int | None = None,
    slug: str | None = None,
) -> Programme:
    """A draft programme owned by `owner`."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Give the programme a title."), field="title")
    field = "slug" if slug else "title"  # the form without a slug field derives it from the title
    slug = slugify(slug or title)
    if not slug:
        raise ServiceError(_("Use letters or digits in the title, so the programme gets a web address."), field=field)
    taken = Conflict(
        _("Another programme already uses the web address /programmes/%(slug)s. Choose another title.", slug=slug),
        field=field,
    )
    if db.session.scalar(select(Programme.id).where(Programme.slug == slug)) is not None:
        raise taken
    if validity_months is not None and validity_months <= 0:
        raise ServiceError(_("The validity period is a number of months above zero."), field="validity_months")
    programme = Programme(
        slug=slug,
        title=title[:200],
        summary=(summary or "").strip(),
        credits=_credits(credits),
        validity_months=validity_months,
        status=ProgrammeStatus.DRAFT,
    )
    programme.owners = [owner]
    try:
        with db.session.begin_nested():  # someone else took the address a moment ago: the same field error
            db.session.add(programme)
            db.session.flush()
    except IntegrityError:
        raise taken from None
    return programme


def update_programme(
    programme: Programme,
    *,
    title: str,
    summary: str,
    credits: Decimal | str | int,
    validity_months: int | None,
) -> Programme:
    """Change the programme's description; certificates already issued keep what they said."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Give the programme a title."), field="title")
    if validity_months is not None and validity_months <= 0:
        raise ServiceError(_("The validity period is a number of months above zero."), field="validity_months")
    programme.title = title[:200]
    programme.summary = (summary or "").strip()
    programme.credits = _credits(credits)
    programme.validity_months = validity_months
    db.session.flush()
    return programme


def set_outcomes(programme: Programme, outcomes: list[tuple[str, str, list[dict]]]) -> None:
    """Replace the programme's outcomes: (code, text, [{"course_id", "key"}, ...]) in order."""
    codes = [code.strip() for code, _text, _map in outcomes]
    if len(set(codes)) != len(codes) or not all(codes):
        raise ServiceError(_("Each outcome needs its own code."), field="outcomes")
    programme.outcomes.clear()
    db.session.flush()
    for position, (code, text, mapping) in enumerate(outcomes):
        programme.outcomes.append(
            ProgrammeOutcome(code=code.strip()[:20], text=text.strip(), position=position, course_outcomes=mapping)
        )
    db.session.flush()


def add_course(programme: Programme, course: Course, *, required: bool = True) -> ProgrammePart:
    """Append a course to the programme; its participants are enrolled in it after the commit."""
    if course.published_version_id is None or course.status != CourseStatus.PUBLISHED:
        raise ServiceError(_("Only a published course can be part of a programme."), field="course")
    if any(part.course_id == course.id for part in programme.parts):
        raise Conflict(_("This course is already part of the programme."), field="course")
    part = ProgrammePart(kind=PartKind.COURSE, course=course, required=required, position=len(programme.parts))
    programme.parts.append(part)
    db.session.flush()
    # Participants still working towards the programme are enrolled in the new course too.
    jobs.queue_enrol_participants(programme.id, course.id)
    return part


def remove_part(programme: Programme, part_id: int) -> None:
    """Take a part out of the programme (a session with registrations stays; only the part goes).

    Checked per date of a session part: a scheduled date with people registered or waiting is
    refused (cancel it first, so they are told), one that has taken place too (make the part optional).
    """
    part = next((p for p in programme.parts if p.id == part_id), None)
    if part is None:
        raise NotFound(_("No such part."))
    if part.kind == PartKind.SESSION:
        for date in part.dates:
            _check_removable_date(date)
    if part.required:
        _check_keeps_a_required_part(programme, part)
    for date in part.other_dates:
        # Like the part's own session, its other dates stay (with their registrations) without the part.
        date.part_id = None
    db.session.flush()
    programme.parts.remove(part)
    for position, other in enumerate(programme.parts):
        other.position = position
    db.session.flush()
    # Fewer requirements may complete someone's programme: check every participant after the commit.
    jobs.queue_programme_check(programme.id)


def _check_removable_date(session: TrainingSession) -> None:
    """A date with people registered or waiting is refused: taken place (make optional) or not (cancel first)."""
    if session.cancelled or not seats.participant_count(session):
        return
    if session.starts_at <= utcnow():
        raise Conflict(
            _(
                "%(title)s has taken place and its attendance counts for certificates."
                " Make it optional instead of removing it.",
                title=session.title,
            )
        )
    raise Conflict(
        _(
            "People are registered or waiting for %(title)s. Cancel the session first, so they are told;"
            " then you can remove it.",
            title=session.title,
        )
    )


def _check_keeps_a_required_part(programme: Programme, part: ProgrammePart) -> None:
    """Refuse to drop `part` from the requirements of a published programme when it is the last one."""
    if programme.status == ProgrammeStatus.PUBLISHED and not any(p.required for p in programme.parts if p is not part):
        raise ServiceError(_("A published programme needs at least one required part: add another one first."))


def set_required(programme: Programme, part_id: int, *, required: bool) -> bool:
    """Make a part required or optional; True when something changed.

    A part made required counts from now on, like a part added now: participants who already
    completed the programme keep their certificate without it.
    """
    part = next((p for p in programme.parts if p.id == part_id), None)
    if part is None:
        raise NotFound(_("No such part."))
    if part.required == required:
        return False
    if not required:
        _check_keeps_a_required_part(programme, part)
    part.required = required
    if required:
        part.added_at = utcnow()
    else:
        # One requirement fewer may complete someone's programme.
        jobs.queue_programme_check(programme.id)
    db.session.flush()
    return True


def move_part(programme: Programme, part_id: int, *, offset: int) -> None:
    """Move a part up (offset -1) or down (+1) in the programme's order; at either end nothing moves."""
    parts = list(programme.parts)
    index = next((i for i, p in enumerate(parts) if p.id == part_id), None)
    if index is None:
        raise NotFound(_("No such part."))
    target = index + offset
    if 0 <= target < len(parts):
        parts[index], parts[target] = parts[target], parts[index]
    for position, part in enumerate(parts):
        part.position = position
    db.session.flush()
    db.session.expire(programme, ["parts"])


def publish(programme: Programme) -> None:
    """Show the programme to learners; it needs at least one required part."""
    if programme.status == ProgrammeStatus.ARCHIVED:
        raise Conflict(_("Bring the programme back from the archive first."))
    if not any(part.required for part in programme.parts):
        raise ServiceError(_("A programme needs at least one required part before it is published."))
    programme.status = ProgrammeStatus.PUBLISHED
    programme.published_at = programme.published_at or utcnow()
    db.session.flush()


def unpublish(programme: Programme) -> None:
    """Back to draft: learners no longer find it; enrolments and certificates stay."""
    if programme.status == ProgrammeStatus.ARCHIVED:
        raise Conflict(_("Bring the programme back from the archive first."))
    programme.status = ProgrammeStatus.DRAFT
    db.session.flush()


def archive(programme: Programme) -> None:
    """Withdraw the programme: out of the catalogue, no new enrolments; participants keep page and certificates."""
    if programme.status == ProgrammeStatus.ARCHIVED:
        raise Conflict(_("The programme is already archived."))
    programme.status = ProgrammeStatus.ARCHIVED
    db.session.flush()


def restore(programme: Programme) -> None:
    """Bring an archived programme back: published again if it ever was, a draft otherwise."""
    if programme.status != ProgrammeStatus.ARCHIVED:
        raise Conflict(_("The programme is not archived."))
    programme.status = ProgrammeStatus.PUBLISHED if programme.published_at is not None else ProgrammeStatus.DRAFT
    db.session.flush()
