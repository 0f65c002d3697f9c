"""The Interreg networks: ICON, Finance and Monitoring systems & Jems, with their sub-communities.

Names and scope follow Interact's description of its networks (shared/seeds); the wording is ours.
`seed()` is idempotent: it creates what is missing and leaves existing communities as they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from academy.auth.models import User
from academy.community.models import Community, MemberRole, Membership, MemberStatus, Policy, Thread, ThreadKind
from academy.community.services import threads as thread_services
from academy.db import utcnow
from academy.extensions import db


@dataclass(frozen=True)
class Spec:
    """A community to create."""

    slug: str
    name: str
    summary: str
    description: str
    policy: str = Policy.APPROVAL
    parent: str | None = None


COMMUNITIES: tuple[Spec, ...] = (
    Spec(
        "icon",
        "ICON – Interreg Communication Network",
        "The meeting place for every programme's communication officers.",
        "ICON brings together the people who make Interreg programmes visible: communication officers, "
        "web editors and campaign organisers. Ask how others explain results to the public, share "
        "material that worked, and prepare the yearly ICON meeting together.",
    ),
    Spec(
        "cooperation-day",
        "Cooperation Day campaign",
        "Planning local events for the joint campaign around 20 September.",
        "Programmes and projects organise events for citizens on or around 20 September. Here organisers "
        "swap event ideas, use the shared theme and materials, and compare what drew people in.",
        Policy.PARENT_MEMBERS,
        "icon",
    ),
    Spec(
        "interreg-slam",
        "Interreg Project Slam",
        "Coaching projects for short videos and live performances.",
        "The Slam turns project results into short films and stage performances. Programmes nominating "
        "projects exchange on shortlisting, coaching and getting the videos seen.",
        Policy.PARENT_MEMBERS,
        "icon",
    ),
    Spec(
        "brand-and-visibility",
        "Interreg brand and visibility",
        "Applying the harmonised brand and logo in programme communication.",
        "Questions on the harmonised Interreg logo, the brand book and the visibility rules, with worked "
        "examples from programmes that have applied them.",
        Policy.PARENT_MEMBERS,
        "icon",
    ),
    Spec(
        "finance",
        "Finance",
        "Cross-cutting financial questions for everyone who handles Interreg money.",
        "The parent community for financial management in Interreg: eligibility, payments, reporting and "
        "closure. Specialist groups below go deeper for particular roles.",
    ),
    Spec(
        "programme-finance",
        "Programme finance",
        "A closed space for managing authorities and joint secretariats on financial management.",
        "Reserved for staff on the programme side of financial management. Controllers and auditors have "
        "their own community, so this one stays among programme bodies.",
        Policy.APPROVAL,
        "finance",
    ),
    Spec(
        "controllers-and-audit",
        "Controllers and audit",
        "First-level controllers and audit authorities comparing checks and findings.",
        "A place for controllers and auditors to compare how they check expenditure, which findings recur "
        "and how the harmonised checklists are used in practice.",
        Policy.APPROVAL,
        "finance",
    ),
    Spec(
        "simplified-cost-options",
        "Simplified cost options",
        "Flat rates, lump sums and unit costs: designing and checking them.",
        "Simplified cost options replace real-cost reimbursement with agreed rates and amounts. When two or "
        "more countries apply them, a shared reading matters: bring methods, calculations and questions.",
        Policy.PARENT_MEMBERS,
        "finance",
    ),
    Spec(
        "monitoring-and-jems",
        "Monitoring systems & Jems",
        "Running Jems or another monitoring system for a programme.",
        "For the people who set up and run programme monitoring systems: Jems users exchanging on "
        "configuration and new releases, and programmes running other systems comparing solutions.",
    ),
)

WELCOME_TITLE = "Welcome – introduce yourself"
WELCOME_BODY = (
    "Welcome to **{name}**. Say who you are, which programme you work for and what you hope to find "
    "here. Questions are best asked as a *question* thread, so the answer that helped can be marked."
)


def seed(*, contacts: Sequence[User] = (), keep_changes: bool = False) -> Iterator[str]:
    """Create the communities that are missing (and make `contacts` their contact persons).

    Yields one line per community for the console. With contacts, a community without threads
    gets a welcome thread from the first contact. Safe to run twice. With keep_changes (the demo),
    a contact who already has a membership keeps it as changed in the browser (left, removed, member).
    """
    by_slug = {c.slug: c for c in db.session.scalars(select(Community))}
    for position, spec in enumerate(COMMUNITIES):
        community = by_slug.get(spec.slug)
        created = community is None
        if created:
            community = Community(
                slug=spec.slug,
                name=spec.name,
                summary=spec.summary,
                description=spec.description,
                policy=spec.policy,
                parent=by_slug[spec.parent] if spec.parent else None,
                position=position,
            )
            db.session.add(community)
            db.session.flush()
            by_slug[spec.slug] = community
        for user in contacts:
            _ensure_contact(community, user, keep_changes=keep_changes and not created)
        if contacts and not db.session.scalar(
            select(func.count()).select_from(Thread).where(Thread.community_id == community.id)
        ):
            thread_services.create_thread(
                community=community,
                author=contacts[0],
                kind=ThreadKind.DISCUSSION,
                title=WELCOME_TITLE,
                body=WELCOME_BODY.format(name=community.name),
            )
        yield f"  {'created' if created else 'exists '} {spec.slug}"
    db.session.flush()


def _ensure_contact(community: Community, user: User, *, keep_changes: bool = False) -> None:
    membership = db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user.id)
    )
    if membership is not None and keep_changes:
        return
    if membership is None:
        membership = Membership(community=community, user=user, status=MemberStatus.PENDING)
        db.session.add(membership)
    if membership.status != MemberStatus.ACTIVE:
        membership.status = MemberStatus.ACTIVE
        membership.joined_at = utcnow()
        community.member_count = (community.member_count or 0) + 1
    membership.role = MemberRole.CONTACT
    db.session.flush()
