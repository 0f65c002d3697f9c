"""Who may see and do what in a community: one rule set used by views, services and search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from academy.auth.models import User
from academy.community.models import Community, MemberRole, Membership, MemberStatus
from academy.extensions import db


@dataclass(frozen=True)
class Access:
    """A user's standing in one community, computed from one membership row."""

    community: Community
    user: User
    membership: Membership | None

    @property
    def is_admin(self) -> bool:
        """Admins hold every role, so they may see and moderate every community."""
        return bool(getattr(self.user, "is_admin", False))

    @property
    def is_member(self) -> bool:
        """An active member (contacts included)."""
        return self.membership is not None and self.membership.status == MemberStatus.ACTIVE

    @property
    def is_contact(self) -> bool:
        """An active contact person of this community."""
        return self.is_member and self.membership is not None and self.membership.role == MemberRole.CONTACT

    @property
    def can_view(self) -> bool:
        """May read threads, posts, files and the member list."""
        return self.is_member or self.is_admin

    @property
    def can_post(self) -> bool:
        """May start threads, reply and share files."""
        return self.is_member

    @property
    def can_moderate(self) -> bool:
        """May decide requests, manage members, hide, pin and lock."""
        return self.is_contact or self.is_admin

    @property
    def status(self) -> str | None:
        """The membership status, or None for someone who never asked."""
        return self.membership.status if self.membership else None


def membership_of(user: User, community: Community) -> Membership | None:
    """The user's membership row in the community, whatever its status."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user.id)
    )


def access_for(user: User, community: Community) -> Access:
    """The user's standing in the community (one query)."""
    return Access(community=community, user=user, membership=membership_of(user, community))


def is_active_member(user: User, community: Community) -> bool:
    """True when the user is an active member of the community."""
    membership = membership_of(user, community)
    return membership is not None and membership.status == MemberStatus.ACTIVE


def visible_community_ids(user: User) -> list[int]:
    """Ids of the communities whose content the user may read (all of them for an admin)."""
    if getattr(user, "is_admin", False):
        return list(db.session.scalars(select(Community.id)))
    return list(
        db.session.scalars(
            select(Membership.community_id).where(
                Membership.user_id == user.id, Membership.status == MemberStatus.ACTIVE
            )
        )
    )
