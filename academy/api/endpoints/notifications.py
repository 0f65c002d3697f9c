"""My notifications: list (all or unread), mark one read, mark all read."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from academy.api.core import api_route, api_user
from academy.api.pagination import paginate
from academy.api.schemas import ApiSchema, PageQuery, PageSchema
from academy.api.spec import describe_tag
from academy.exceptions import NotFound
from academy.extensions import db
from academy.notifications import events, services
from academy.notifications.models import Notification
from academy.notifications.views import safe_link

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


def _out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "event": notification.event,
        "text": events.render(notification.event, notification.data),
        "link": safe_link(notification.link),
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
    services.mark_read(notification)
    db.session.commit()
    return _out(notification)


@api_route("/notifications/read-all", method="POST", response=ReadAll, scope="write", tags=["Notifications"])
def mark_all_notifications_read() -> dict[str, Any]:
    """Mark all my notifications read."""
    marked = services.mark_all_read(api_user())
    db.session.commit()
    return {"marked": marked, "unread": 0}
