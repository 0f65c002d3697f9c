"""Administration of communities: create, rename, describe, nest, archive, joining rule, contact persons."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from academy.admin.blueprint import bp
from academy.admin.forms import CommunityForm, ConfirmForm, ContactForm
from academy.community import people
from academy.community.models import Community
from academy.community.services import membership as membership_services
from academy.community.services import spaces
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.extensions import db
from academy.security import admin_required


def _community(community_id: int) -> Community:
    return db.session.get(Community, community_id) or abort(404)


def _parent_choices(form: CommunityForm, community: Community | None) -> None:
    choices = [(0, _("None (a top-level community)"))]
    for other in spaces.all_communities():
        if community is not None and other.id == community.id:
            continue
        label = "— " * spaces.depth(other) + other.name
        choices.append((other.id, label + (" " + _("(archived)") if other.archived_at else "")))
    form.parent_id.choices = choices


def _parent(form: CommunityForm) -> Community | None:
    return db.session.get(Community, form.parent_id.data) if form.parent_id.data else None


@bp.get("/communities")
@admin_required
def communities():  # noqa: ANN201
    """Every community (archived ones too) with its contact persons and waiting requests."""
    rows = spaces.all_communities()
    return render_template(
        "admin/communities.html",
        rows=rows,
        depth={c.id: spaces.depth(c) for c in rows},
        contacts=spaces.contacts_by_community(),
        pending=spaces.pending_by_community(),
    )


@bp.route("/communities/new", methods=["GET", "POST"])
@admin_required
def new_community():  # noqa: ANN201
    """Create a community; the next page names its contact persons."""
    form = CommunityForm()
    _parent_choices(form, None)
    if form.validate_on_submit():
        with request_action(form) as done:
            community = spaces.create_community(
                actor=current_user._get_current_object(),
                name=form.name.data,
                slug=form.slug.data,
                summary=form.summary.data,
                description=form.description.data,
                policy=form.policy.data,
                parent=_parent(form),
            )
            community_id = community.id
        if done:
            flash(_("Community created. Now name its contact persons."), "success")
            return redirect(url_for(".edit_community", community_id=community_id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/community_form.html", form=form, community=None), status


@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
@admin_required
def edit_community(community_id: int):  # noqa: ANN201
    """Edit a community, archive it, and add or remove its contact persons."""
    community = _community(community_id)
    form = CommunityForm(obj=community) if request.method == "GET" else CommunityForm()
    if request.method == "GET":
        form.parent_id.data = community.parent_id or 0
    _parent_choices(form, community)
    if form.validate_on_submit():
        with request_action(form) as done:
            spaces.update_community(
                community=community,
                actor=current_user._get_current_object(),
                name=form.name.data,
                slug=form.slug.data,
                summary=form.summary.data,
                description=form.description.data,
                policy=form.policy.data,
                parent=_parent(form),
            )
        if done:
            flash(_("Changes saved."), "success")
            return redirect(url_for(".edit_community", community_id=community_id))
        community = _community(community_id)  # rolled back: show the saved state beside what was typed
    return _edit_page(community, form=form, status=400 if form.is_submitted() else 200)


def _edit_page(
    community: Community,
    *,
    form: CommunityForm | None = None,
    contact_form: ContactForm | None = None,
    status: int = 200,
):
    if form is None:
        form = CommunityForm(obj=community)
        form.parent_id.data = community.parent_id or 0
        _parent_choices(form, community)
    page = render_template(
        "admin/community_form.html",
        form=form,
        community=community,
        contacts=people.contacts(community),
        pending=membership_services.pending_count(community),
        contact_form=contact_form or ContactForm(),
        confirm=ConfirmForm(),
    )
    return page, status


@bp.post("/communities/<int:community_id>/contacts")
@admin_required
def add_contact(community_id: int):  # noqa: ANN201
    """Name a contact person by e-mail."""
    community = _community(community_id)
    form = ContactForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            membership = spaces.add_contact(
                community=community, actor=current_user._get_current_object(), email=form.email.data
            )
            name = membership.user.name
        if done:
            flash(
                _("%(name)s is now a contact person of %(community)s.", name=name, community=community.name), "success"
            )
            return redirect(url_for(".edit_community", community_id=community_id))
        community = _community(community_id)
    return _edit_page(community, contact_form=form, status=400)


@bp.post("/communities/<int:community_id>/contacts/<int:user_id>/remove")
@admin_required
@confirm_first(
    _l("Remove this contact person?"),
    _l("They stay a member but can no longer approve requests or moderate the community."),
    _l("Remove as contact"),
    guard=lambda community_id, user_id: _community(community_id),
)
def remove_contact(community_id: int, user_id: int):  # noqa: ANN201
    """Take the contact role from someone (they stay a member)."""
    community = _community(community_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        membership = spaces.remove_contact(
            community=community, actor=current_user._get_current_object(), user_id=user_id
        )
        name = membership.user.name
    if done:
        flash(_("%(name)s is no longer a contact person; they stay a member.", name=name), "success")
    return redirect(url_for(".edit_community", community_id=community_id))


@bp.post("/communities/<int:community_id>/archive")
@admin_required
@confirm_first(
    _l("Archive the community?"),
    _l("It leaves the directory and takes no new requests; members keep read access."),
    _l("Archive the community"),
    when=lambda: request.form.get("archived") == "1",  # bringing it back needs no question
    guard=lambda community_id: _community(community_id),
)
def archive_community(community_id: int):  # noqa: ANN201
    """Archive a community, or bring it back (form field `archived` = 1 or 0)."""
    community = _community(community_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archived = request.form.get("archived") == "1"
    with request_action() as done:
        spaces.set_archived(community=community, actor=current_user._get_current_object(), archived=archived)
    if done:
        message = (
            _("%(name)s is archived.", name=community.name) if archived else _("%(name)s is back.", name=community.name)
        )
        flash(message, "success")
    return redirect(url_for(".edit_community", community_id=community_id))
