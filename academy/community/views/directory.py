"""The directory of communities, a community's home page, joining, leaving and search."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.community import forms, people
from academy.community.access import access_for
from academy.community.documents import search as document_search
from academy.community.models import Community, MemberRole, Membership, MemberStatus
from academy.community.services import membership as membership_services
from academy.community.services import moderation as moderation_services
from academy.community.services import reading, watching
from academy.community.services import search as search_services
from academy.community.services import threads as thread_services
from academy.community.views.common import bp, community_or_404, member_area
from academy.core.actions import request_action
from academy.extensions import db
from academy.inputs import page_arg


def _contacts_by_community() -> dict[int, list]:
    rows = db.session.scalars(
        select(Membership)
        .options(selectinload(Membership.user))
        .where(Membership.role == MemberRole.CONTACT, Membership.status == MemberStatus.ACTIVE)
        .order_by(Membership.id)
    )
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(row.community_id, []).append(row.user)
    return out


@bp.get("/")
@login_required
def index():  # noqa: ANN201
    """Every community with its description, contacts, member count and my standing."""
    communities = list(
        db.session.scalars(
            select(Community).where(Community.archived_at.is_(None)).order_by(Community.position, Community.name)
        )
    )
    mine = {
        m.community_id: m for m in db.session.scalars(select(Membership).where(Membership.user_id == current_user.id))
    }
    roots = [c for c in communities if c.parent_id is None]
    children: dict[int, list[Community]] = {}
    for c in communities:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    return render_template(
        "community/index.html",
        roots=roots,
        children=children,
        contacts=_contacts_by_community(),
        mine=mine,
        pending=membership_services.pending_counts_for(current_user),
    )


@bp.get("/<slug>")
@login_required
def show(slug: str):  # noqa: ANN201
    """A community's home: its threads for members, its description and a join form for others."""
    community = community_or_404(slug)
    access = access_for(current_user, community)
    contacts = people.contacts(community)
    if not access.can_view:
        return render_template(
            "community/about.html", community=community, access=access, contacts=contacts, form=forms.JoinForm()
        )
    current = request.args.get("filter", "all")
    if current not in thread_services.THREAD_FILTERS:
        current = "all"
    page = page_arg()
    pagination = thread_services.list_threads(community, filter=current, page=page, include_hidden=access.can_moderate)
    return render_template(
        "community/show.html",
        community=community,
        access=access,
        contacts=contacts,
        pagination=pagination,
        new_ids=reading.new_thread_ids(user=current_user, community=community, threads=pagination.items),
        current_filter=current,
        watch_form=forms.WatchForm(level=watching.community_level(current_user, community)),
        leave_form=forms.JoinForm(),
        pending=membership_services.pending_count(community) if access.can_moderate else 0,
        flags=moderation_services.open_flag_count(community) if access.can_moderate else 0,
    )


@bp.post("/<slug>/join")
@login_required
def join(slug: str):  # noqa: ANN201
    """Ask to join (members of the parent join an open sub-community at once)."""
    community = community_or_404(slug)
    form = forms.JoinForm()
    if form.validate_on_submit():
        with request_action(form) as done:
            membership = membership_services.request_membership(
                community=community, user=current_user, message=form.message.data or ""
            )
        if done:
            if membership.status == MemberStatus.ACTIVE:
                flash(_("Welcome to %(name)s.", name=community.name), "success")
            else:
                flash(_("Your request has been sent to the contact persons."), "success")
            return redirect(url_for(".show", slug=slug))
    access = access_for(current_user, community)
    if access.can_view:
        abort(400)
    contacts = people.contacts(community)
    return render_template(
        "community/about.html", community=community, access=access, contacts=contacts, form=form
    ), 400


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str):  # noqa: ANN201
    """Leave the community, or withdraw a pending request."""
    community = community_or_404(slug)
    form = forms.JoinForm()
    if not form.validate_on_submit():
        abort(400)
    was_pending = access_for(current_user, community).status == MemberStatus.PENDING
    with request_action() as done:
        membership_services.leave(community=community, user=current_user)
    if not done:
        return redirect(url_for(".show", slug=slug))
    if was_pending:
        flash(_("Your request has been withdrawn."), "success")
    else:
        flash(_("You have left %(name)s.", name=community.name), "success")
    return redirect(url_for(".index"))


@bp.post("/<slug>/watch")
@login_required
def watch_community(slug: str):  # noqa: ANN201
    """Choose how closely to follow the community."""
    community, _access = member_area(slug)
    form = forms.WatchForm()
    if not form.validate_on_submit():
        abort(400)
    with request_action() as done:
        watching.watch_community(user=current_user, community=community, level=form.level.data)
    if done:
        flash(_("Your notification setting for this community is saved."), "success")
    return redirect(url_for(".show", slug=slug))


def _search_page(community: Community | None, access=None):  # noqa: ANN001
    query = request.args.get("q", "").strip()[:200]
    page = page_arg()
    results = search_services.search(user=current_user, query=query, community=community, page=page)

    document_hits = document_search.search(user=current_user, query=query, community=community) if page == 1 else []
    return render_template(
        "community/search.html",
        community=community,
        access=access,
        query=query,
        results=results,
        document_hits=document_hits,
    )


@bp.get("/search")
@login_required
def search_all():  # noqa: ANN201
    """Search every community I may read."""
    return _search_page(None)


@bp.get("/<slug>/search")
@login_required
def search(slug: str):  # noqa: ANN201
    """Search one community (members only)."""
    community, access = member_area(slug)
    return _search_page(community, access)
