"""An RQ worker that heals: it outlives Redis outages, keeps its scheduler alive and the periodic chain scheduled.

RQ's own loop quits on a Redis timeout or any error outside a job, checks its scheduler child only at
maintenance (every 10 minutes by default, and only between 405-second waits), holds its scheduler
lock for 61 s after the scheduler died, and loses the periodic schedule when Redis restarts without
its data. Here a worker that stops on its own is started again once Redis answers (backoff 1 s
doubling to 30 s); maintenance runs every 10 s: a dead scheduler is replaced, a scheduler lock whose
holder is a dead process on this host is taken over at once (elsewhere it lapses after 10 s without a
heartbeat), jobs of dead workers are cleaned up, the outbox relay queues jobs Redis lost, and the
next run of every periodic task is scheduled again (idempotent: the job id names the slot).
"""

from __future__ import annotations

import logging
import signal
import time

from flask import Flask
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT

from academy import jobs, outbox
from academy.extensions import db
from academy.ops.scheduler import HealingScheduler

log = logging.getLogger(__name__)

WORKER_TTL = 60  # seconds
DEQUEUE_WAIT = 10  # seconds an idle worker waits for a job before it runs its checks
MAINTENANCE_EVERY = 10  # seconds between maintenance runs
MAX_BACKOFF = 30.0


def healing_worker_class(app: Flask) -> type:
    """The app's RQ worker class with short maintenance intervals and periodic tasks kept scheduled."""
    base = jobs._worker_class()

    class HealingWorker(base):  # type: ignore[misc, valid-type]
        """An AppWorker that checks its scheduler, the periodic schedule and the job outbox every 10 s."""

        # RQ waits up to 60 s between tries while Redis is away; a restarted Redis is used within 5 s.
        max_connection_wait_time = 5.0

        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            kwargs.setdefault("worker_ttl", WORKER_TTL)
            kwargs.setdefault("maintenance_interval", MAINTENANCE_EVERY)
            super().__init__(*args, **kwargs)

        @property
        def dequeue_timeout(self) -> int:
            return DEQUEUE_WAIT

        def _start_scheduler(
            self,
            burst: bool = False,
            logging_level: str | None = "INFO",
            date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
            log_format: str = DEFAULT_LOGGING_FORMAT,
        ) -> None:
            """RQ's own start, with a scheduler whose lock names host and pid and lapses after 10 s."""
            self.scheduler = HealingScheduler(
                self.queues,
                connection=self.connection,
                logging_level=logging_level if logging_level is not None else self.log.level,
                date_format=date_format,
                log_format=log_format,
                serializer=self.serializer,
            )
            self.scheduler.acquire_locks()
            if self.scheduler.acquired_locks:
                if burst:
                    self.scheduler.enqueue_scheduled_jobs()
                    self.scheduler.release_locks()
                else:
                    self.scheduler.start()

        def run_maintenance_tasks(self) -> None:
            super().run_maintenance_tasks()  # restarts a dead scheduler, takes over free locks
            with app.app_context():
                jobs.schedule_all_periodic()
                relay_outbox()

    return HealingWorker


def relay_outbox() -> None:
    """Queue the outbox rows Redis lacks; a database outage is logged and waited out."""
    try:
        outbox.relay()
    except Exception as exc:
        db.session.rollback()
        log.warning("worker: outbox relay: %s: %s", type(exc).__name__, exc)
    finally:
        db.session.remove()


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def run(app: Flask, *, queues: tuple[str, ...], burst: bool = False) -> None:
    """Work until asked to stop (SIGTERM/SIGINT), starting a fresh RQ worker whenever one gives up."""
    cls = healing_worker_class(app)
    delay = 1.0
    while True:
        started = time.monotonic()
        worker = None
        try:
            worker = jobs.make_worker(app, queues=queues, worker_class=cls)
            if not burst:
                with app.app_context():
                    jobs.schedule_all_periodic()
                    relay_outbox()
            worker.work(with_scheduler=True, burst=burst)
        except Exception as exc:  # Redis away (or an error outside a job): wait, then start again
            log.warning("worker: %s: %s", type(exc).__name__, exc)
        # Asked to stop: RQ sets _stop_requested when a job was running, only the date when it was idle.
        if burst or (worker is not None and (worker._stop_requested or worker._shutdown_requested_date)):
            return
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, MAX_BACKOFF)
        log.warning("worker: stopped on its own; starting again in %.0f s", delay)
        time.sleep(delay)
