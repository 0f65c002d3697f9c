"""Demo accounts and content for a newcomer's first run.

Seeding is safe to repeat whatever people did in the browser since: what exists is left as it is
(a course with a draft, a newer version, an archived course, changed roles or memberships, a deleted
thread), and every line printed says what was created and what was left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from academy.auth import passwords, services
from academy.auth.models import User
from academy.extensions import db

DEMO_PASSWORD = "interreg-demo-2027"
DEMO_ACCOUNTS = (
    # (role, name, e-mail, organisation, country)
    ("learner", "Lena Learner", "learner@academy.example", "Joint Secretariat, Interreg Danube Region", "AT"),
    ("trainer", "Tomas Trainer", "trainer@academy.example", "Interact Office Vienna", "AT"),
    ("admin", "Ada Admin", "admin@academy.example", "Interact Secretariat, Bratislava", "SK"),
)


def seed() -> Iterator[str]:
    """Create the demo accounts and content if missing; yield lines for the console."""
    users = list(_accounts())
    trainer = next(user for role, user, _created in users if role == "trainer")
    from academy.community.seed import seed as seed_communities

    yield "Communities:"
    yield from (f"  {line}" for line in seed_communities(contacts=[trainer], keep_changes=True))
    yield "Courses:"
    yield from seed_courses(trainer)
    from academy.programmes.seed import ROSTER
    from academy.programmes.seed import seed as seed_programmes

    yield "Programmes:"
    yield from (f"  {line}" for line in seed_programmes(trainer=trainer, password=DEMO_PASSWORD))
    yield from seed_conversations(trainer)
    yield "Demo accounts (every one signs in with the password shown):"
    for role, user, _created in users:
        yield _account_line(role, user)
    for _name, email, *_rest in ROSTER:
        user = services.get_user_by_email(email)
        if user is not None:
            yield _account_line("participant", user)


def _account_line(role: str, user: User) -> str:
    if passwords.verify_password(user.password_hash, DEMO_PASSWORD):
        password = f"password: {DEMO_PASSWORD}"
    else:
        password = "password changed in the browser (left alone)"
    return f"  {role:<12} {user.name:<16} {user.email:<32} {password}"


def seed_conversations(trainer: User) -> Iterator[str]:
    """Members and a few questions in the communities, by the demo programme's participants."""
    from academy.community import demo as community_demo
    from academy.programmes.seed import ROSTER

    cast = [services.get_user_by_email(email) for _name, email, *_rest in ROSTER]
    if not all(cast):
        return
    yield "Community conversations:"
    yield from (f"  {line}" for line in community_demo.seed(cast=cast, contact=trainer))
    from academy.community.documents import demo as document_demo

    yield from (f"  {line}" for line in document_demo.seed(cast=cast))


def seed_courses(trainer: User) -> Iterator[str]:
    """Load the course packages under courses/, owned by the demo trainer; courses changed in the browser stay."""
    from academy.courses import packages
    from academy.courses.models import Course
    from config import ROOT

    folder = ROOT / "courses"
    if not packages.find_packages(folder):
        return
    for package in packages.read_all(folder):
        course = db.session.scalar(select(Course).where(Course.slug == package.slug))
        reason = course_left_alone(course, packages.package_content(package)) if course is not None else None
        if reason:
            yield f"  {package.slug}: {reason}"
            continue
        yield f"  {packages.load_package(package, owner=trainer, publish=True)}"


def course_left_alone(course: object, content: dict) -> str | None:
    """Why seeding leaves this existing course as it is (changed in the browser, or unchanged); None to load."""
    from academy.courses.models import CourseStatus, VersionStatus
    from academy.courses.packages import stored_content
    from academy.courses.services import versioning

    latest = versioning.latest_version(course)
    if latest is None:
        return None
    if course.status == CourseStatus.ARCHIVED:
        return "left alone (archived in the browser)"
    if latest.status == VersionStatus.DRAFT:
        return f"left alone (a draft, version {latest.number}, is being edited in the browser)"
    if stored_content(latest) == content:
        return f"unchanged (version {latest.number})"
    if any(stored_content(v) == content for v in course.versions if v.id != latest.id):
        return f"left alone (version {latest.number} was published from the browser)"
    return None  # the files changed since the last seed: they become the next version


def _accounts() -> Iterator[tuple[str, User, bool]]:
    for role, name, email, organisation, country in DEMO_ACCOUNTS:
        user = services.get_user_by_email(email)
        created = user is None
        if created:
            user = services.register_user(
                name=name, email=email, password=DEMO_PASSWORD, organisation=organisation, country=country
            )
            # Roles are given once: an admin who changes them in the browser keeps the change.
            user.is_trainer = role in ("trainer", "admin")
            user.is_admin = role == "admin"
            db.session.flush()
        yield role, user, created
