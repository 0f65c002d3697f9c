"""Demo accounts and content for a newcomer's first run."""

from __future__ import annotations

from collections.abc import Iterator

from academy.auth import services
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
    yield "Demo accounts:"
    users = list(_accounts())
    for role, user in users:
        yield f"  {role:<8} {user.email:<28} password: {DEMO_PASSWORD}"
    trainer = next(user for role, user in users if role == "trainer")
    from academy.community.seed import seed as seed_communities

    yield "Communities:"
    yield from (f"  {line}" for line in seed_communities(contacts=[trainer]))
    yield "Courses:"
    yield from seed_courses(trainer)
    from academy.programmes.seed import seed as seed_programmes

    yield "Programmes:"
    yield from (f"  {line}" for line in seed_programmes(trainer=trainer, password=DEMO_PASSWORD))
    yield from seed_conversations(trainer)


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
    """Load every course package under courses/ (unchanged ones stay as they are), owned by the demo trainer."""
    from academy.courses import packages
    from config import ROOT

    folder = ROOT / "courses"
    if not packages.find_packages(folder):
        return
    for result in packages.load(folder, owner=trainer, publish=True):
        yield f"  {result}"


def _accounts() -> Iterator[tuple[str, object]]:
    for role, name, email, organisation, country in DEMO_ACCOUNTS:
        user = services.get_user_by_email(email)
        if user is None:
            user = services.register_user(
                name=name, email=email, password=DEMO_PASSWORD, organisation=organisation, country=country
            )
        user.is_trainer = role in ("trainer", "admin")
        user.is_admin = role == "admin"
        db.session.flush()
        yield role, user
