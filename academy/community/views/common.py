"""The community blueprint and what its pages share: finding the community, access checks, uploads."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from academy.community import avatars
from academy.community.access import Access, access_for
from academy.community.models import Community
from academy.community.services import files as file_services
from academy.community.services.membership import pending_count_for, pending_counts_for
from academy.community.services.threads import unanswered_in_my_communities
from academy.extensions import db
from academy.home import HomePanel, register_home_panel
from academy.templating import register_badge

bp = Blueprint("community", __name__, url_prefix="/c")


def community_or_404(slug: str) -> Community:
    """The community with this slug, or a 404."""
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        abort(404)
    return community


def member_area(slug: str) -> tuple[Community, Access]:
    """The community and the user's access, or a 404 for anyone who may not read it."""
    community = community_or_404(slug)
    access = access_for(current_user, community)
    if not access.can_view:
        abort(404)
    return community, access


def moderator_area(slug: str) -> tuple[Community, Access]:
    """Like member_area, and a 403 for members who are not contact persons."""
    community, access = member_area(slug)
    if not access.can_moderate:
        abort(403)
    return community, access


def uploads_from(field) -> list[file_services.Upload]:  # noqa: ANN001
    """Read the files of a file field into Upload values (empty inputs skipped)."""
    out = []
    items = field.data if isinstance(field.data, list) else [field.data]
    for item in items:
        if item is None or not getattr(item, "filename", None):
            continue
        out.append(file_services.Upload(filename=item.filename, data=item.read()))
    return out


def _upload_limit() -> None:
    # Uploads may be larger than the app-wide MAX_CONTENT_LENGTH; this must run before the CSRF
    # check reads the form, which is why it is put first among the app's before_request hooks.
    if request.blueprint == bp.name and request.method == "POST":
        request.max_content_length = file_services.max_upload_bytes() * file_services.MAX_FILES_PER_POST + 2**20


def _pending_badge() -> tuple[int, str]:
    count = pending_count_for(current_user)
    return count, ngettext("%(num)d membership request waiting", "%(num)d membership requests waiting", count)


def _home_panel():
    """Start page: my communities with unanswered questions and, for contact persons, waiting requests."""
    if not current_user.is_authenticated:
        return None
    rows = unanswered_in_my_communities(current_user._get_current_object())
    if not rows:
        return None
    return HomePanel(
        title=_("Your communities"),
        template="community/_home_panel.html",
        context={"rows": rows, "pending": pending_counts_for(current_user)},
        more_url=url_for("community.index"),
        more_label=_("All communities"),
    )


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
    state.app.add_template_global(avatars.initials, "avatar_initials")
    state.app.add_template_global(avatars.colour, "avatar_colour")
    register_badge(state.app, "community.index", _pending_badge)
    register_home_panel(state.app, "community", _home_panel, order=50)
