"""Certified training programmes: the public catalogue (my enrolments and registrations: programme_enrolments.py).

Everything is decided by the programmes feature's services (academy.programmes.services): which
programmes are listed and shown, enrolling (and so enrolling in the courses), leaving, a seat or
the waiting list, cancelling (which promotes the next person waiting), and the learner's standing
per part as the programme page shows it. This module only loads, calls and describes.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy.orm import selectinload

from academy.api.core import api_route
from academy.api.fields import Text
from academy.api.pagination import Page, paginate
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.core import public_cache
from academy.courses.models import Course
from academy.exceptions import NotFound
from academy.programmes.models import (
    PartKind,
    Programme,
    ProgrammePart,
    ProgrammeStatus,
    SessionMode,
    SessionStatus,
    TrainingSession,
)
from academy.programmes.services import enrolment, seats

describe_tag(
    "Programmes",
    "Certified training programmes combining courses and sessions. Public: no token needed.",
)
describe_tag(
    "Programme learning",
    "Your programme enrolments with your standing in each part, and your session registrations.",
)

# --- schemas: the catalogue -----------------------------------------------------------------


class ProgrammeQuery(PageQuery):
    """Filters of the programme catalogue."""

    q = Text(
        validate=validate.Length(max=100),
        metadata={"description": "Words to find in the title or summary (each word must match; case-insensitive)."},
    )


class ProgrammeSummary(ApiSchema):
    """A published programme as listed in the catalogue."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    credits = fields.Float(required=True, metadata={"description": "ECTS credits."})
    validity_months = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Months the certificate stays valid; null: no expiry."}
    )
    published_at = fields.DateTime(required=True, allow_none=True)
    courses = fields.Integer(required=True, metadata={"description": "How many course parts."})
    sessions = fields.Integer(required=True, metadata={"description": "How many session parts."})


class ProgrammeOutcomeText(ApiSchema):
    """A learning outcome of the programme."""

    code = fields.String(required=True)
    text = fields.String(required=True)


class ProgrammeCourse(ApiSchema):
    """The course of a course part."""

    slug = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "Of the published version (the slug without one)."})


class ProgrammeSession(ApiSchema):
    """A session: when (UTC, with the time zone it is held in), where, seats and registration."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    mode = fields.Enum(SessionMode, by_value=True, required=True)
    starts_at = fields.DateTime(required=True, metadata={"description": "UTC."})
    ends_at = fields.DateTime(required=True, metadata={"description": "UTC."})
    timezone = fields.String(required=True, metadata={"description": "IANA zone it is held in, e.g. Europe/Vienna."})
    place = fields.String(required=True, metadata={"description": "Address of an in-person session; empty online."})
    capacity = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)
    registration_deadline = fields.DateTime(
        required=True, metadata={"description": "When registration closes (UTC): the deadline, or the start."}
    )
    registration_open = fields.Boolean(required=True)
    status = fields.Enum(
        SessionStatus, by_value=True, required=True, metadata={"description": "`cancelled`: called off by the trainer."}
    )
    cancellation_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "What participants were told; null unless cancelled."}
    )


class ProgrammePartItem(ApiSchema):
    """One part of the programme, in order: a course or a session."""

    position = fields.Integer(required=True, metadata={"description": "1 for the first part."})
    kind = fields.Enum(PartKind, by_value=True, required=True)
    required = fields.Boolean(required=True, metadata={"description": "Needed for the certificate."})
    title = fields.String(required=True)
    course = fields.Nested(ProgrammeCourse, required=True, allow_none=True, metadata={"description": "Course parts."})
    session = fields.Nested(
        ProgrammeSession,
        required=True,
        allow_none=True,
        metadata={"description": "Session parts: the part's first session (also the first of `dates`)."},
    )
    dates = fields.List(
        fields.Nested(ProgrammeSession),
        required=True,
        allow_none=True,
        metadata={
            "description": "Session parts: every date it is offered on (the part's session first, then by start);"
            " attending any one does the part. Null for course parts."
        },
    )


class ProgrammeDetail(ProgrammeSummary):
    """A programme with its outcomes and its parts in order."""

    status = fields.Enum(
        ProgrammeStatus,
        by_value=True,
        required=True,
        metadata={"description": "`published`, or `archived`: still shown to participants, closed to enrolment."},
    )
    trainers = fields.List(fields.String(), required=True, metadata={"description": "Names of its trainers."})
    outcomes = fields.List(fields.Nested(ProgrammeOutcomeText), required=True)
    parts = fields.List(fields.Nested(ProgrammePartItem), required=True)


ProgrammePage = page_of(ProgrammeSummary, "ProgrammePage")


# --- describing ---------------------------------------------------------------------------------


def _course_title(course: Course) -> str:
    return course.published_version.title if course.published_version else course.slug


def session_fields(session: TrainingSession) -> dict[str, Any]:
    """A session as ProgrammeSession describes it."""
    return {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "mode": session.mode,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "timezone": session.timezone,
        "place": session.place,
        "capacity": session.capacity,
        "seats_left": session.seats_left,
        "registration_deadline": seats.registration_closes(session),
        "registration_open": seats.registration_open(session),
        "status": session.status,
        "cancellation_reason": session.cancellation_reason if session.cancelled else None,
    }


def part_fields(position: int, part: ProgrammePart) -> dict[str, Any]:
    """A part as ProgrammePartItem describes it."""
    course, session = part.course, part.session
    return {
        "position": position,
        "kind": part.kind,
        "required": part.required,
        "title": _course_title(course) if course is not None else session.title,
        "course": {"slug": course.slug, "title": _course_title(course)} if course is not None else None,
        "session": session_fields(session) if session is not None else None,
        "dates": [session_fields(date) for date in part.offered_dates] if session is not None else None,
    }


def _summary(programme: Programme) -> dict[str, Any]:
    kinds = [p.kind for p in programme.parts]
    return {
        "slug": programme.slug,
        "title": programme.title,
        "summary": programme.summary,
        "credits": programme.credits,
        "validity_months": programme.validity_months,
        "published_at": programme.published_at,
        "courses": kinds.count(PartKind.COURSE),
        "sessions": kinds.count(PartKind.SESSION),
    }


# --- loading ------------------------------------------------------------------------------------


def with_parts() -> Any:
    """Loader options: a programme with its parts, courses and sessions."""
    return (
        selectinload(Programme.parts).selectinload(ProgrammePart.course).selectinload(Course.published_version),
        selectinload(Programme.parts).selectinload(ProgrammePart.session),
        # Other dates come in the parts query itself (a join), so the page keeps its query count.
        selectinload(Programme.parts).joinedload(ProgrammePart.other_dates),
    )


# --- the catalogue ------------------------------------------------------------------------------


@api_route("/programmes", query=ProgrammeQuery, response=ProgrammePage, tags=["Programmes"])
@public_cache.cacheable()
def list_programmes(query: dict[str, Any]) -> Page:
    """List published programmes.

    Search titles and summaries with `q` (every word must match, as on the catalogue page); sorted by title.
    """
    page = paginate(enrolment.published(q=query.get("q") or ""), limit=query["limit"], offset=query["offset"])
    page.items = [_summary(p) for p in page.items]
    return page


@api_route("/programmes/<slug>", response=ProgrammeDetail, tags=["Programmes"])
def get_programme(slug: str) -> dict[str, Any]:
    """A programme with its outcomes and its parts in order.

    Session parts carry their times in UTC with the time zone they are held in, the seats left and
    whether registration is open. Archived programmes keep their page (closed to new enrolments),
    as on the site; drafts answer 404.
    """
    try:
        programme = enrolment.get_programme(slug, viewer=None)
    except NotFound:
        raise NotFound("There is no published programme with this address.") from None
    out = _summary(programme)
    out.update(
        status=programme.status,
        trainers=[owner.name for owner in programme.owners],
        outcomes=[{"code": o.code, "text": o.text} for o in programme.outcomes],
        parts=[part_fields(n, part) for n, part in enumerate(programme.parts, start=1)],
    )
    return out
