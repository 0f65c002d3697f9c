"""Certified training programmes: the public catalogue, my programme enrolments, session registration.

Everything is decided by the programmes feature's services (academy.programmes.services): which
programmes are listed and shown, enrolling (and so enrolling in the courses), leaving, a seat or
the waiting list, cancelling (which promotes the next person waiting), and the learner's standing
per part as the programme page shows it. This module only loads, calls and describes.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, selectinload

from academy.api.core import api_route, api_user
from academy.api.fields import Text
from academy.api.pagination import Page, paginate
from academy.api.problems import ApiProblem
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.certificates import services as certificate_services
from academy.certificates.models import Certificate
from academy.core import public_cache
from academy.courses.models import Course
from academy.exceptions import NotFound
from academy.extensions import db
from academy.programmes import jobs, policy
from academy.programmes.models import (
    Attendance,
    PartKind,
    Programme,
    ProgrammeEnrolment,
    ProgrammeEnrolmentStatus,
    ProgrammePart,
    ProgrammeStatus,
    RegistrationStatus,
    SessionMode,
    SessionRegistration,
    SessionStatus,
    TrainingSession,
)
from academy.programmes.services import enrolment, progress, sessions
from academy.programmes.services.progress import PartStanding, PartState, Standing

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

# --- schemas: my enrolments and registrations -------------------------------------------------


class ProgrammeEnrolmentCreate(ApiSchema):
    """The programme to enrol in."""

    programme = Text(
        required=True, validate=validate.Length(min=1, max=80), metadata={"description": "The programme's slug."}
    )


class MySessionPlace(ApiSchema):
    """My seat or waiting-list place at a session."""

    status = fields.Enum(RegistrationStatus, by_value=True, required=True)
    queue_position = fields.Integer(
        required=True, allow_none=True, metadata={"description": "On the waiting list: 1 = next to get a seat."}
    )
    queued_at = fields.DateTime(required=True)
    registered_at = fields.DateTime(required=True, allow_none=True, metadata={"description": "When I got a seat."})
    cancelled_at = fields.DateTime(required=True, allow_none=True)
    attendance = fields.Enum(Attendance, by_value=True, required=True, allow_none=True)
    online_url = fields.String(
        required=True, allow_none=True, metadata={"description": "The join link of an online session, with a seat."}
    )


class SessionRegistrationResult(MySessionPlace):
    """My registration for a session, with the session as it stands after the change."""

    programme = fields.String(required=True, metadata={"description": "The programme's slug."})
    session = fields.Nested(ProgrammeSession, required=True)


class PartStandingItem(ProgrammePartItem):
    """One part with where I stand in it, as on the programme page."""

    state = fields.Enum(PartState, by_value=True, required=True)
    label = fields.String(required=True, metadata={"description": "The state as the page words it."})
    done = fields.Boolean(required=True)
    percent = fields.Integer(required=True, metadata={"description": "Courses: share of required lessons done."})
    registration = fields.Nested(
        MySessionPlace, required=True, allow_none=True, metadata={"description": "Session parts I registered for."}
    )


class PartLeft(ApiSchema):
    """A required part still to do."""

    position = fields.Integer(required=True)
    kind = fields.Enum(PartKind, by_value=True, required=True)
    title = fields.String(required=True)


class ProgrammeCertificateLink(ApiSchema):
    """My programme certificate; its code and verification address are at `href`."""

    id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["valid", "expired", "revoked", "suspended"]))
    issued_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True, allow_none=True)
    href = fields.String(required=True, metadata={"description": "`GET /certificates/{id}` of this API."})


class ProgrammeRef(ApiSchema):
    """A programme by slug and title."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Enum(ProgrammeStatus, by_value=True, required=True)


class MyProgrammeEnrolment(ApiSchema):
    """One of my programme enrolments with my standing."""

    programme = fields.Nested(ProgrammeRef, required=True)
    status = fields.Enum(ProgrammeEnrolmentStatus, by_value=True, required=True)
    enrolled_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    percent = fields.Integer(
        required=True, metadata={"description": "The progress bar: required parts, courses counting their lessons."}
    )
    complete = fields.Boolean(required=True, metadata={"description": "Every required part is done."})
    parts = fields.List(fields.Nested(PartStandingItem), required=True)
    left = fields.List(fields.Nested(PartLeft), required=True, metadata={"description": "Required parts still to do."})
    certificate = fields.Nested(ProgrammeCertificateLink, required=True, allow_none=True)


ProgrammeEnrolmentPage = page_of(MyProgrammeEnrolment, "ProgrammeEnrolmentPage")

# --- describing ---------------------------------------------------------------------------------


def _course_title(course: Course) -> str:
    return course.published_version.title if course.published_version else course.slug


def _session(session: TrainingSession) -> dict[str, Any]:
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
        "registration_deadline": sessions.registration_closes(session),
        "registration_open": sessions.registration_open(session),
        "status": session.status,
        "cancellation_reason": session.cancellation_reason if session.cancelled else None,
    }


def _part(position: int, part: ProgrammePart) -> dict[str, Any]:
    course, session = part.course, part.session
    return {
        "position": position,
        "kind": part.kind,
        "required": part.required,
        "title": _course_title(course) if course is not None else session.title,
        "course": {"slug": course.slug, "title": _course_title(course)} if course is not None else None,
        "session": _session(session) if session is not None else None,
        "dates": [_session(date) for date in part.offered_dates] if session is not None else None,
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


def _place(registration: SessionRegistration, session: TrainingSession, position: int | None) -> dict[str, Any]:
    seated = registration.status == RegistrationStatus.REGISTERED
    return {
        "status": registration.status,
        "queue_position": position if registration.status == RegistrationStatus.WAITLISTED else None,
        "queued_at": registration.queued_at,
        "registered_at": registration.registered_at,
        "cancelled_at": registration.cancelled_at,
        "attendance": registration.attendance,
        # As on the programme page: the join link goes only to people holding a seat.
        "online_url": session.online_url if seated and session.mode == SessionMode.ONLINE else None,
    }


def _standing_part(position: int, item: PartStanding) -> dict[str, Any]:
    out = _part(position, item.part)
    registration = item.registration
    out.update(
        state=item.state,
        label=item.label,
        done=item.done,
        percent=item.percent,
        registration=_place(registration, registration.session, item.queue_position) if registration else None,
    )
    return out


def _certificate(certificate: Certificate | None) -> dict[str, Any] | None:
    if certificate is None:
        return None
    return {
        "id": certificate.id,
        "state": certificate.state().value,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "href": url_for("api.get_certificate", certificate_id=certificate.id),
    }


def _describe(row: ProgrammeEnrolment, result: Standing, certificate: Certificate | None) -> dict[str, Any]:
    positions = {id(item): n for n, item in enumerate(result.parts, start=1)}
    return {
        "programme": {"slug": row.programme.slug, "title": row.programme.title, "status": row.programme.status},
        "status": row.status,
        "enrolled_at": row.enrolled_at,
        "completed_at": row.completed_at,
        "percent": result.percent,
        "complete": result.complete,
        "parts": [_standing_part(n, item) for n, item in enumerate(result.parts, start=1)],
        "left": [
            {"position": positions[id(item)], "kind": item.part.kind, "title": _part(0, item.part)["title"]}
            for item in result.left
        ],
        "certificate": _certificate(certificate),
    }


def _describe_all(rows: list[ProgrammeEnrolment]) -> list[dict[str, Any]]:
    """My standing in each programme: the same number of queries for any number of programmes and parts."""
    user = api_user()
    results = progress.standings(
        [row.programme for row in rows], user, completed_at={row.programme_id: row.completed_at for row in rows}
    )
    held = certificate_services.current_programme_certificates(user.id, [row.programme_id for row in rows])
    return [_describe(row, result, held.get(row.programme_id)) for row, result in zip(rows, results, strict=True)]


# --- loading ------------------------------------------------------------------------------------


def _with_parts() -> Any:
    return (
        selectinload(Programme.parts).selectinload(ProgrammePart.course).selectinload(Course.published_version),
        selectinload(Programme.parts).selectinload(ProgrammePart.session),
        # Other dates come in the parts query itself (a join), so the page keeps its query count.
        selectinload(Programme.parts).joinedload(ProgrammePart.other_dates),
    )


def _mine() -> Select:
    """My enrolments in programmes that are not drafts, by programme title, with their parts."""
    return (
        select(ProgrammeEnrolment)
        .join(Programme, Programme.id == ProgrammeEnrolment.programme_id)
        .where(ProgrammeEnrolment.user_id == api_user().id, Programme.status != ProgrammeStatus.DRAFT)
        .options(contains_eager(ProgrammeEnrolment.programme).options(*_with_parts()))
        .order_by(Programme.title, Programme.id)
    )


def _one(slug: str) -> ProgrammeEnrolment:
    row = db.session.scalar(_mine().where(Programme.slug == slug))
    if row is None:
        raise NotFound("You have never enrolled in a programme with this address.")
    return row


def _session_or_404(session_id: int) -> TrainingSession:
    """As the programme pages: a session of a draft programme exists only for those who may edit it."""
    session = sessions.get_session(session_id)
    if not policy.can_view_programme(api_user(), session.programme):
        raise NotFound("No such session.")
    return session


def _registration_result(registration: SessionRegistration, session: TrainingSession) -> dict[str, Any]:
    position = None
    if registration.status == RegistrationStatus.WAITLISTED:
        position = progress.queue_position(api_user(), session.id)
    out = _place(registration, session, position)
    return {**out, "programme": session.programme.slug, "session": _session(session)}


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
        parts=[_part(n, part) for n, part in enumerate(programme.parts, start=1)],
    )
    return out


# --- my enrolments ------------------------------------------------------------------------------


@api_route(
    "/programme-enrolments",
    query=PageQuery,
    response=ProgrammeEnrolmentPage,
    scope="read",
    tags=["Programme learning"],
)
def list_programme_enrolments(query: dict[str, Any]) -> Page:
    """My programme enrolments (also those I left), by title, with my standing in each part.

    Per part the state the programme page shows (`not_started`, `in_progress`, `registered`,
    `waitlisted`, `absent`, `excused`, `done`), the progress bar, what is left, and my programme
    certificate once issued.
    """
    page = paginate(_mine(), limit=query["limit"], offset=query["offset"])
    page.items = _describe_all(page.items)
    return page


@api_route("/programme-enrolments/<slug>", response=MyProgrammeEnrolment, scope="read", tags=["Programme learning"])
def get_programme_enrolment(slug: str) -> dict[str, Any]:
    """My enrolment in one programme (also after leaving it), with my standing.

    404 if I never enrolled in it: nobody else's enrolment can be addressed.
    """
    return _describe_all([_one(slug)])[0]


@api_route(
    "/programme-enrolments",
    method="POST",
    body=ProgrammeEnrolmentCreate,
    response=MyProgrammeEnrolment,
    status=201,
    scope="write",
    tags=["Programme learning"],
    errors=[409],
)
def create_programme_enrolment(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Enrol in a published programme, and so in each of its courses (or come back after leaving).

    409 if I am already enrolled or the programme is archived; 422 naming `programme` if no
    published programme has that slug. As on the site, the programme certificate check runs
    afterwards (I may already hold every course certificate).
    """
    try:
        programme = enrolment.get_programme(body["programme"], viewer=None)  # drafts are not found
    except NotFound:
        raise ApiProblem(
            422,
            kind="validation-error",
            errors=[
                {"location": "body", "field": "programme", "message": "There is no published programme with this slug."}
            ],
        ) from None
    user = api_user()
    enrolment.enrol(user, programme)
    jobs.queue_check(user.id)
    db.session.commit()
    return (
        _describe_all([_one(programme.slug)])[0],
        201,
        {"Location": url_for("api.get_programme_enrolment", slug=programme.slug)},
    )


@api_route(
    "/programme-enrolments/<slug>",
    method="DELETE",
    response=MyProgrammeEnrolment,
    scope="write",
    tags=["Programme learning"],
    errors=[409],
)
def delete_programme_enrolment(slug: str) -> dict[str, Any]:
    """Leave a programme; my course enrolments, registrations and certificates stay.

    Answers the enrolment, now with status `left`. 409 if I am not enrolled in it.
    """
    try:
        programme = enrolment.get_programme(slug, viewer=None)
    except NotFound:
        raise NotFound("There is no programme with this address.") from None
    enrolment.leave(api_user(), programme)
    db.session.commit()
    return _describe_all([_one(slug)])[0]


# --- session registration -----------------------------------------------------------------------


@api_route(
    "/sessions/<int:session_id>/registration",
    method="PUT",
    response=SessionRegistrationResult,
    scope="write",
    tags=["Programme learning"],
    errors=[409],
)
def register_for_session(session_id: int) -> dict[str, Any]:
    """Register for a session: a seat if one is free, otherwise a place on the waiting list.

    Answers my registration: `registered`, or `waitlisted` with my place in the queue. Works for
    any date of a session part. 409 when registration has closed, I am not enrolled in the
    programme, I am already registered or waiting, or I hold a place on another date of the same
    part (cancel it first); 404 for a session of a programme that is not published.
    """
    session = _session_or_404(session_id)
    registration = sessions.register(api_user(), session)
    db.session.commit()
    return _registration_result(registration, session)


@api_route(
    "/sessions/<int:session_id>/registration",
    method="DELETE",
    response=SessionRegistrationResult,
    scope="write",
    tags=["Programme learning"],
    errors=[409],
)
def cancel_session_registration(session_id: int) -> dict[str, Any]:
    """Give up my seat or waiting-list place; a freed seat goes to the next person waiting.

    Answers my registration, now `cancelled`. 409 if I am not registered or the session has started.
    """
    session = _session_or_404(session_id)
    registration = sessions.cancel(api_user(), session)
    db.session.commit()
    return _registration_result(registration, session)
