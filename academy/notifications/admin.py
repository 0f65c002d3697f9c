"""Admin page for background work: queue lengths, failed jobs (retry), stuck or failed deliveries (retry), sweep."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, func, or_, select

from academy import jobs as app_jobs
from academy.auth.models import User
from academy.core.actions import request_action
from academy.db import utcnow
from academy.extensions import db
from academy.home import HomePanel, register_home_panel
from academy.notifications import jobs
from academy.notifications.blueprint import bp
from academy.notifications.forms import EmptyForm
from academy.notifications.models import Delivery, DigestRun, Mode, Notification, Status
from academy.ops import queues
from academy.security import admin_required

LIST_LIMIT = 50


def _stuck() -> ColumnElement[bool]:
    """Failed deliveries, and immediate ones waiting or sending for longer than the sweep threshold."""
    cutoff = utcnow() - timedelta(seconds=jobs._stuck_after())
    immediate = Delivery.mode == Mode.IMMEDIATE
    return or_(
        Delivery.status == Status.FAILED,
        immediate & (Delivery.status == Status.PENDING) & (Delivery.queued_at < cutoff),
        (Delivery.status == Status.SENDING) & (Delivery.claimed_at < cutoff),
    )


def stuck_deliveries(limit: int = LIST_LIMIT) -> list[tuple[Delivery, Notification, User]]:
    """Failed deliveries, and immediate ones waiting or sending for longer than the sweep threshold."""
    query = (
        select(Delivery, Notification, User)
        .join(Notification, Delivery.notification_id == Notification.id)
        .join(User, Delivery.user_id == User.id)
        .where(_stuck())
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def attention_panel():  # noqa: ANN201
    """Start page, for admins: failed background jobs and stuck deliveries waiting for them (None if none)."""
    if not current_user.is_authenticated or not current_user.is_admin:
        return None
    failed_jobs, stuck = db.session.execute(
        select(
            select(func.count(app_jobs.JobFailure.id))
            .where(app_jobs.JobFailure.retried_at.is_(None))
            .scalar_subquery(),
            select(func.count(Delivery.id)).where(_stuck()).scalar_subquery(),
        )
    ).one()
    if not failed_jobs and not stuck:
        return None
    return HomePanel(
        title=_("Needs attention"),
        template="notifications/_home_attention.html",
        context={"failed_jobs": failed_jobs, "stuck": stuck},
        more_url=url_for("notifications.admin_jobs"),
        more_label=_("Background jobs"),
    )


@bp.record_once
def _register_panel(state) -> None:  # noqa: ANN001
    register_home_panel(state.app, "attention", attention_panel, order=1)


def _rq_state() -> tuple[list[dict], list[dict], str]:
    if current_app.config.get("JOBS_INLINE", True):
        return [], [], ""
    try:
        return queues.queue_stats(), queues.failed_rq_jobs(LIST_LIMIT), ""
    except Exception as exc:  # Redis unreachable: the page still shows the database side
        return [], [], f"{type(exc).__name__}: {exc}"


@bp.get("/admin/jobs")
@admin_required
def admin_jobs():  # noqa: ANN201
    """Queues, failed jobs and stuck deliveries."""
    stats, rq_failed, rq_error = _rq_state()
    counts = dict(
        db.session.execute(select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status)).tuples().all()
    )
    digest_failed = db.session.scalar(select(func.count(DigestRun.id)).where(DigestRun.status == Status.FAILED))
    failures = db.session.scalars(
        select(app_jobs.JobFailure)
        .where(app_jobs.JobFailure.retried_at.is_(None))
        .order_by(app_jobs.JobFailure.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return render_template(
        "notifications/admin_jobs.html",
        inline=current_app.config.get("JOBS_INLINE", True),
        stats=stats,
        rq_failed=rq_failed,
        rq_error=rq_error,
        counts=counts,
        statuses=(Status.PENDING, Status.SENDING, Status.SENT, Status.FAILED, Status.SKIPPED),
        digest_failed=digest_failed,
        failures=failures,
        stuck=stuck_deliveries(),
        stuck_after=jobs._stuck_after() // 60,
        form=EmptyForm(),
    )


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.post("/admin/jobs/sweep")
@admin_required
def admin_sweep():  # noqa: ANN201
    """Run the outbox sweep now (same as `flask academy notifications sweep`)."""
    _checked_form()
    result = jobs.sweep()
    flash(_("Sweep done: %(result)s.", result=str(result)), "success")
    return redirect(url_for(".admin_jobs"))


@bp.post("/admin/jobs/deliveries/<int:delivery_id>/retry")
@admin_required
def admin_retry_delivery(delivery_id: int):  # noqa: ANN201
    """Give one delivery fresh attempts and queue it."""
    delivery = db.session.get(Delivery, delivery_id) or abort(404)
    _checked_form()
    if delivery.status in (Status.SENT, Status.SKIPPED):
        flash(_("That delivery is finished; nothing to retry."), "warning")
    else:
        with request_action():
            jobs.retry_delivery(delivery)
        flash(_("Delivery %(id)d queued again.", id=delivery_id), "success")
    return redirect(url_for(".admin_jobs"))


@bp.post("/admin/jobs/failures/<int:failure_id>/retry")
@admin_required
def admin_retry_failure(failure_id: int):  # noqa: ANN201
    """Run a failed in-process job again."""
    failure = db.session.get(app_jobs.JobFailure, failure_id) or abort(404)
    _checked_form()
    if failure.retried_at is None:
        with request_action():
            app_jobs.retry_failure(failure)
        flash(_("Job queued again."), "success")
    return redirect(url_for(".admin_jobs"))


@bp.post("/admin/jobs/rq/<queue>/<job_id>/retry")
@admin_required
def admin_retry_rq(queue: str, job_id: str):  # noqa: ANN201
    """Move a failed RQ job back onto its queue."""
    _checked_form()
    if current_app.config.get("JOBS_INLINE", True) or not queues.requeue_failed_rq_job(queue, job_id):
        abort(404)
    flash(_("Job queued again."), "success")
    return redirect(url_for(".admin_jobs"))
