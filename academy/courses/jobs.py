"""Course e-mails sent after the commit that asked for them."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from academy import mail
from academy.auth.models import User
from academy.courses.models import Course
from academy.courses.services import owner_invitations, versioning
from academy.extensions import db


def send_owner_invitation(course_id: int, user_id: int, inviter_id: int) -> None:
    """E-mail an invitation link to co-own a course."""
    course = db.session.get(Course, course_id)
    user = db.session.get(User, user_id)
    inviter = db.session.get(User, inviter_id)
    if course is None or user is None or inviter is None or not user.is_active:
        return
    token = owner_invitations.make_token(
        owner_invitations.OwnerInvitation(course_id=course_id, user_id=user_id, inviter_id=inviter_id)
    )
    url = f"{current_app.config['BASE_URL'].rstrip('/')}/trainer/courses/{course.slug}/ownership/{token}"
    title = versioning.working_version(course).title
    context = {
        "user": user,
        "title": title,
        "inviter": inviter,
        "url": url,
        "days": owner_invitations.MAX_AGE_SECONDS // 86400,
    }
    mail.send_email(
        to=user.email,
        subject=_("Invitation to co-own %(course)s", course=title),
        text=render_template("courses/email/owner_invitation.txt", **context),
    )
