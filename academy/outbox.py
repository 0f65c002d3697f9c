"""The job outbox: with RQ, every queued job is first a row written in the transaction that needs it.

`enqueue_after_commit()` adds a `job_outbox` row to the same transaction, so the job exists exactly
when the data does, even if Redis is away at commit time. After the commit the job goes to RQ under
the id `academy-outbox-<row id>`; the RQ job (`run`) claims the row, runs the function and deletes
the row. A claim is a conditional UPDATE, so a job put on the queue twice (by the web process and
by the relay, or by Redis redelivering) runs once. `relay()`, called by the worker's maintenance
every few seconds, puts on RQ every row whose job Redis does not have (Redis was down at commit, or
restarted empty) or whose job ended without running it (a work horse killed mid-job).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, String, delete, insert, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from academy.db import UTCDateTime, utcnow
from academy.extensions import db

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=10)  # the web process enqueues right after its commit; the relay waits this long
RELAY_BATCH = 500


class JobOutbox(db.Model):
    """A job committed with its data and not yet done; deleted in the transaction that finishes it."""

    __tablename__ = "job_outbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    queue: Mapped[str] = mapped_column(String(40))
    func_path: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set while a worker runs it; a claim older than the job timeout belongs to a worker that died.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def job_id(outbox_id: str) -> str:
    """The RQ job id of an outbox row (stable, so a second enqueue replaces the first)."""
    return f"academy-outbox-{outbox_id}"


def record(queue: str, func_path: str, args: tuple, kwargs: dict) -> str:
    """Add the job's row to the current transaction; return its id."""
    # A plain INSERT, not an object for the flush: it runs inside requests that must stay cheap (exam steps).
    row_id = uuid.uuid4().hex
    values = {"id": row_id, "queue": queue, "func_path": func_path, "args": list(args), "kwargs": dict(kwargs)}
    db.session.execute(insert(JobOutbox.__table__).values(**values))
    return row_id


def _stale_before() -> datetime:
    from academy.jobs import JOB_TIMEOUT

    return utcnow() - timedelta(seconds=current_app.config.get("JOB_TIMEOUT", JOB_TIMEOUT) + 30)


def run(outbox_id: str) -> None:
    """Claim the row, run its function, delete the row; a row already done or being done is left alone."""
    from academy.jobs import _resolve

    claim = (
        update(JobOutbox)
        .where(JobOutbox.id == outbox_id)
        .where(or_(JobOutbox.claimed_at.is_(None), JobOutbox.claimed_at < _stale_before()))
        .values(claimed_at=utcnow())
    )
    claimed = db.session.execute(claim).rowcount
    db.session.commit()
    if not claimed:
        log.info("outbox %s: already done or being done elsewhere", outbox_id)
        return
    row = db.session.get(JobOutbox, outbox_id)
    func_path, args, kwargs = row.func_path, list(row.args), dict(row.kwargs)
    try:
        _resolve(func_path)(*args, **kwargs)
    except Exception:
        db.session.rollback()
        _release(outbox_id)  # RQ retries the job; the retry claims the row again
        raise
    db.session.execute(delete(JobOutbox).where(JobOutbox.id == outbox_id))
    db.session.commit()


def _release(outbox_id: str) -> None:
    try:
        db.session.execute(update(JobOutbox).where(JobOutbox.id == outbox_id).values(claimed_at=None))
        db.session.commit()
    except Exception:  # the database is the problem: the claim goes stale and is taken over later
        db.session.rollback()
        log.exception("outbox %s: could not release the claim", outbox_id)


def _needs_enqueue(connection, outbox_id: str) -> bool:  # noqa: ANN001
    """True when Redis has no live job for the row: none at all, or one that ended without running it."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        status = Job.fetch(job_id(outbox_id), connection=connection).get_status(refresh=False)
    except NoSuchJobError:
        return True
    # FAILED stays: its retries are spent and it waits in the failed list for an administrator.
    return status in (JobStatus.FINISHED, JobStatus.STOPPED, JobStatus.CANCELED)


def relay(*, now: datetime | None = None) -> int:
    """Put on RQ every waiting row whose job Redis lacks; return how many were queued."""
    from academy.jobs import QueuedJob, _enqueue_rq, redis_connection

    now = now or utcnow()
    rows = db.session.scalars(
        select(JobOutbox)
        .where(JobOutbox.created_at < now - GRACE)
        .where(or_(JobOutbox.claimed_at.is_(None), JobOutbox.claimed_at < _stale_before()))
        .order_by(JobOutbox.created_at)
        .limit(RELAY_BATCH)
    ).all()
    waiting = [(row.id, row.queue, row.func_path, tuple(row.args), dict(row.kwargs)) for row in rows]
    db.session.rollback()  # nothing to write; end the read transaction before talking to Redis
    connection = redis_connection()
    queued = 0
    for outbox_id, queue, func_path, args, kwargs in waiting:
        if _needs_enqueue(connection, outbox_id) and _enqueue_rq(
            QueuedJob(queue, func_path, args, kwargs, outbox_id=outbox_id)
        ):
            queued += 1
    if queued:
        log.warning("outbox: queued %d job(s) that Redis did not have", queued)
    return queued


def pending_count() -> int:
    """Rows waiting (for /metrics and the admin page)."""
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(JobOutbox)) or 0
