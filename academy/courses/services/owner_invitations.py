"""Adding a co-owner by e-mail without telling the trainer whether the address has an account.

The trainer types an address. If an active trainer account uses it and does not own the course
yet, that person gets an e-mail with a signed, expiring link; they become a co-owner when they
accept it, logged in as that account, as long as the inviter still may edit the course. The
trainer is told the same sentence in every case; nothing is stored until acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from academy.auth.models import User
from academy.auth.services import get_user_by_email
from academy.courses import policy
from academy.courses.models import Course
from academy.courses.services import authoring
from academy.exceptions import Conflict, NotFound
from academy.extensions import db

_SALT = "academy.course-owner-invitation"
MAX_AGE_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class OwnerInvitation:
    """Who is invited to co-own which course, by whom."""

    course_id: int
    user_id: int
    inviter_id: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def invite(course: Course, email: str, *, actor: User) -> OwnerInvitation | None:
    """The invitation to e-mail, or None (no active trainer uses the address).

    Conflict for someone the trainer can already see among the owners; the caller answers alike otherwise.
    """
    if any(owner.email == (email or "").strip().lower() for owner in course.owners):
        raise Conflict(_("This person already owns this course."), field="email")
    user = get_user_by_email(email or "")
    if user is None or not user.is_active or not user.has_role("trainer"):
        return None
    return OwnerInvitation(course_id=course.id, user_id=user.id, inviter_id=actor.id)


def make_token(invitation: OwnerInvitation) -> str:
    """The signed token carried by the e-mailed link."""
    return _serializer().dumps({"c": invitation.course_id, "u": invitation.user_id, "a": invitation.inviter_id})


def invitation_for(token: str, *, user: User, course: Course) -> OwnerInvitation:
    """The invitation if it is for this user and course; NotFound otherwise (alike for every mismatch)."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
        invitation = OwnerInvitation(course_id=int(data["c"]), user_id=int(data["u"]), inviter_id=int(data["a"]))
    except (SignatureExpired, BadSignature, KeyError, TypeError, ValueError):
        invitation = None
    if invitation is None or invitation.user_id != user.id or invitation.course_id != course.id:
        raise NotFound(_("This invitation is not for this account, or it has expired."))
    return invitation


def accept(token: str, *, user: User, course: Course) -> User:
    """Become a co-owner as the invitation says; the inviter must still be allowed to edit the course."""
    invitation = invitation_for(token, user=user, course=course)
    inviter = db.session.get(User, invitation.inviter_id)
    if inviter is None or not policy.can_manage_course(inviter, course):
        raise NotFound(_("This invitation is not for this account, or it has expired."))
    if any(owner.id == user.id for owner in course.owners):
        return user
    return authoring.add_owner(course, user.email)
