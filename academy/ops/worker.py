"""An RQ worker that heals: it outlives Redis outages, keeps its scheduler alive and the periodic chain scheduled.

RQ's own loop quits on a Redis timeout or any error outside a job, checks its scheduler child only at
maintenance (every 10 minutes by default, and only between 405-second waits), and loses the periodic
schedule when Redis restarts without its data. Here a worker that stops on its own is started again
once Redis answers (backoff 1 s doubling to 30 s); maintenance runs every 30 s (a dead scheduler
replaced, an expired scheduler lock taken over, jobs of dead workers cleaned up), and each maintenance
schedules the next run of every periodic task again (idempotent: the job id names the slot).
"""

from __future__ import annotations

import logging
import signal
import time

from flask import Flask

from academy import jobs

log = logging.getLogger(__name__)

WORKER_TTL = 60  # seconds: the worker waits at most 45 s for a job, then runs its checks
MAINTENANCE_EVERY = 30  # seconds between maintenance runs
MAX_BACKOFF = 30.0


def healing_worker_class(app: Flask) -> type:
    """The app's RQ worker class with short maintenance intervals and periodic tasks kept scheduled."""
    base = jobs._worker_class()

    class HealingWorker(base):  # type: ignore[misc, valid-type]
        """An AppWorker that re-checks its scheduler and the periodic schedule every 30 s."""

        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            kwargs.setdefault("worker_ttl", WORKER_TTL)
            kwargs.setdefault("maintenance_interval", MAINTENANCE_EVERY)
            super().__init__(*args, **kwargs)

        def run_maintenance_tasks(self) -> None:
            super().run_maintenance_tasks()  # restarts a dead scheduler, takes over expired locks
            with app.app_context():
                jobs.schedule_all_periodic()

    return HealingWorker


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
            worker.work(with_scheduler=True, burst=burst)
        except Exception as exc:  # Redis away (or an error outside a job): wait, then start again
            log.warning("worker: %s: %s", type(exc).__name__, exc)
        if burst or (worker is not None and worker._stop_requested):
            return
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, MAX_BACKOFF)
        log.warning("worker: stopped on its own; starting again in %.0f s", delay)
        time.sleep(delay)
