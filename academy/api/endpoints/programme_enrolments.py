"""My programme enrolments with my standing in each part, and my session registrations (API).

The programmes feature's services decide everything (enrolling, leaving, a seat or the waiting
list, cancelling); this module loads, calls through `api_action` and describes."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from academy.api.core import api_route, api_user
from academy.api.endpoints.programmes import (
    ProgrammePartItem,
    ProgrammeSession,
    part_fields,
    session_fields,
    with_parts,
)
from academy.api.fields import Text
from academy.api.pagination import Page, paginate
from academy.api.problems import ApiProblem
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.certificates import achievements
from academy.certificates.models import Certificate
from academy.core.actions import api_action
from academy.exceptions import NotFound
from academy.extensions import db
from academy.programmes import policy
from academy.programmes.models import (
    CERTIFICATE_KIND,
    Attendance,
    PartKind,
    Programme,
    ProgrammeEnrolment,
    ProgrammeEnrolmentStatus,
    ProgrammeStatus,
    RegistrationStatus,
    SessionMode,
    SessionRegistration,
    TrainingSession,
)
from academy.programmes.services import enrolment, progress, seats, sessions
from academy.programmes.services.progress import PartStanding, PartState, Standing


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
    out = part_fields(position, item.part)
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
            {"position": positions[id(item)], "kind": item.part.kind, "title": part_fields(0, item.part)["title"]}
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
    held = achievements.current_achievement_certificates(user.id, CERTIFICATE_KIND, [row.programme_id for row in rows])
    return [_describe(row, result, held.get(row.programme_id)) for row, result in zip(rows, results, strict=True)]


def _mine() -> Select:
    """My enrolments in programmes that are not drafts, by programme title, with their parts."""
    return (
        select(ProgrammeEnrolment)
        .join(Programme, Programme.id == ProgrammeEnrolment.programme_id)
        .where(ProgrammeEnrolment.user_id == api_user().id, Programme.status != ProgrammeStatus.DRAFT)
        .options(contains_eager(ProgrammeEnrolment.programme).options(*with_parts()))
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
    return {**out, "programme": session.programme.slug, "session": session_fields(session)}


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
    with api_action():
        enrolment.enrol(api_user(), programme)
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
    with api_action():
        enrolment.leave(api_user(), programme)
    return _describe_all([_one(slug)])[0]


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
    with api_action():
        registration = seats.register(api_user(), session)
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
    with api_action():
        registration = seats.cancel(api_user(), session)
    return _registration_result(registration, session)
