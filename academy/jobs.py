"""Background work: queue names, enqueue_after_commit(), the in-process runner and the RQ worker.

Work is queued only once the transaction that made its data commits. Without REDIS_URL the
job runs in this process right after the request (or CLI command) through the same code path
and a failure is kept in the `job_failures` table; with REDIS_URL it goes to RQ with retries,
backoff and a timeout. Periodic tasks (the notification sweep, digests) are registered by
features with `register_periodic()` and kept alive by the worker's RQ scheduler.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import JSON, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from academy.db import UTCDateTime, utcnow
from academy.extensions import db
from academy.ops import counters as metrics

log = logging.getLogger(__name__)

QUEUE_DEFAULT = "default"
QUEUE_NOTIFICATIONS = "notifications"
QUEUE_CERTIFICATES = "certificates"
QUEUE_BULK = "bulk"
ALL_QUEUES = (QUEUE_DEFAULT, QUEUE_NOTIFICATIONS, QUEUE_CERTIFICATES, QUEUE_BULK)

# Seconds between RQ retries (config JOB_RETRY_INTERVALS overrides); the list length is the retry count.
RETRY_INTERVALS = [10, 60, 300]
JOB_TIMEOUT = 300  # config JOB_TIMEOUT overrides
FAILED_JOB_TTL = 7 * 24 * 3600

_PENDING = "academy_jobs_pending"
_READY = "academy_jobs_ready"
_PERIODIC = "academy_periodic"


class JobFailure(db.Model):
    """An in-process job that raised; RQ keeps its own failed-job registry instead."""

    __tablename__ = "job_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(String(40))
    func_path: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclass
class QueuedJob:
    """A call to run later, named by dotted path so RQ can import it in another process."""

    queue: str
    func_path: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    outbox_id: str | None = None  # with RQ: the academy.outbox row committed with the data


def _path_of(func: Callable | str) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def _resolve(path: str) -> Callable:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def enqueue_after_commit(func: Callable | str, *args: Any, queue: str = QUEUE_DEFAULT, **kwargs: Any) -> None:
    """Run func(*args, **kwargs) in the background once the current transaction commits; drop it on rollback."""
    if queue not in ALL_QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    try:  # checked in both modes, so the in-process tests catch what the outbox could not store
        json.dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"job arguments must be JSON (ids, not objects): {exc}") from exc
    job = QueuedJob(queue, _path_of(func), args, kwargs)
    if not current_app.config.get("JOBS_INLINE", True):
        # The job is a row of this transaction too: committed with the data, delivered even if Redis is away now.
        from academy import outbox

        job.outbox_id = outbox.record(queue, job.func_path, args, kwargs)
    db.session().info.setdefault(_PENDING, []).append(job)


@event.listens_for(Session, "after_commit")
def _dispatch(session: Session) -> None:
    jobs = session.info.pop(_PENDING, [])
    if not jobs:
        return
    if current_app.config.get("JOBS_INLINE", True):
        # No SQL may run inside this hook: the runner picks the jobs up after the request.
        session.info.setdefault(_READY, []).extend(jobs)
        metrics.job_queued(*(job.queue for job in jobs))
        return
    for job in jobs:
        _enqueue_rq(job)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:  # noqa: ANN001
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


# --- RQ ------------------------------------------------------------------------------------


def redis_connection():  # noqa: ANN201
    """The app's Redis client (one per URL and app)."""
    from redis import Redis

    ext = current_app.extensions.setdefault("academy_redis", {})
    url = current_app.config["REDIS_URL"]
    if url not in ext:
        # Short timeouts: a request must not hang when Redis is away; the sweep catches up later.
        ext[url] = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    return ext[url]


def rq_queue(name: str):  # noqa: ANN201
    """The RQ queue called `name` on the app's Redis."""
    from rq import Queue

    return Queue(name, connection=redis_connection())


def _retry():
    from rq import Retry

    intervals = list(current_app.config.get("JOB_RETRY_INTERVALS", RETRY_INTERVALS))
    return Retry(max=len(intervals), interval=intervals) if intervals else None


def _enqueue_rq(job: QueuedJob) -> bool:
    target, args, extra = job.func_path, job.args, {}
    if job.outbox_id:  # run through the outbox row, under an id that makes a second enqueue harmless
        from academy import outbox  # it imports this module's constants: a circle at the top

        target, args = _path_of(outbox.run), (job.outbox_id,)
        extra = {"job_id": f"academy-outbox-{job.outbox_id}"}
    try:
        rq_queue(job.queue).enqueue(
            execute,
            target,
            *args,
            retry=_retry(),
            job_timeout=current_app.config.get("JOB_TIMEOUT", JOB_TIMEOUT),
            failure_ttl=FAILED_JOB_TTL,
            description=f"{job.func_path}{job.args!r}",
            **extra,
            **({"job_kwargs": job.kwargs} if job.kwargs and not job.outbox_id else {}),
        )
    except Exception:  # Redis down: the data (and the outbox row) is committed; the worker's relay queues it later.
        log.exception("could not enqueue %s", job.func_path)
        return False
    metrics.job_queued(job.queue)
    return True


def execute(func_path: str, *args: Any, job_kwargs: dict[str, Any] | None = None) -> Any:
    """Run one job by path inside the app context, with a clean session before and after (RQ's entry point)."""
    if not has_app_context():  # started by a bare `rq worker`: build the app ourselves
        from academy import create_app

        with create_app().app_context():
            return execute(func_path, *args, job_kwargs=job_kwargs)
    func = _resolve(func_path)
    metrics.job_started(queue := metrics.current_queue())
    try:
        return func(*args, **(job_kwargs or {}))
    except Exception:
        metrics.job_failed(queue)
        db.session.rollback()
        raise
    finally:
        db.session.remove()


# --- in-process runner -----------------------------------------------------------------------


def run_ready() -> int:
    """Run in-process jobs whose transaction has committed; return how many ran (failures are recorded)."""
    session = db.session()
    ran = 0
    while session.info.get(_READY):
        job = session.info[_READY].pop(0)
        if session.in_transaction() and not session.is_active:
            session.rollback()
        metrics.job_started(job.queue)
        try:
            _resolve(job.func_path)(*job.args, **job.kwargs)
            ran += 1
        except Exception as exc:
            metrics.job_failed(job.queue)
            session.rollback()
            log.exception("in-process job %s%r failed", job.func_path, job.args)
            _record_failure(job, exc)
    return ran


def _record_failure(job: QueuedJob, exc: BaseException) -> None:
    try:
        db.session.add(
            JobFailure(
                queue=job.queue,
                func_path=job.func_path,
                args=list(job.args),
                kwargs=dict(job.kwargs),
                error="".join(traceback.format_exception(exc))[-8000:],
            )
        )
        db.session.commit()
    except Exception:  # the database itself is the problem; the log has it
        db.session.rollback()
        log.exception("could not record the failure of %s", job.func_path)


def retry_failure(failure: JobFailure) -> None:
    """Queue an in-process failure again after the commit and mark it retried."""
    failure.retried_at = utcnow()
    enqueue_after_commit(failure.func_path, *failure.args, queue=failure.queue, **failure.kwargs)
    db.session.flush()


# --- periodic tasks --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicTask:
    """A job run every `every` seconds, at slots aligned to the epoch so all workers agree on them."""

    name: str
    func_path: str
    every: int
    queue: str = QUEUE_DEFAULT


def register_periodic(app: Flask, name: str, func: Callable | str, *, every: int, queue: str = QUEUE_DEFAULT) -> None:
    """Let a feature run `func()` every `every` seconds (RQ scheduler, or after requests in-process)."""
    app.extensions.setdefault(_PERIODIC, {})[name] = PeriodicTask(name, _path_of(func), every, queue)


def periodic_tasks(app: Flask | None = None) -> dict[str, PeriodicTask]:
    """The periodic tasks registered on the app."""
    return (app or current_app).extensions.get(_PERIODIC, {})


def _slot_job_id(task: PeriodicTask, slot: int) -> str:
    return f"academy-periodic-{task.name}-{slot}"


def schedule_periodic(task: PeriodicTask, *, now: float | None = None) -> str:
    """Put the task's next run in RQ's scheduled registry; the job id names the slot so this is idempotent."""
    now = time.time() if now is None else now
    slot = int(now // task.every) + 1
    run_at = datetime.fromtimestamp(slot * task.every, UTC)
    job_id = _slot_job_id(task, slot)
    rq_queue(task.queue).enqueue_at(
        run_at,
        execute,
        _path_of(run_periodic),
        task.name,
        job_id=job_id,
        job_timeout=current_app.config.get("JOB_TIMEOUT", JOB_TIMEOUT),
        failure_ttl=FAILED_JOB_TTL,
        description=f"periodic {task.name}",
    )
    return job_id


def schedule_all_periodic() -> list[str]:
    """Make sure every periodic task has its next run scheduled (called when a worker starts)."""
    return [schedule_periodic(task) for task in periodic_tasks().values()]


def run_periodic(name: str) -> None:
    """Run one periodic task and schedule its next slot first, so a failure does not end the chain."""
    task = periodic_tasks()[name]
    if not current_app.config.get("JOBS_INLINE", True):
        try:
            schedule_periodic(task)
        except Exception:
            log.exception("could not schedule the next run of %s", name)
    _resolve(task.func_path)()


def run_due_periodic(*, force: bool = False) -> list[str]:
    """In-process mode: run the periodic tasks whose interval has passed in this process; return their names."""
    last: dict[str, float] = current_app.extensions.setdefault("academy_periodic_last", {})
    now = time.monotonic()
    ran = []
    for task in periodic_tasks().values():
        if not force and task.name in last and now - last[task.name] < task.every:
            continue
        last[task.name] = now
        try:
            _resolve(task.func_path)()
            ran.append(task.name)
        except Exception as exc:
            db.session.rollback()
            log.exception("periodic task %s failed", task.name)
            _record_failure(QueuedJob(task.queue, task.func_path), exc)
        run_ready()
    return ran


# --- wiring ----------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Run ready in-process jobs at the end of every request and app context."""

    @app.teardown_request
    def _run_after_request(exc: BaseException | None) -> None:
        run_ready()
        # The embedded default has no scheduler: periodic tasks piggyback on requests.
        if app.config.get("JOBS_INLINE", True) and app.config.get("JOBS_PERIODIC_INLINE", not app.testing):
            run_due_periodic()

    @app.teardown_appcontext
    def _run_after_context(exc: BaseException | None) -> None:
        run_ready()


def _worker_class():
    from rq import Worker

    class AppWorker(Worker):
        """An RQ worker whose forked work horse opens its own database connections."""

        def main_work_horse(self, job, queue) -> None:  # noqa: ANN001
            # Pooled connections copied from the parent by fork() belong to the parent: drop, don't close.
            db.engine.dispose(close=False)
            return super().main_work_horse(job, queue)

    return AppWorker


def make_worker(app: Flask, *, queues: tuple[str, ...] = ALL_QUEUES, worker_class: type | None = None):  # noqa: ANN201
    """An RQ worker listening to every queue, running jobs inside this app."""
    with app.app_context():
        connection = redis_connection()
    cls = worker_class or _worker_class()
    return cls(list(queues), connection=connection)
