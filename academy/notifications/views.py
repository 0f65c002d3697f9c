"""Notification pages: the list, marking read, preferences, one-click unsubscribe; the bell in the header."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from academy import jobs as app_jobs
from academy.core.actions import request_action
from academy.extensions import csrf
from academy.inputs import page_arg
from academy.jobs import QUEUE_NOTIFICATIONS
from academy.notifications import (
    admin,  # noqa: F401  (admin routes on this blueprint)
    events,
    services,
)
from academy.notifications import jobs as notification_jobs
from academy.notifications import preferences as prefs_service
from academy.notifications.access import can_see, parse_scope, scope_label
from academy.notifications.blueprint import bp
from academy.notifications.emails import describe_unsubscribe
from academy.notifications.forms import INHERIT, EmptyForm, field_name, preferences_form
from academy.notifications.models import Mode
from academy.templating import Bell, register_bell

SWEEP_EVERY = 60  # with NOTIFICATIONS_STUCK_AFTER: a row stuck in sending is back within ~6 minutes
DIGEST_CHECK_EVERY = 900


def bell() -> Bell | None:
    """The header bell: unread count for the current user, in one query."""
    if not current_user.is_authenticated:
        return None
    count = services.unread_count(current_user)
    label = (
        ngettext("Notifications: %(num)d unread", "Notifications: %(num)d unread", count)
        if count
        else _("Notifications")
    )
    return Bell(url=url_for("notifications.index"), count=count, label=label)


@bp.record_once
def _setup(state) -> None:  # noqa: ANN001
    register_bell(state.app, bell)
    app_jobs.register_periodic(
        state.app, "notifications-sweep", notification_jobs.periodic_sweep,
        every=SWEEP_EVERY, queue=QUEUE_NOTIFICATIONS,
    )  # fmt: skip
    app_jobs.register_periodic(
        state.app, "notifications-digests", notification_jobs.periodic_digests,
        every=DIGEST_CHECK_EVERY, queue=QUEUE_NOTIFICATIONS,
    )  # fmt: skip


@bp.get("/notifications/")
@login_required
def index():  # noqa: ANN201
    """The user's notifications, newest first, each linking to its thing."""
    unread_only = request.args.get("show") == "unread"
    page = page_arg()
    pagination = services.list_for(current_user, page=page, unread_only=unread_only)
    items = [(n, events.render(n.event, n.data)) for n in pagination.items]
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        items=items,
        links={n.id: services.safe_link(n.link) for n in pagination.items},
        unread_only=unread_only,
        form=EmptyForm(),
    )


def mask_email(email: str) -> str:
    """ "lena@example.org" -> "l***@example.org": enough to recognise, not to harvest from a forwarded link."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _back() -> str:
    # Only our own list is a valid place to return to (no open redirect).
    target = request.form.get("next", "")
    if target.startswith("/notifications/") and not target.startswith("//"):
        return target
    return url_for(".index")


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):  # noqa: ANN201
    """Mark one of my notifications read."""
    notification = services.get_for(current_user, notification_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action():
        services.mark_read(notification)
    return redirect(_back())


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():  # noqa: ANN201
    """Mark all my notifications read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action():
        count = services.mark_all_read(current_user)
    if count:
        message = ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count)
        flash(message, "success")
    return redirect(_back())


def _effective_general(stored: dict[str, str]) -> dict[str, str]:
    prefs = {(event, ""): mode for event, mode in stored.items()}
    return {kind.name: prefs_service.resolve_mode(kind, prefs, "") for kind in events.configurable_kinds()}


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():  # noqa: ANN201
    """E-mail choices per event kind (in-app is always on); ?scope=community:3 for one community."""
    scope = request.args.get("scope", "")
    parsed = parse_scope(scope) if scope else None
    if scope and (parsed is None or not can_see(current_user, *parsed)):
        abort(404)
    kinds = events.configurable_kinds(parsed[0] if parsed else None)
    if not kinds:
        abort(404)
    stored = prefs_service.stored_preferences(current_user, scope)
    initial = stored if scope else _effective_general(stored)
    form = preferences_form(kinds, scoped=bool(scope), data=initial)
    if form.validate_on_submit():
        with request_action(form) as done:
            for kind in kinds:
                value = form[field_name(kind.name)].data
                if scope:
                    prefs_service.set_preference(current_user, kind.name, None if value == INHERIT else value, scope)
                else:
                    prefs_service.set_preference(current_user, kind.name, None if value == kind.default else value)
            if not scope:
                # Explicit choices replace an earlier "unsubscribe from everything".
                prefs_service.set_preference(current_user, events.ALL_EVENTS, None)
        if done:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for(".preferences", scope=scope or None))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "notifications/preferences.html",
        form=form,
        fields=[(kind, form[field_name(kind.name)]) for kind in kinds],
        scope=scope,
        scope_name=scope_label(scope) if scope else "",
        all_off=not scope and stored.get(events.ALL_EVENTS) == Mode.OFF,
        scoped=[(s, scope_label(s)) for s in prefs_service.scoped_preference_scopes(current_user)] if not scope else [],
    ), status


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST without our CSRF token; the signed token is the credential
def unsubscribe(token: str):  # noqa: ANN201
    """GET: a confirmation page, changing nothing. POST (one click, no login): switch that e-mail off."""
    target = prefs_service.read_unsubscribe_token(token)
    if target is None:
        abort(404)
    if request.method == "GET":
        return render_template(
            "notifications/unsubscribe.html",
            token=token,
            what=describe_unsubscribe(target.event, target.scope),
            is_all=target.event == events.ALL_EVENTS,
            email=mask_email(target.user.email),
        )
    everything = request.form.get("everything") == "1"
    with request_action():
        prefs_service.unsubscribe(target, everything=everything)
    what = describe_unsubscribe(events.ALL_EVENTS if everything else target.event, target.scope)
    return render_template("notifications/unsubscribed.html", what=what, email=mask_email(target.user.email))
