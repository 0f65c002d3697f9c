"""Adding a member by e-mail without telling the contact person whether the address has an account.

A contact person (or admin) types an address. If an active account uses it and is not a member
yet, that person gets an e-mail with a signed, expiring link; they join when they accept it,
logged in as that account. The contact person is told the same sentence in every case. Nothing
is stored until acceptance; the link names the community, the account, the role and who invited.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from academy.auth.models import User
from academy.auth.services import get_user_by_email
from academy.community.access import membership_of
from academy.community.models import Community, Membership, MemberStatus
from academy.community.services import membership as membership_services
from academy.exceptions import NotFound
from academy.extensions import db

_SALT = "academy.community-invitation"
MAX_AGE_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class Invitation:
    """Who is invited where, as which role, by whom."""

    community_id: int
    user_id: int
    as_contact: bool
    inviter_id: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def invite(*, community: Community, email: str, actor: User, as_contact: bool = False) -> Invitation | None:
    """The invitation to e-mail, or None (no such active account, or already a member as asked).

    PermissionDenied if `actor` may not add members. The caller answers alike either way.
    """
    membership_services._require_moderator(actor, community)
    user = get_user_by_email(email or "")
    if user is None or not user.is_active:
        return None
    membership = membership_of(user, community)
    if (
        membership is not None
        and membership.status == MemberStatus.ACTIVE
        and (membership.is_contact or not as_contact)
    ):
        return None
    return Invitation(community_id=community.id, user_id=user.id, as_contact=as_contact, inviter_id=actor.id)


def make_token(invitation: Invitation) -> str:
    """The signed token carried by the e-mailed link."""
    return _serializer().dumps(
        {"c": invitation.community_id, "u": invitation.user_id, "k": invitation.as_contact, "a": invitation.inviter_id}
    )


def read_token(token: str) -> Invitation | None:
    """The invitation a token describes, or None if forged or expired."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
        return Invitation(
            community_id=int(data["c"]), user_id=int(data["u"]), as_contact=bool(data["k"]), inviter_id=int(data["a"])
        )
    except (SignatureExpired, BadSignature, KeyError, TypeError, ValueError):
        return None


def invitation_for(token: str, *, user: User, community: Community) -> Invitation:
    """The invitation if it is for this user and community; NotFound otherwise (the same for every mismatch)."""
    invitation = read_token(token)
    if invitation is None or invitation.user_id != user.id or invitation.community_id != community.id:
        raise NotFound(_("This invitation is not for this account, or it has expired."))
    return invitation


def accept(*, token: str, user: User, community: Community) -> Membership:
    """Join as the invitation says; the inviter must still be allowed to add members."""
    invitation = invitation_for(token, user=user, community=community)
    inviter = db.session.get(User, invitation.inviter_id)
    if inviter is None:
        raise NotFound(_("This invitation is not for this account, or it has expired."))
    return membership_services.add_member(
        community=community, email=user.email, actor=inviter, as_contact=invitation.as_contact
    )
