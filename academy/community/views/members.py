"""Members and requests: the member list, and the contact persons' decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy.auth import throttle
from academy.auth.forms import EmptyForm
from academy.community import forms, jobs
from academy.community.services import invitations
from academy.community.services import membership as membership_services
from academy.community.views.common import bp, community_or_404, member_area, moderator_area
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.exceptions import ServiceError
from academy.jobs import enqueue_after_commit


def _render_members(community, access, *, add_form=None, decision_form=None, status: int = 200):  # noqa: ANN001
    return render_template(
        "community/members.html",
        community=community,
        access=access,
        memberships=membership_services.members(community, include_suspended=access.can_moderate),
        add_form=add_form or forms.AddMemberForm(),
        decision_form=decision_form or forms.DecisionForm(),
        button_form=forms.DecisionForm(),
    ), status


@bp.get("/<slug>/members")
@login_required
def members(slug: str):  # noqa: ANN201
    """The member list (members only); contact persons also get the management buttons."""
    community, access = member_area(slug)
    return _render_members(community, access)


def _render_requests(community, access, *, failed=None, form=None, status: int = 200):  # noqa: ANN001
    return render_template(
        "community/requests.html",
        community=community,
        access=access,
        requests=membership_services.pending_requests(community),
        failed=failed,
        failed_form=form,
        form=forms.DecisionForm(),
    ), status


@bp.get("/<slug>/requests")
@login_required
def requests(slug: str):  # noqa: ANN201
    """Pending requests with their messages (contact persons)."""
    community, access = moderator_area(slug)
    return _render_requests(community, access)


@bp.post("/<slug>/requests/<int:membership_id>/approve")
@login_required
def approve(slug: str, membership_id: int):  # noqa: ANN201
    """Admit a requester."""
    community, _access = moderator_area(slug)
    if not forms.DecisionForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        membership = membership_services.approve_request(
            community=community, membership_id=membership_id, actor=current_user
        )
    if done:
        flash(_("%(name)s is now a member.", name=membership.user.name), "success")
    return redirect(url_for(".requests", slug=slug))


@bp.post("/<slug>/requests/<int:membership_id>/reject")
@login_required
def reject(slug: str, membership_id: int):  # noqa: ANN201
    """Turn a request down with a reason."""
    community, access = moderator_area(slug)
    form = forms.DecisionForm()
    if form.validate_on_submit():
        # A refusal about the reason stays on the form; any other is flashed on the list of requests.
        with request_action(form) as done:
            membership = membership_services.reject_request(
                community=community, membership_id=membership_id, actor=current_user, reason=form.reason.data or ""
            )
        if done:
            flash(_("The request from %(name)s was declined.", name=membership.user.name), "success")
        if done or done.error.field != "reason":
            return redirect(url_for(".requests", slug=slug))
    return _render_requests(community, access, failed=membership_id, form=form, status=400)


def _member_action(slug: str, user_id: int, action: str):
    community, access = moderator_area(slug)
    form = forms.DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    reason = form.reason.data or ""
    with request_action(form) as done:
        if action == "remove":
            membership = membership_services.remove_member(
                community=community, user_id=user_id, actor=current_user, reason=reason
            )
            message = _("%(name)s was removed from the community.", name=membership.user.name)
        elif action == "suspend":
            membership = membership_services.suspend_member(
                community=community, user_id=user_id, actor=current_user, reason=reason
            )
            message = _("%(name)s is suspended.", name=membership.user.name)
        elif action == "reinstate":
            membership = membership_services.reinstate_member(community=community, user_id=user_id, actor=current_user)
            message = _("%(name)s is a member again.", name=membership.user.name)
        else:
            membership = membership_services.make_contact(community=community, user_id=user_id, actor=current_user)
            message = _("%(name)s is now a contact person.", name=membership.user.name)
    if done:
        flash(message, "success")
    elif done.error.field == "reason":  # shown on the form; any other refusal was flashed
        return _render_members(community, access, decision_form=form, status=400)
    return redirect(url_for(".members", slug=slug))


@bp.post("/<slug>/members/<int:user_id>/remove")
@login_required
@confirm_first(
    _l("Remove this member from the community?"),
    _l("They lose access to the community's threads and files, and are told with your reason."),
    _l("Remove the member"),
    guard=lambda slug, user_id: moderator_area(slug),
)
def remove_member(slug: str, user_id: int):  # noqa: ANN201
    """Take a member out of the community."""
    return _member_action(slug, user_id, "remove")


@bp.post("/<slug>/members/<int:user_id>/suspend")
@login_required
def suspend_member(slug: str, user_id: int):  # noqa: ANN201
    """Suspend a member, with a reason."""
    return _member_action(slug, user_id, "suspend")


@bp.post("/<slug>/members/<int:user_id>/reinstate")
@login_required
def reinstate_member(slug: str, user_id: int):  # noqa: ANN201
    """Lift a suspension."""
    return _member_action(slug, user_id, "reinstate")


@bp.post("/<slug>/members/<int:user_id>/make-contact")
@login_required
def make_contact(slug: str, user_id: int):  # noqa: ANN201
    """Make a member a contact person."""
    return _member_action(slug, user_id, "make_contact")


@bp.post("/<slug>/members/add")
@login_required
def add_member(slug: str):  # noqa: ANN201
    """Invite someone by e-mail (contact persons, admins); the answer never says whether the address has an account."""
    community, access = moderator_area(slug)
    form = forms.AddMemberForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            invitation = invitations.invite(
                community=community, email=form.email.data, actor=current_user, as_contact=form.as_contact.data
            )
            if invitation is not None and throttle.allow_mail_to(form.email.data):
                enqueue_after_commit(
                    jobs.send_invitation,
                    invitation.community_id,
                    invitation.user_id,
                    invitation.as_contact,
                    invitation.inviter_id,
                )
        if done:
            flash(
                _(
                    "If an account uses %(email)s and is not a member yet, we have e-mailed an invitation; "
                    "they join when they accept it.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for(".members", slug=slug))
    return _render_members(community, access, add_form=form, status=400)


@bp.route("/<slug>/invitation/<token>", methods=["GET", "POST"])
@login_required
def invitation(slug: str, token: str):  # noqa: ANN201
    """Accept an e-mailed invitation (GET only shows it, since mail scanners open links)."""
    community = community_or_404(slug)
    user = current_user._get_current_object()
    try:
        invited = invitations.invitation_for(token, user=user, community=community)
    except ServiceError:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        with request_action() as done:
            invitations.accept(token=token, user=user, community=community)
        if done:
            flash(_("Welcome to %(community)s.", community=community.name), "success")
        return redirect(url_for(".show", slug=slug))
    return render_template("community/invitation.html", community=community, invitation=invited, form=form)
