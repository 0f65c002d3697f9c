"""Who a community's notices go to: the members a text mentions, the contact persons.

Below the services and the notification glue (integration), which both use it.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from academy.auth.models import User
from academy.community.models import Community, MemberRole, Membership, MemberStatus
from academy.extensions import db

MENTION = re.compile(r"@\[([^\]\n]{1,120})\]")


def mentioned_members(community: Community, body: str) -> dict[str, int]:
    """Lower-cased names mentioned as `@[Name]` in `body` that are active members here, with their user ids."""
    names = {m.strip().lower() for m in MENTION.findall(body or "")}
    people: dict[str, int] = {}
    if names:
        rows = db.session.execute(
            select(func.lower(User.name), User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.community_id == community.id,
                Membership.status == MemberStatus.ACTIVE,
                func.lower(User.name).in_(names),
            )
        )
        for name, user_id in rows:
            people.setdefault(name, user_id)
    return people


def contacts(community: Community) -> list[User]:
    """The community's active contact persons, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.community_id == community.id,
                Membership.status == MemberStatus.ACTIVE,
                Membership.role == MemberRole.CONTACT,
            )
            .order_by(func.lower(User.name), User.id)
        )
    )
