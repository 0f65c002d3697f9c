"""My notifications: list (all or unread), mark one read, mark all read; my e-mail preferences."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate
from sqlalchemy import select

from academy.api.core import api_route, api_user
from academy.api.endpoints.communities import CommunityRef
from academy.api.fields import Text
from academy.api.pagination import paginate
from academy.api.problems import ApiProblem
from academy.api.schemas import ApiSchema, PageQuery, PageSchema
from academy.api.spec import describe_tag
from academy.community.models import Community, Membership, MemberStatus
from academy.core.actions import api_action
from academy.exceptions import NotFound
from academy.extensions import db
from academy.notifications import events, preferences, services
from academy.notifications.access import make_scope
from academy.notifications.models import Mode, Notification, Preference

describe_tag("Notifications", "What happened that concerns you: the items behind the bell.")


class NotificationQuery(PageQuery):
    """Filters of my notifications."""

    unread = fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        metadata={"description": "`true`: unread only (like *Show unread*); `false` or absent: all."},
    )


class NotificationOut(ApiSchema):
    """One notification."""

    id = fields.Integer(required=True)
    event = fields.String(required=True, metadata={"description": "The kind, e.g. `answer.posted`."})
    text = fields.String(required=True, metadata={"description": "One line, in your language."})
    link = fields.String(required=True, metadata={"description": "Where it leads on the site (a path)."})
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


class NotificationPage(PageSchema):
    """A page of NotificationOut objects with the total, links, and how many of mine are unread."""

    items = fields.List(fields.Nested(NotificationOut), required=True)
    unread = fields.Integer(required=True, metadata={"description": "My unread notifications, all pages."})


class ReadAll(ApiSchema):
    """The outcome of marking everything read."""

    marked = fields.Integer(required=True, metadata={"description": "How many were unread until now."})
    unread = fields.Integer(required=True)


def _known_kind(name: str) -> None:
    if name not in {k.name for k in events.configurable_kinds()}:
        raise ValidationError("Not a kind of notification you can choose e-mail for.")


_MODES = "`immediate`, `daily` (digest), `weekly` (digest) or `off` (in the app only)"


class PreferenceIn(ApiSchema):
    """My e-mail choice for one kind of notification (the in-app list always gets every one)."""

    event = Text(required=True, validate=_known_kind, metadata={"description": "The kind, e.g. `answer.posted`."})
    email = Text(required=True, validate=validate.OneOf(Mode.ALL), metadata={"description": _MODES + "."})


class ScopedPreferenceIn(ApiSchema):
    """My e-mail choice for one kind of notification in one community; null: as in my general settings."""

    event = Text(
        required=True, validate=_known_kind, metadata={"description": "A community kind, e.g. `thread.created`."}
    )
    email = Text(
        required=True,
        allow_none=True,
        validate=validate.OneOf(Mode.ALL),
        metadata={"description": _MODES + ", or null."},
    )


class CommunityPreferencesIn(ApiSchema):
    """My choices for one community I belong to."""

    community = Text(required=True, validate=validate.Length(min=1, max=80), metadata={"description": "Its slug."})
    preferences = fields.List(fields.Nested(ScopedPreferenceIn), required=True)


class PreferencesUpdate(ApiSchema):
    """All my general choices, and those of the communities named (others stay as they are)."""

    general = fields.List(
        fields.Nested(PreferenceIn),
        required=True,
        metadata={"description": "Kinds left out go back to their default."},
    )
    communities = fields.List(
        fields.Nested(CommunityPreferencesIn),
        load_default=list,
        metadata={"description": "Per community; kinds left out follow my general settings."},
    )


class PreferenceOut(ApiSchema):
    """My e-mail mode for one kind of notification."""

    event = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "As on the preferences page, in your language."})
    email = fields.String(required=True, validate=validate.OneOf(Mode.ALL), metadata={"description": "What applies."})
    default = fields.String(required=True, validate=validate.OneOf(Mode.ALL))


class ScopedPreferenceOut(ApiSchema):
    """My e-mail choice for one kind in one community; null: as in my general settings."""

    event = fields.String(required=True)
    label = fields.String(required=True)
    email = fields.String(required=True, allow_none=True, validate=validate.OneOf(Mode.ALL))


class CommunityPreferencesOut(ApiSchema):
    """My choices for one community I belong to."""

    community = fields.Nested(CommunityRef, required=True)
    preferences = fields.List(fields.Nested(ScopedPreferenceOut), required=True)


class NotificationPreferences(ApiSchema):
    """My e-mail choices per kind of notification, in general and per community I belong to."""

    general = fields.List(fields.Nested(PreferenceOut), required=True)
    communities = fields.List(fields.Nested(CommunityPreferencesOut), required=True)


def _out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "event": notification.event,
        "text": events.render(notification.event, notification.data),
        "link": services.safe_link(notification.link),
        "subject_type": notification.subject_type,
        "subject_id": notification.subject_id,
        "created_at": notification.created_at,
        "read": notification.is_read,
        "read_at": notification.read_at,
    }


def _mine(notification_id: int) -> Notification:
    notification = services.get_for(api_user(), notification_id)
    if notification is None:
        raise NotFound("You have no notification with this id.")
    return notification


@api_route("/notifications", query=NotificationQuery, response=NotificationPage, scope="read", tags=["Notifications"])
def list_notifications(query: dict[str, Any]) -> dict[str, Any]:
    """My notifications, newest first; `unread=true` for the unread ones only."""
    user = api_user()
    page = paginate(
        services.list_query(user, unread_only=query.get("unread", False)), limit=query["limit"], offset=query["offset"]
    )
    return {
        "items": [_out(n) for n in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "links": page.links,
        "unread": services.unread_count(user),
    }


@api_route(
    "/notifications/<int:notification_id>/read",
    method="POST",
    response=NotificationOut,
    scope="write",
    tags=["Notifications"],
)
def mark_notification_read(notification_id: int) -> dict[str, Any]:
    """Mark one of my notifications read (again is harmless)."""
    notification = _mine(notification_id)
    with api_action():
        services.mark_read(notification)
    return _out(notification)


@api_route("/notifications/read-all", method="POST", response=ReadAll, scope="write", tags=["Notifications"])
def mark_all_notifications_read() -> dict[str, Any]:
    """Mark all my notifications read."""
    with api_action():
        marked = services.mark_all_read(api_user())
    return {"marked": marked, "unread": 0}


# --- preferences ----------------------------------------------------------------------------------


def _my_communities() -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .join(Membership, Membership.community_id == Community.id)
            .where(Membership.user_id == api_user().id, Membership.status == MemberStatus.ACTIVE)
            .order_by(Community.position, Community.name, Community.id)
        )
    )


def _preferences() -> dict[str, Any]:
    """General and per-community choices as the preferences pages show them (three queries)."""
    stored: dict[tuple[str, str], str] = {
        (event, scope): email
        for event, scope, email in db.session.execute(
            select(Preference.event, Preference.scope, Preference.email).where(Preference.user_id == api_user().id)
        )
    }
    general = {k: v for k, v in stored.items() if k[1] == ""}
    scoped_kinds = events.configurable_kinds(events.COMMUNITY)
    return {
        "general": [
            {
                "event": kind.name,
                "label": str(kind.label),
                "email": preferences.resolve_mode(kind, general, ""),
                "default": kind.default,
            }
            for kind in events.configurable_kinds()
        ],
        "communities": [
            {
                "community": {"slug": c.slug, "name": c.name},
                "preferences": [
                    {
                        "event": kind.name,
                        "label": str(kind.label),
                        "email": stored.get((kind.name, make_scope(events.COMMUNITY, c.id))),
                    }
                    for kind in scoped_kinds
                ],
            }
            for c in _my_communities()
        ],
    }


def _invalid(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, kind="validation-error", errors=[{"location": "body", "field": field, "message": message}])


def _choices(items: list[dict[str, Any]], allowed: set[str], prefix: str) -> dict[str, str | None]:
    """The entries by event; 422 naming the entry for a repeated kind or one not allowed here."""
    chosen: dict[str, str | None] = {}
    for i, item in enumerate(items):
        if item["event"] not in allowed:
            raise _invalid(f"{prefix}.{i}.event", "This kind cannot be chosen per community.")
        if item["event"] in chosen:
            raise _invalid(f"{prefix}.{i}.event", "This kind is listed twice.")
        chosen[item["event"]] = item["email"]
    return chosen


@api_route("/me/notification-preferences", response=NotificationPreferences, scope="read", tags=["Notifications"])
def get_notification_preferences() -> dict[str, Any]:
    """My e-mail choices per kind of notification, and per community I belong to.

    In general, `email` is the mode that applies (my choice or the kind's default); per community,
    null means "as in my general settings". The in-app list always receives every notification.
    """
    return _preferences()


@api_route(
    "/me/notification-preferences",
    method="PUT",
    body=PreferencesUpdate,
    response=NotificationPreferences,
    scope="write",
    tags=["Notifications"],
)
def update_notification_preferences(body: dict[str, Any]) -> dict[str, Any]:
    """Replace my e-mail choices, as saving the preferences page does.

    `general` lists every kind I choose for; kinds left out go back to their default, and an
    earlier "unsubscribe from everything" is replaced. Each community in `communities` (one I
    belong to, by slug) gets exactly the choices listed; communities left out keep theirs.
    """
    user = api_user()
    general = _choices(body["general"], {k.name for k in events.configurable_kinds()}, "general")
    scoped_kinds = events.configurable_kinds(events.COMMUNITY)
    mine = {c.slug: c for c in _my_communities()}
    per_community: list[tuple[Community, dict[str, str | None]]] = []
    for i, entry in enumerate(body["communities"]):
        community = mine.get(entry["community"])
        if community is None:
            raise _invalid(f"communities.{i}.community", "You are not a member of a community with this slug.")
        if any(c is community for c, _chosen in per_community):
            raise _invalid(f"communities.{i}.community", "This community is listed twice.")
        chosen = _choices(entry["preferences"], {k.name for k in scoped_kinds}, f"communities.{i}.preferences")
        per_community.append((community, chosen))
    with api_action():
        for kind in events.configurable_kinds():
            mode = general.get(kind.name, kind.default)
            preferences.set_preference(user, kind.name, None if mode == kind.default else mode)
        preferences.set_preference(user, events.ALL_EVENTS, None)
        for community, chosen in per_community:
            scope = make_scope(events.COMMUNITY, community.id)
            for kind in scoped_kinds:
                preferences.set_preference(user, kind.name, chosen.get(kind.name), scope)
    return _preferences()
