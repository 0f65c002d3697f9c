"""Community e-mails sent after the commit that asked for them."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from academy import mail
from academy.auth.models import User
from academy.community.models import Community
from academy.community.services import invitations
from academy.extensions import db


def send_invitation(community_id: int, user_id: int, as_contact: bool, inviter_id: int) -> None:
    """E-mail an invitation link to join a community."""
    community = db.session.get(Community, community_id)
    user = db.session.get(User, user_id)
    inviter = db.session.get(User, inviter_id)
    if community is None or user is None or inviter is None or not user.is_active:
        return
    token = invitations.make_token(
        invitations.Invitation(community_id=community_id, user_id=user_id, as_contact=as_contact, inviter_id=inviter_id)
    )
    url = f"{current_app.config['BASE_URL'].rstrip('/')}/c/{community.slug}/invitation/{token}"
    days = invitations.MAX_AGE_SECONDS // 86400
    context = {
        "user": user,
        "community": community,
        "inviter": inviter,
        "url": url,
        "as_contact": as_contact,
        "days": days,
    }
    mail.send_email(
        to=user.email,
        subject=_("Invitation to join %(community)s", community=community.name),
        text=render_template("community/email/invitation.txt", **context),
    )
