"""Creating and shaping communities (admins only): name, slug, parent, joining rule, archive, contacts."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from academy.auth.models import User
from academy.community.access import membership_of
from academy.community.models import Community, MemberRole, Membership, MemberStatus, Policy
from academy.community.services import membership as membership_services
from academy.db import utcnow
from academy.exceptions import Conflict, PermissionDenied, ServiceError
from academy.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _require_admin(actor: User) -> None:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied(_("Only admins can create and shape communities."))


def _check(*, community: Community | None, name: str, slug: str, policy: str, parent: Community | None) -> None:
    if not name:
        raise ServiceError(_("Give the community a name."), field="name")
    if not SLUG_RE.match(slug):
        raise ServiceError(
            _("Use lower-case letters, digits and single hyphens in the web address (e.g. audit-finance)."),
            field="slug",
        )
    if policy not in Policy.ALL:
        raise ServiceError(_("Choose a joining rule."), field="policy")
    others = select(Community.id)
    if community is not None and community.id is not None:
        others = others.where(Community.id != community.id)
    if db.session.scalar(others.where(Community.slug == slug).limit(1)) is not None:
        raise ServiceError(_("Another community already uses the web address “%(slug)s”.", slug=slug), field="slug")
    same_name = others.where(func.lower(Community.name) == name.lower()).limit(1)
    if db.session.scalar(same_name) is not None:
        raise ServiceError(_("Another community is already called “%(name)s”.", name=name), field="name")
    if policy == Policy.PARENT_MEMBERS and parent is None:
        raise ServiceError(
            _("Only a sub-community can admit its parent's members at once: choose a parent."), field="policy"
        )
    node = parent
    while node is not None and community is not None:
        if node.id == community.id:
            raise ServiceError(
                _("A community cannot be placed inside itself or one of its sub-communities."), field="parent"
            )
        node = node.parent


def create_community(
    *,
    actor: User,
    name: str,
    slug: str,
    summary: str = "",
    description: str = "",
    policy: str = Policy.APPROVAL,
    parent: Community | None = None,
) -> Community:
    """Create a community; the admin then names its contact persons."""
    _require_admin(actor)
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    _check(community=None, name=name, slug=slug, policy=policy, parent=parent)
    community = Community(
        name=name,
        slug=slug,
        summary=(summary or "").strip(),
        description=(description or "").strip(),
        policy=policy,
        parent=parent,
        member_count=0,
    )
    db.session.add(community)
    db.session.flush()
    return community


def update_community(
    *,
    community: Community,
    actor: User,
    name: str,
    slug: str,
    summary: str,
    description: str,
    policy: str,
    parent: Community | None,
) -> Community:
    """Rename, describe, move (a community cannot become its own ancestor) or change the joining rule."""
    _require_admin(actor)
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    _check(community=community, name=name, slug=slug, policy=policy, parent=parent)
    community.name, community.slug, community.policy, community.parent = name, slug, policy, parent
    community.summary, community.description = (summary or "").strip(), (description or "").strip()
    db.session.flush()
    return community


def set_archived(*, community: Community, actor: User, archived: bool) -> Community:
    """Archive (hidden from the directory, closed to requests) or bring back a community."""
    _require_admin(actor)
    community.archived_at = utcnow() if archived else None
    db.session.flush()
    return community


def add_contact(*, community: Community, actor: User, email: str) -> Membership:
    """Make the account with this e-mail a contact person (a member first, if needed)."""
    _require_admin(actor)
    return membership_services.add_member(community=community, email=email, actor=actor, as_contact=True)


def remove_contact(*, community: Community, actor: User, user_id: int) -> Membership:
    """Take the contact role away (the person stays a member); the last contact stays."""
    _require_admin(actor)
    membership = db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user_id)
    )
    if membership is None or not membership.is_contact:
        raise Conflict(_("That person is not a contact person of this community."))
    if membership.status == MemberStatus.ACTIVE and membership_services.active_contact_count(community) <= 1:
        raise Conflict(_("A community needs at least one contact person. Add another contact first."))
    membership.role = MemberRole.MEMBER
    db.session.flush()
    return membership


def is_contact(user: User, community: Community) -> bool:
    """True when the user is an active contact person of the community."""
    membership = membership_of(user, community)
    return membership is not None and membership.is_contact


def all_communities() -> list[Community]:
    """Every community, archived ones included, parents before their children (tree order)."""
    rows = list(db.session.scalars(select(Community).order_by(Community.position, func.lower(Community.name))))
    children: dict[int | None, list[Community]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[Community] = []

    def walk(parent_id: int | None) -> None:
        for row in children.get(parent_id, []):
            out.append(row)
            walk(row.id)

    walk(None)
    return out


def depth(community: Community) -> int:
    """How many ancestors the community has."""
    n, node = 0, community.parent
    while node is not None:
        n, node = n + 1, node.parent
    return n


def unattended_requests() -> list[tuple[Community, int]]:
    """Communities with pending requests and no active contact person to decide them."""
    contacted = select(Membership.community_id).where(
        Membership.status == MemberStatus.ACTIVE, Membership.role == MemberRole.CONTACT
    )
    rows = db.session.execute(
        select(Community, func.count(Membership.id))
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.status == MemberStatus.PENDING, Community.id.not_in(contacted))
        .group_by(Community.id)
        .order_by(Community.name)
    )
    return [(c, n) for c, n in rows]


def contacts_by_community() -> dict[int, list[User]]:
    """Active contact persons of every community, by name (one query)."""
    rows = db.session.execute(
        select(Membership.community_id, User)
        .join(User, Membership.user_id == User.id)
        .where(Membership.status == MemberStatus.ACTIVE, Membership.role == MemberRole.CONTACT)
        .order_by(func.lower(User.name), User.id)
    )
    out: dict[int, list[User]] = {}
    for community_id, user in rows:
        out.setdefault(community_id, []).append(user)
    return out


def pending_by_community() -> dict[int, int]:
    """Waiting requests per community (one query)."""
    rows = db.session.execute(
        select(Membership.community_id, func.count(Membership.id))
        .where(Membership.status == MemberStatus.PENDING)
        .group_by(Membership.community_id)
    )
    return dict(rows.tuples().all())
