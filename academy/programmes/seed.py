"""Demo programmes from the demo courses, each with a session part: one past (with a second, future date), one upcoming.

Idempotent: a programme that exists (by slug) is left as it is, so a second seed changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from academy.auth import services as auth_services
from academy.auth.models import User
from academy.courses.models import Course
from academy.db import utcnow
from academy.extensions import db
from academy.programmes.models import Programme, RegistrationStatus, SessionRegistration
from academy.programmes.services import authoring, enrolment, scheduling, seats, sessions


@dataclass(frozen=True)
class _Demo:
    slug: str
    title: str
    summary: str
    credits: str
    validity_months: int | None
    courses: tuple[str, ...]
    # (code, text, ((course slug, outcome code), ...))
    outcomes: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
    session: dict


DEMOS = (
    _Demo(
        slug="programme-management-track",
        title="Programme management track",
        summary=(
            "For staff of managing authorities and joint secretariats: how Interreg and Interact work, the "
            "harmonised implementation tools and the Jems monitoring system, with a day of practice in Vienna."
        ),
        credits="3",
        validity_months=36,
        courses=(
            "interreg-and-interact-in-brief",
            "hit-harmonised-implementation-tools",
            "jems-joint-electronic-monitoring-system",
        ),
        outcomes=(
            (
                "PM1",
                "Place your programme in the Interreg landscape and find the Interact support that fits.",
                (("interreg-and-interact-in-brief", "LO1"), ("interreg-and-interact-in-brief", "LO4")),
            ),
            (
                "PM2",
                "Run a call and follow projects to payment with harmonised documents and a shared monitoring system.",
                (
                    ("hit-harmonised-implementation-tools", "LO2"),
                    ("jems-joint-electronic-monitoring-system", "LO2"),
                ),
            ),
        ),
        session={
            "title": "Programme management day in Vienna",
            "description": (
                "Case work on a call for proposals, from the HIT application form to the first report in Jems."
            ),
            "mode": "in_person",
            "place": "Interact Office Vienna, Sterngasse 13, 1010 Vienna",
            "timezone": "Europe/Vienna",
            "days_from_now": -14,
            "start": time(9, 30),
            "hours": 6,
            "capacity": 24,
        },
    ),
    _Demo(
        slug="financial-management-track",
        title="Financial management track",
        summary=(
            "For finance officers, controllers and auditors: simplified cost options and how Jems carries them "
            "from the application to the payment claim, closed by a live online clinic."
        ),
        credits="2",
        validity_months=None,
        courses=("simplified-cost-options", "jems-joint-electronic-monitoring-system"),
        outcomes=(
            (
                "FM1",
                "Choose between flat rates, unit costs and lump sums for a cooperation project and justify it.",
                (("simplified-cost-options", "LO2"), ("simplified-cost-options", "LO3")),
            ),
            (
                "FM2",
                "Agree a shared interpretation of simplified costs across the programme's partner states.",
                (("simplified-cost-options", "LO4"),),
            ),
        ),
        session={
            "title": "Simplified costs clinic (live online)",
            "description": "Bring a cost question from your programme; we work through it together.",
            "mode": "online",
            "online_url": "https://meet.academy.example/simplified-costs-clinic",
            "timezone": "Europe/Brussels",
            "days_from_now": 21,
            "start": time(10, 0),
            "hours": 2,
            "capacity": 30,
        },
    ),
)

ROSTER = (
    # (name, e-mail, organisation, country, attendance at the past session)
    ("Marta Kovač", "marta.kovac@academy.example", "Managing Authority, Interreg Slovenia-Croatia", "SI", "present"),
    ("Jonas Berg", "jonas.berg@academy.example", "Joint Secretariat, Interreg Baltic Sea Region", "DE", "excused"),
    ("Sofia Almeida", "sofia.almeida@academy.example", "Audit Authority, Interreg Spain-Portugal", "PT", "present"),
)


# When the past demo session runs again (its second date), in days from now.
AGAIN_IN_DAYS = 35


def _slot(spec: dict) -> tuple[datetime, datetime]:
    zone = ZoneInfo(spec["timezone"])
    day = (utcnow().astimezone(zone) + timedelta(days=spec["days_from_now"])).date()
    starts = datetime.combine(day, spec["start"], tzinfo=zone).astimezone(ZoneInfo("UTC"))
    return starts, starts + timedelta(hours=spec["hours"])


def _roster_people(password: str) -> list[User]:
    people = []
    for name, email, organisation, country, _mark in ROSTER:
        user = auth_services.get_user_by_email(email)
        if user is None:
            user = auth_services.register_user(
                name=name, email=email, password=password, organisation=organisation, country=country
            )
        people.append(user)
    return people


def _seat(user: User, session_id: int) -> SessionRegistration:
    """A seat at a session whose registration has closed (the demo's past), taken the same atomic way."""
    registration = SessionRegistration(session_id=session_id, user_id=user.id, status=RegistrationStatus.REGISTERED)
    registration.registered_at = registration.queued_at = utcnow() - timedelta(days=30)
    db.session.add(registration)
    if not seats._take_seat(session_id):
        raise RuntimeError("the demo session is full")
    db.session.flush()
    return registration


def seed(*, trainer: User, password: str) -> Iterator[str]:
    """Create the demo programmes if missing; yield a line per programme."""
    for demo in DEMOS:
        if db.session.scalar(select(Programme.id).where(Programme.slug == demo.slug)) is not None:
            yield f"{demo.slug}: already there"
            continue
        courses = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(demo.courses)))}
        if len(courses) != len(demo.courses):
            yield f"{demo.slug}: skipped (its courses are not loaded)"
            continue
        programme = authoring.create_programme(
            slug=demo.slug,
            title=demo.title,
            owner=trainer,
            summary=demo.summary,
            credits=demo.credits,
            validity_months=demo.validity_months,
        )
        for slug in demo.courses:
            authoring.add_course(programme, courses[slug], required=True)
        mapped = []
        for code, text, refs in demo.outcomes:
            mapping = []
            for slug, outcome_code in refs:
                version = courses[slug].published_version
                key = next(o.key for o in version.outcomes if o.code == outcome_code)
                mapping.append({"course_id": courses[slug].id, "key": key})
            mapped.append((code, text, mapping))
        authoring.set_outcomes(programme, mapped)
        spec = demo.session
        starts, ends = _slot(spec)
        session = scheduling.add_session(
            programme,
            title=spec["title"],
            description=spec["description"],
            mode=spec["mode"],
            place=spec.get("place", ""),
            online_url=spec.get("online_url", ""),
            timezone=spec["timezone"],
            starts_at=starts,
            ends_at=ends,
            capacity=spec["capacity"],
            registration_deadline=starts - timedelta(days=2),
        )
        authoring.publish(programme)
        when = f"{starts:%Y-%m-%d}"
        if spec["days_from_now"] < 0:
            # The past session: three demo participants took part and attendance is recorded. The
            # main demo learner stays out, so a newcomer can enrol in everything themselves.
            people = [(user, row[4]) for user, row in zip(_roster_people(password), ROSTER, strict=True)]
            marks = {}
            for user, mark in people:
                enrolment.enrol(user, programme)
                marks[_seat(user, session.id).id] = mark
            sessions.record_attendance(session, actor=trainer, marks=marks)
            # The programme runs again: a second, future date of the same part, open for
            # registration, so a newcomer can still complete it (the past date keeps its attendance).
            again_starts, again_ends = _slot({**spec, "days_from_now": AGAIN_IN_DAYS})
            scheduling.add_date(
                programme.parts[-1],
                title=spec["title"],
                description=spec["description"],
                mode=spec["mode"],
                place=spec.get("place", ""),
                online_url=spec.get("online_url", ""),
                timezone=spec["timezone"],
                starts_at=again_starts,
                ends_at=again_ends,
                capacity=spec["capacity"],
                registration_deadline=again_starts - timedelta(days=2),
            )
            when = f"{when} and {again_starts:%Y-%m-%d}"
        db.session.flush()
        yield f"{demo.slug}: {len(demo.courses)} courses, session on {when}"
