"""Background work: queue names, enqueue_after_commit(), the in-process runner and the RQ worker.

Work is queued only once the transaction that made its data commits. Without REDIS_URL the
job runs in this process right after the request (or CLI command) through the same code path;
with REDIS_URL it goes to RQ with retries and a timeout.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from academy.extensions import db

log = logging.getLogger(__name__)

QUEUE_DEFAULT = "default"
QUEUE_NOTIFICATIONS = "notifications"
QUEUE_CERTIFICATES = "certificates"
QUEUE_BULK = "bulk"
ALL_QUEUES = (QUEUE_DEFAULT, QUEUE_NOTIFICATIONS, QUEUE_CERTIFICATES, QUEUE_BULK)

RETRY_INTERVALS = [10, 60, 300]
JOB_TIMEOUT = 300

_PENDING = "academy_jobs_pending"
_READY = "academy_jobs_ready"


@dataclass
class QueuedJob:
    """A call to run later, named by dotted path so RQ can import it in another process."""

    queue: str
    func_path: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


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
    job = QueuedJob(queue, _path_of(func), args, kwargs)
    db.session().info.setdefault(_PENDING, []).append(job)


@event.listens_for(Session, "after_commit")
def _dispatch(session: Session) -> None:
    jobs = session.info.pop(_PENDING, [])
    if not jobs:
        return
    if current_app.config.get("JOBS_INLINE", True):
        # No SQL may run inside this hook: the runner picks the jobs up after the request.
        session.info.setdefault(_READY, []).extend(jobs)
        return
    for job in jobs:
        _enqueue_rq(job)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:  # noqa: ANN001
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def _redis():
    from redis import Redis

    ext = current_app.extensions.setdefault("academy_redis", {})
    url = current_app.config["REDIS_URL"]
    if url not in ext:
        ext[url] = Redis.from_url(url)
    return ext[url]


def _enqueue_rq(job: QueuedJob) -> None:
    from rq import Queue, Retry

    try:
        Queue(job.queue, connection=_redis()).enqueue(
            execute,
            job.func_path,
            *job.args,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
            job_timeout=JOB_TIMEOUT,
            description=f"{job.func_path}{job.args!r}",
            **({"job_kwargs": job.kwargs} if job.kwargs else {}),
        )
    except Exception:  # Redis down: the data is committed; sweeps re-queue what needs it.
        log.exception("could not enqueue %s", job.func_path)


def execute(func_path: str, *args: Any, job_kwargs: dict[str, Any] | None = None) -> Any:
    """Run one job by path inside the app context, with a clean session before and after."""
    func = _resolve(func_path)
    try:
        return func(*args, **(job_kwargs or {}))
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


def run_ready() -> int:
    """Run in-process jobs whose transaction has committed; return how many ran (failures are logged)."""
    session = db.session()
    ran = 0
    while session.info.get(_READY):
        job = session.info[_READY].pop(0)
        if session.in_transaction() and not session.is_active:
            session.rollback()
        try:
            _resolve(job.func_path)(*job.args, **job.kwargs)
            ran += 1
        except Exception:
            session.rollback()
            log.exception("in-process job %s%r failed", job.func_path, job.args)
    return ran


def init_app(app: Flask) -> None:
    """Run ready in-process jobs at the end of every request and app context."""

    @app.teardown_request
    def _run_after_request(exc: BaseException | None) -> None:
        run_ready()

    @app.teardown_appcontext
    def _run_after_context(exc: BaseException | None) -> None:
        run_ready()


def make_worker(app: Flask, *, queues: tuple[str, ...] = ALL_QUEUES):  # noqa: ANN201
    """An RQ worker listening to every queue, running jobs inside this app."""
    from rq import Worker

    with app.app_context():
        connection = _redis()
    return Worker(list(queues), connection=connection)
