"""Building notification and digest e-mails: text and HTML parts from templates, RFC 8058 unsubscribe headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from academy import mail
from academy.auth.models import User
from academy.notifications import events, preferences
from academy.notifications.access import scope_label
from academy.notifications.models import Notification


def site_url(endpoint_or_path: str, **values: object) -> str:
    """An absolute URL on BASE_URL for an endpoint (built without a request) or a site path."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if endpoint_or_path.startswith(("http://", "https://")):
        return endpoint_or_path
    if endpoint_or_path.startswith("/") or not endpoint_or_path:
        return base + (endpoint_or_path or "/")
    # Building from the URL map needs no request context, so this works inside jobs.
    path = current_app.url_map.bind("localhost").build(endpoint_or_path, values)
    return base + path


@dataclass
class Item:
    """One notification as shown in an e-mail."""

    text: str
    url: str
    excerpt: str
    where: str


def _item(notification: Notification) -> Item:
    data = notification.data or {}
    excerpt = data.get("excerpt") if isinstance(data.get("excerpt"), str) else ""
    return Item(
        text=events.render(notification.event, data),
        url=site_url(notification.link or "/notifications/"),
        excerpt=(excerpt or "")[:500],
        where=scope_label(notification.scope) if notification.scope else "",
    )


def _unsubscribe_headers(url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _mail_locale() -> str:
    # Jobs run without a request, so the request-based locale selector cannot answer; users have no
    # language setting yet, so mail goes out in the default locale.
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def send_notification(user: User, notification: Notification) -> str:
    """E-mail one notification; non-transactional mail carries one-click unsubscribe headers."""
    with force_locale(_mail_locale()):
        return _send_notification(user, notification)


def _send_notification(user: User, notification: Notification) -> str:
    kind = events.get(notification.event)
    item = _item(notification)
    context = {
        "user": user,
        "item": item,
        "kind": kind,
        "unsubscribe_url": None,
        "preferences_url": site_url("notifications.preferences"),
    }
    headers: dict[str, str] = {}
    if not kind.transactional:
        scope = notification.scope if kind.scope_type else ""
        token = preferences.unsubscribe_token(user.id, kind.name, scope)
        context["unsubscribe_url"] = site_url("notifications.unsubscribe", token=token)
        headers = _unsubscribe_headers(context["unsubscribe_url"])
    return mail.send_email(
        to=user.email,
        subject=item.text,
        text=render_template("notifications/email/notification.txt", **context),
        html=render_template("notifications/email/notification.html", **context),
        headers=headers,
    )


def send_digest(user: User, notifications: Sequence[Notification], period: str) -> str:
    """E-mail one digest listing several notifications; its unsubscribe link switches off all e-mail."""
    with force_locale(_mail_locale()):
        return _send_digest(user, notifications, period)


def _send_digest(user: User, notifications: Sequence[Notification], period: str) -> str:
    items = [_item(n) for n in notifications]
    count = len(items)
    if period == "weekly":
        subject = ngettext("Your weekly digest: %(num)d update", "Your weekly digest: %(num)d updates", count)
    else:
        subject = ngettext("Your daily digest: %(num)d update", "Your daily digest: %(num)d updates", count)
    token = preferences.unsubscribe_token(user.id)
    context = {
        "user": user,
        "items": items,
        "period": period,
        "heading": subject,
        "unsubscribe_url": site_url("notifications.unsubscribe", token=token),
        "preferences_url": site_url("notifications.preferences"),
        "all_url": site_url("notifications.index"),
    }
    return mail.send_email(
        to=user.email,
        subject=subject,
        text=render_template("notifications/email/digest.txt", **context),
        html=render_template("notifications/email/digest.html", **context),
        headers=_unsubscribe_headers(context["unsubscribe_url"]),
    )


def describe_unsubscribe(event: str, scope: str) -> str:
    """What an unsubscribe token switches off, in words, for the confirmation page."""
    if event == events.ALL_EVENTS:
        return _("all e-mail notifications from the Interreg Academy")
    label = str(events.get(event).label)
    if scope:
        return _("e-mails about “%(kind)s” in %(where)s", kind=label, where=scope_label(scope))
    return _("e-mails about “%(kind)s”", kind=label)
