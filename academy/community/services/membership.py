"""Joining and leaving, and the contact persons' decisions on members."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.auth.services import get_user_by_email
from academy.community import integration
from academy.community.access import Access, access_for, is_active_member, membership_of
from academy.community.models import Community, MemberRole, Membership, MemberStatus, Policy
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db

MAX_MESSAGE = 1000


def _set_status(membership: Membership, status: str) -> None:
    """Change status and keep the community's member count in step; access inherited from it ends with it."""
    was_active = membership.status == MemberStatus.ACTIVE
    membership.status = status
    now_active = status == MemberStatus.ACTIVE
    if was_active != now_active:
        community = membership.community
        community.member_count = max(0, (community.member_count or 0) + (1 if now_active else -1))
    if now_active and not was_active:
        membership.joined_at = utcnow()
    if was_active and not now_active:
        _end_inherited(membership)


def _end_inherited(source: Membership) -> None:
    """End the memberships of sub-communities this person was admitted to through `source` (recursively)."""
    inherited = db.session.scalars(
        select(Membership)
        .join(Community, Community.id == Membership.community_id)
        .where(
            Community.parent_id == source.community_id,
            Membership.user_id == source.user_id,
            Membership.via_parent.is_(True),
            Membership.status == MemberStatus.ACTIVE,
        )
    ).all()
    for membership in inherited:
        membership.via_parent = False
        membership.role = MemberRole.MEMBER
        membership.decided_by = None
        membership.decided_at = utcnow()
        membership.decision_reason = _(
            "Your membership of %(parent)s ended, and with it the access it gave you here.",
            parent=source.community.name,
        )
        _set_status(membership, MemberStatus.REMOVED)


def _require_moderator(actor: User, community: Community) -> Access:
    access = access_for(actor, community)
    if not access.can_moderate:
        raise PermissionDenied(_("Only the community's contact persons can do this."))
    return access


def active_contact_count(community: Community) -> int:
    """How many active contact persons the community has."""
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.community_id == community.id,
            Membership.status == MemberStatus.ACTIVE,
            Membership.role == MemberRole.CONTACT,
        )
    )


def _keep_a_contact(membership: Membership) -> None:
    if membership.is_contact and active_contact_count(membership.community) <= 1:
        raise Conflict(_("A community needs at least one contact person. Make another member a contact first."))


def request_membership(*, community: Community, user: User, message: str) -> Membership:
    """Ask to join; members of the parent join an open sub-community at once."""
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise ServiceError(_("Keep the message under %(n)d characters.", n=MAX_MESSAGE), field="message")
    if community.archived_at is not None:
        raise Conflict(_("This community is archived and admits no new members."))
    membership = membership_of(user, community)
    if membership is not None:
        if membership.status == MemberStatus.ACTIVE:
            raise Conflict(_("You are already a member of this community."))
        if membership.status == MemberStatus.PENDING:
            raise Conflict(_("Your request is already waiting for a contact person."))
        if membership.status == MemberStatus.SUSPENDED:
            raise PermissionDenied(_("Your membership is suspended. Contact a contact person of the community."))
    open_to_you = (
        community.policy == Policy.PARENT_MEMBERS
        and community.parent is not None
        and is_active_member(user, community.parent)
    )
    if not open_to_you and not message:
        raise ServiceError(_("Tell the contact persons who you are and why you would like to join."), field="message")
    if membership is None:
        membership = Membership(community=community, user=user, role=MemberRole.MEMBER, status=MemberStatus.PENDING)
        db.session.add(membership)
    membership.role = MemberRole.MEMBER
    membership.request_message = message
    membership.requested_at = utcnow()
    membership.decision_reason = ""
    membership.decided_by = None
    membership.decided_at = None
    membership.via_parent = open_to_you
    _set_status(membership, MemberStatus.ACTIVE if open_to_you else MemberStatus.PENDING)
    db.session.flush()
    if membership.status == MemberStatus.PENDING:
        integration.membership_requested(membership)
    return membership


def _pending(community: Community, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.community_id != community.id:
        raise NotFound(_("That request does not exist."))
    if membership.status != MemberStatus.PENDING:
        raise Conflict(_("That request has already been decided."))
    return membership


def approve_request(*, community: Community, membership_id: int, actor: User) -> Membership:
    """Admit a pending requester."""
    _require_moderator(actor, community)
    membership = _pending(community, membership_id)
    _set_status(membership, MemberStatus.ACTIVE)
    membership.via_parent = False
    membership.decided_by = actor
    membership.decided_at = utcnow()
    membership.decision_reason = ""
    db.session.flush()
    integration.membership_decided(membership, approved=True, actor=actor)
    return membership


def reject_request(*, community: Community, membership_id: int, actor: User, reason: str) -> Membership:
    """Turn a request down with a reason the requester will read."""
    _require_moderator(actor, community)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the requester a reason."), field="reason")
    if len(reason) > MAX_MESSAGE:
        raise ServiceError(_("Keep the reason under %(n)d characters.", n=MAX_MESSAGE), field="reason")
    membership = _pending(community, membership_id)
    _set_status(membership, MemberStatus.REJECTED)
    membership.decided_by = actor
    membership.decided_at = utcnow()
    membership.decision_reason = reason
    db.session.flush()
    integration.membership_decided(membership, approved=False, actor=actor)
    return membership


def _active_membership(community: Community, user_id: int) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user_id)
    )
    if membership is None or membership.status not in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED):
        raise NotFound(_("That person is not a member of this community."))
    return membership


def remove_member(*, community: Community, user_id: int, actor: User, reason: str = "") -> Membership:
    """Take a member out of the community; they may ask again later."""
    _require_moderator(actor, community)
    if user_id == actor.id:
        raise Conflict(_("Use “Leave community” to leave yourself."))
    membership = _active_membership(community, user_id)
    _keep_a_contact(membership)
    _set_status(membership, MemberStatus.REMOVED)
    membership.role = MemberRole.MEMBER
    membership.decided_by = actor
    membership.decided_at = utcnow()
    membership.decision_reason = (reason or "").strip()[:MAX_MESSAGE]
    db.session.flush()
    return membership


def suspend_member(*, community: Community, user_id: int, actor: User, reason: str) -> Membership:
    """Stop a member from reading or posting until reinstated; they cannot simply ask again."""
    _require_moderator(actor, community)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for the suspension."), field="reason")
    if user_id == actor.id:
        raise Conflict(_("You cannot suspend yourself."))
    membership = _active_membership(community, user_id)
    if membership.status != MemberStatus.ACTIVE:
        raise Conflict(_("That member is already suspended."))
    _keep_a_contact(membership)
    _set_status(membership, MemberStatus.SUSPENDED)
    membership.role = MemberRole.MEMBER
    membership.decided_by = actor
    membership.decided_at = utcnow()
    membership.decision_reason = reason[:MAX_MESSAGE]
    db.session.flush()
    return membership


def reinstate_member(*, community: Community, user_id: int, actor: User) -> Membership:
    """Lift a suspension."""
    _require_moderator(actor, community)
    membership = _active_membership(community, user_id)
    if membership.status != MemberStatus.SUSPENDED:
        raise Conflict(_("That member is not suspended."))
    _set_status(membership, MemberStatus.ACTIVE)
    membership.decided_by = actor
    membership.decided_at = utcnow()
    membership.decision_reason = ""
    db.session.flush()
    return membership


def make_contact(*, community: Community, user_id: int, actor: User) -> Membership:
    """Give an active member the contact person's role."""
    _require_moderator(actor, community)
    membership = _active_membership(community, user_id)
    if membership.status != MemberStatus.ACTIVE:
        raise Conflict(_("A suspended member cannot become a contact person."))
    was_contact = membership.role == MemberRole.CONTACT
    membership.role = MemberRole.CONTACT
    membership.via_parent = False  # chosen by a contact person: no longer only inherited
    db.session.flush()
    if not was_contact:
        integration.made_contact(membership, actor=actor)
    return membership


def add_member(*, community: Community, email: str, actor: User, as_contact: bool = False) -> Membership:
    """Add an existing account directly (a contact's or admin's shortcut past the request)."""
    _require_moderator(actor, community)
    user = get_user_by_email(email or "")
    if user is None:
        raise ServiceError(_("No account uses that e-mail address."), field="email")
    membership = membership_of(user, community)
    if membership is None:
        membership = Membership(community=community, user=user)
        db.session.add(membership)
    elif membership.status == MemberStatus.ACTIVE and (membership.is_contact or not as_contact):
        raise Conflict(_("%(name)s is already a member.", name=user.name))
    membership.role = MemberRole.CONTACT if as_contact else MemberRole.MEMBER
    membership.via_parent = False
    membership.decided_by = actor
    membership.decided_at = utcnow()
    membership.decision_reason = ""
    _set_status(membership, MemberStatus.ACTIVE)
    db.session.flush()
    if as_contact:
        integration.made_contact(membership, actor=actor)
    return membership


def leave(*, community: Community, user: User) -> Membership:
    """Leave a community, or withdraw a pending request."""
    membership = membership_of(user, community)
    if membership is None or membership.status not in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        raise Conflict(_("You are not a member of this community."))
    _keep_a_contact(membership)
    _set_status(membership, MemberStatus.LEFT)
    membership.role = MemberRole.MEMBER
    db.session.flush()
    return membership


def pending_requests(community: Community) -> list[Membership]:
    """Requests waiting for a decision, oldest first, with the requesters loaded."""
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(Membership.community_id == community.id, Membership.status == MemberStatus.PENDING)
            .order_by(Membership.requested_at, Membership.id)
        )
    )


def pending_count(community: Community) -> int:
    """How many requests wait for a decision in this community."""
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.community_id == community.id, Membership.status == MemberStatus.PENDING)
    )


def members(community: Community, *, include_suspended: bool = False) -> list[Membership]:
    """Active members (contacts first, then by name), optionally with the suspended ones."""
    statuses = [MemberStatus.ACTIVE, MemberStatus.SUSPENDED] if include_suspended else [MemberStatus.ACTIVE]
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .options(joinedload(Membership.user))
            .where(Membership.community_id == community.id, Membership.status.in_(statuses))
            .order_by(Membership.role != MemberRole.CONTACT, func.lower(User.name), Membership.id)
        )
    )


def pending_counts_for(user: User) -> dict[int, int]:
    """Waiting requests per community, for the communities where the user is a contact person."""
    contact_of = select(Membership.community_id).where(
        Membership.user_id == user.id,
        Membership.status == MemberStatus.ACTIVE,
        Membership.role == MemberRole.CONTACT,
    )
    rows = db.session.execute(
        select(Membership.community_id, func.count())
        .where(Membership.community_id.in_(contact_of), Membership.status == MemberStatus.PENDING)
        .group_by(Membership.community_id)
    )
    return {community_id: count for community_id, count in rows}


def pending_count_for(user: User) -> int:
    """Requests waiting in the communities where the user is a contact person."""
    contact_of = select(Membership.community_id).where(
        Membership.user_id == user.id,
        Membership.status == MemberStatus.ACTIVE,
        Membership.role == MemberRole.CONTACT,
    )
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.community_id.in_(contact_of), Membership.status == MemberStatus.PENDING)
    )
