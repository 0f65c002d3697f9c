"""Demo accounts and content for a newcomer's first run."""

from __future__ import annotations

from collections.abc import Iterator

from academy.auth import services
from academy.extensions import db

DEMO_PASSWORD = "interreg-demo-2027"
DEMO_ACCOUNTS = (
    # (role, name, e-mail, organisation, country)
    ("learner", "Lena Learner", "learner@academy.example", "Joint Secretariat, Interreg Danube Region", "AT"),
    ("trainer", "Tomas Trainer", "trainer@academy.example", "Interact Office Vienna", "AT"),
    ("admin", "Ada Admin", "admin@academy.example", "Interact Secretariat, Bratislava", "SK"),
)


def seed() -> Iterator[str]:
    """Create the demo accounts if missing; yield one line per account for the console."""
    for role, name, email, organisation, country in DEMO_ACCOUNTS:
        user = services.get_user_by_email(email)
        if user is None:
            user = services.register_user(
                name=name, email=email, password=DEMO_PASSWORD, organisation=organisation, country=country
            )
        user.is_trainer = role in ("trainer", "admin")
        user.is_admin = role == "admin"
        db.session.flush()
        yield f"  {role:<8} {email:<24} password: {DEMO_PASSWORD}"
    yield from seed_courses()


def seed_courses() -> Iterator[str]:
    """Load every course package under courses/ (unchanged ones stay as they are), owned by the demo trainer."""
    from academy.courses import packages
    from config import ROOT

    folder = ROOT / "courses"
    if not packages.find_packages(folder):
        return
    trainer_email = next(email for role, _name, email, *_rest in DEMO_ACCOUNTS if role == "trainer")
    trainer = services.get_user_by_email(trainer_email)
    for result in packages.load(folder, owner=trainer, publish=True):
        yield f"  course   {result}"
