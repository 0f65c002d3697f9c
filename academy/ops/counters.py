"""Job counters (queued, started, failed per queue), kept apart from the /metrics view.

academy.jobs counts through this module, and every feature imports academy.jobs: so this module
imports nothing of academy (the view in metrics.py reads feature tables and would drag them in).
"""

from __future__ import annotations

from prometheus_client import Counter

JOBS_QUEUED = Counter("academy_jobs_queued", "Jobs handed to a queue after their transaction committed.", ["queue"])
JOBS_STARTED = Counter("academy_jobs_started", "Job runs started (a retry is a new run).", ["queue"])
JOBS_FAILED = Counter("academy_jobs_failed", "Job runs that raised (RQ may retry them).", ["queue"])


def current_queue() -> str:
    """The queue of the RQ job being run ("direct" when called outside a worker)."""
    from rq import get_current_job

    job = get_current_job()
    return job.origin if job is not None else "direct"


def job_queued(*queues: str) -> None:
    """Count jobs handed to their queues."""
    for queue in queues:
        JOBS_QUEUED.labels(queue).inc()


def job_started(queue: str) -> None:
    """Count a job run starting."""
    JOBS_STARTED.labels(queue).inc()


def job_failed(queue: str) -> None:
    """Count a job run that raised."""
    JOBS_FAILED.labels(queue).inc()
