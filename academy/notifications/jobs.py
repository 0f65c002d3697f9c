"""Delivery jobs: send immediate e-mails, build digests, and sweep the outbox for anything stuck.

Every job takes ids, reloads, and claims its row with a conditional UPDATE (pending -> sending)
committed before it sends, so a second run of the same job, a retry, or a sweep finds nothing
to do for a row that is already on its way. A row is never deleted: it ends sent, skipped, or
failed (retryable until MAX_ATTEMPTS, then shown on the admin page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, select, update

from academy import mail
from academy.auth.models import User
from academy.db import utcnow
from academy.extensions import db
from academy.jobs import QUEUE_NOTIFICATIONS, enqueue_after_commit
from academy.notifications import bulk, emails, events, preferences
from academy.notifications.access import may_receive
from academy.notifications.models import Channel, Delivery, DigestRun, Mode, Notification, Status

MAX_ATTEMPTS = 5
STUCK_AFTER = 330  # seconds: longer than a job may run (JOB_TIMEOUT 300)
SWEEP_LIMIT = 5000


class DeliveryFailed(Exception):
    """Some deliveries of a batch failed; raised so RQ retries the batch (sent rows are not claimed again)."""


def _stuck_after() -> int:
    return int(current_app.config.get("NOTIFICATIONS_STUCK_AFTER", STUCK_AFTER))


# --- immediate e-mail ------------------------------------------------------------------------------


def _claim(delivery_id: int) -> bool:
    """pending/failed -> sending, committed; False when another run has it or it is done."""
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.mode == Mode.IMMEDIATE,
            Delivery.status.in_(Status.RETRYABLE),
            Delivery.attempts < MAX_ATTEMPTS,
        )
        .values(status=Status.SENDING, claimed_at=utcnow(), attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(delivery: Delivery, status: str, note: str = "") -> None:
    delivery.status = status
    delivery.last_error = note
    if status == Status.SENT:
        delivery.sent_at = utcnow()
    db.session.commit()


def deliver(delivery_id: int) -> str:
    """Send one immediate delivery if it is still due; return what happened (sent, skipped, digest, busy)."""
    if not _claim(delivery_id):
        return "busy"
    row = db.session.execute(
        select(Delivery, Notification, User)
        .join(Notification, Delivery.notification_id == Notification.id)
        .join(User, Delivery.user_id == User.id)
        .where(Delivery.id == delivery_id)
    ).first()
    if row is None:  # the account was deleted since the claim (its rows go with it)
        return "gone"
    delivery, notification, user = row
    try:
        kind = events.get(notification.event)
    except ValueError:
        _finish(delivery, Status.SKIPPED, "unknown event kind")
        return "skipped"
    # Checked again now, not when recorded: access and preferences may have changed since.
    if not may_receive(user, notification):
        _finish(delivery, Status.SKIPPED, "no access")
        return "skipped"
    mode = preferences.email_mode(user.id, kind.name, notification.scope if kind.scope_type else "")
    if mode == Mode.OFF:
        _finish(delivery, Status.SKIPPED, "preference off")
        return "skipped"
    if mode in Mode.DIGESTS:
        delivery.mode, delivery.status, delivery.claimed_at = mode, Status.PENDING, None
        db.session.commit()
        return "digest"
    try:
        emails.send_notification(user, notification)
    except Exception as exc:
        db.session.rollback()
        delivery = db.session.get(Delivery, delivery_id)
        _finish(delivery, Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(delivery, Status.SENT)
    return "sent"


def deliver_batch(delivery_ids: Sequence[int]) -> dict[str, int]:
    """Deliver each id on its own claim and commit; one failure does not stop the rest, but fails the job."""
    outcomes: dict[str, int] = {}
    failures = []
    with mail.connection():  # one SMTP connection for the whole batch
        for delivery_id in delivery_ids:
            try:
                outcome = deliver(delivery_id)
            except Exception as exc:  # recorded on the row; the job fails at the end so RQ retries with backoff
                db.session.rollback()
                current_app.logger.warning("delivery %s failed: %s", delivery_id, exc)
                failures.append(delivery_id)
                outcome = "failed"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if failures:
        raise DeliveryFailed(f"{len(failures)} of {len(delivery_ids)} deliveries failed: {failures[:20]}")
    return outcomes


def retry_delivery(delivery: Delivery) -> None:
    """Give a failed or stuck delivery a fresh set of attempts and queue it after the commit."""
    delivery.status = Status.PENDING
    delivery.attempts = 0
    delivery.claimed_at = None
    delivery.queued_at = utcnow()
    if delivery.mode == Mode.IMMEDIATE:
        enqueue_after_commit(deliver_batch, [delivery.id], queue=QUEUE_NOTIFICATIONS)
    db.session.flush()


# --- digests -----------------------------------------------------------------------------------------


def digest_moment(period: str, now: datetime | None = None) -> datetime:
    """The latest digest time at or before `now`: the configured hour (UTC) daily, or on the weekday weekly."""
    now = now or utcnow()
    hour = int(current_app.config.get("NOTIFICATIONS_DIGEST_HOUR", 7))
    moment = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if period == Mode.WEEKLY:
        weekday = int(current_app.config.get("NOTIFICATIONS_DIGEST_WEEKDAY", 0))
        moment -= timedelta(days=(now.weekday() - weekday) % 7)
        if moment > now:
            moment -= timedelta(days=7)
    elif moment > now:
        moment -= timedelta(days=1)
    return moment


def queue_due_digests(now: datetime | None = None) -> int:
    """Create one digest run per user with digest mail waiting since the last digest time; queue them. Idempotent."""
    now = now or utcnow()
    queued = 0
    for period in Mode.DIGESTS:
        moment = digest_moment(period, now)
        key = moment.date().isoformat()
        already = exists().where(
            DigestRun.user_id == Delivery.user_id, DigestRun.period == period, DigestRun.period_key == key
        )
        user_ids = list(
            db.session.scalars(
                select(Delivery.user_id)
                .where(
                    Delivery.status == Status.PENDING,
                    Delivery.mode == period,
                    Delivery.created_at < moment,
                    ~already,
                )
                .distinct()
            )
        )
        table = DigestRun.__table__
        rows = [
            {"user_id": uid, "period": period, "period_key": key, "status": Status.PENDING, "attempts": 0}
            for uid in user_ids
        ]
        chunk = bulk.RECORD_CHUNK
        for start in range(0, len(rows), chunk):
            for (run_id,) in bulk.insert_ignoring_duplicates(table, rows[start : start + chunk], table.c.id):
                enqueue_after_commit(send_digest, run_id, queue=QUEUE_NOTIFICATIONS)
                queued += 1
    db.session.commit()
    return queued


def _claim_run(run_id: int) -> bool:
    result = db.session.execute(
        update(DigestRun)
        .where(DigestRun.id == run_id, DigestRun.status.in_(Status.RETRYABLE), DigestRun.attempts < MAX_ATTEMPTS)
        .values(status=Status.SENDING, claimed_at=utcnow(), attempts=DigestRun.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def send_digest(run_id: int) -> str:
    """Send one user's digest for one period: everything pending, in one e-mail, at most once."""
    if not _claim_run(run_id):
        return "busy"
    run = db.session.get(DigestRun, run_id)
    now = utcnow()
    # Attach what is waiting now; on a retry the rows attached by the failed attempt are still ours.
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.user_id == run.user_id,
            Delivery.channel == Channel.EMAIL,
            Delivery.mode == run.period,
            Delivery.status == Status.PENDING,
            Delivery.digest_run_id.is_(None),
        )
        .values(status=Status.SENDING, digest_run_id=run.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        select(Delivery, Notification)
        .join(Notification, Delivery.notification_id == Notification.id)
        .where(Delivery.digest_run_id == run.id, Delivery.status == Status.SENDING)
        .order_by(Notification.created_at, Notification.id)
    ).all()
    user = db.session.get(User, run.user_id)
    keep = _still_wanted(user, rows)
    if not keep:
        run.status, run.item_count, run.sent_at = Status.SKIPPED, 0, utcnow()
        db.session.commit()
        return "empty"
    try:
        emails.send_digest(user, [n for _, n in keep], run.period)
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(DigestRun, run_id)
        run.status, run.last_error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise
    sent_at = utcnow()
    for delivery, _ in keep:
        delivery.status, delivery.sent_at = Status.SENT, sent_at
    run.status, run.item_count, run.sent_at, run.last_error = Status.SENT, len(keep), sent_at, ""
    db.session.commit()
    return "sent"


def _still_wanted(user: User, rows: Sequence) -> list:
    """Rows the user may still see and has not switched off; the rest are marked skipped (uncommitted)."""
    modes: dict[tuple[str, str], str] = {}
    keep = []
    for delivery, notification in rows:
        try:
            kind = events.get(notification.event)
        except ValueError:
            delivery.status, delivery.last_error = Status.SKIPPED, "unknown event kind"
            continue
        scope = notification.scope if kind.scope_type else ""
        if (kind.name, scope) not in modes:
            modes[(kind.name, scope)] = preferences.email_mode(user.id, kind.name, scope)
        if modes[(kind.name, scope)] == Mode.OFF:
            delivery.status, delivery.last_error = Status.SKIPPED, "preference off"
        elif not may_receive(user, notification):
            delivery.status, delivery.last_error = Status.SKIPPED, "no access"
        else:
            keep.append((delivery, notification))
    return keep


# --- the sweep -----------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What one sweep did."""

    released: int = 0  # stuck in sending, put back to pending
    retried: int = 0  # failed with attempts left, put back to pending
    requeued: int = 0  # pending deliveries queued again
    digests: int = 0  # digest runs queued again

    def __str__(self) -> str:
        return (
            f"released {self.released}, retried {self.retried}, requeued {self.requeued} deliveries; "
            f"requeued {self.digests} digest runs"
        )


def sweep(*, older_than: float | None = None) -> SweepResult:
    """Re-queue deliveries and digest runs stuck in pending, sending or failed for longer than the threshold."""
    cutoff = utcnow() - timedelta(seconds=_stuck_after() if older_than is None else older_than)
    now = utcnow()
    result = SweepResult()
    immediate = and_(Delivery.mode == Mode.IMMEDIATE, Delivery.digest_run_id.is_(None))
    result.released = _update_count(
        update(Delivery)
        .where(immediate, Delivery.status == Status.SENDING, Delivery.claimed_at < cutoff)
        .values(status=Status.PENDING, claimed_at=None, last_error="released by the sweep")
    )
    result.retried = _update_count(
        update(Delivery)
        .where(
            immediate,
            Delivery.status == Status.FAILED,
            Delivery.attempts < MAX_ATTEMPTS,
            Delivery.claimed_at < cutoff,
        )
        .values(status=Status.PENDING)
    )
    ids = list(
        db.session.scalars(
            select(Delivery.id)
            .where(immediate, Delivery.status == Status.PENDING, Delivery.queued_at <= cutoff)
            .order_by(Delivery.id)
            .limit(SWEEP_LIMIT)
        )
    )
    for start in range(0, len(ids), bulk.DELIVERY_BATCH):
        batch = ids[start : start + bulk.DELIVERY_BATCH]
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(batch))
            .values(queued_at=now)
            .execution_options(synchronize_session=False)
        )
        enqueue_after_commit(deliver_batch, batch, queue=QUEUE_NOTIFICATIONS)
    result.requeued = len(ids)
    _update_count(
        update(DigestRun)
        .where(DigestRun.status == Status.SENDING, DigestRun.claimed_at < cutoff)
        .values(status=Status.FAILED, last_error="released by the sweep")
    )
    run_ids = list(
        db.session.scalars(
            select(DigestRun.id).where(
                DigestRun.attempts < MAX_ATTEMPTS,
                ((DigestRun.status == Status.PENDING) & (DigestRun.created_at <= cutoff))
                | ((DigestRun.status == Status.FAILED) & (DigestRun.claimed_at <= cutoff)),
            )
        )
    )
    for run_id in run_ids:
        enqueue_after_commit(send_digest, run_id, queue=QUEUE_NOTIFICATIONS)
    result.digests = len(run_ids)
    db.session.commit()
    return result


def _update_count(stmt) -> int:  # noqa: ANN001
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def periodic_sweep() -> None:
    """The scheduled sweep (every few minutes)."""
    result = sweep()
    current_app.logger.info("notification sweep: %s", result)


def periodic_digests() -> None:
    """The scheduled digest check: queues digests once their hour has come."""
    queued = queue_due_digests()
    if queued:
        current_app.logger.info("queued %d digests", queued)
