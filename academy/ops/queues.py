"""What the job queues hold, for the admin's jobs page: counts per queue, failed jobs, requeueing one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from academy.jobs import ALL_QUEUES, rq_queue


def queue_stats() -> list[dict[str, Any]]:
    """Per-queue counts (queued, started, scheduled, failed) from Redis, for the admin page."""
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    stats = []
    for name in ALL_QUEUES:
        queue = rq_queue(name)
        stats.append(
            {
                "name": name,
                "queued": queue.count,
                "started": StartedJobRegistry(queue=queue).count,
                "scheduled": ScheduledJobRegistry(queue=queue).count,
                "failed": FailedJobRegistry(queue=queue).count,
            }
        )
    return stats


def failed_rq_jobs(limit: int = 50) -> list[dict[str, Any]]:
    """The newest failed RQ jobs across queues, for the admin page."""
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    out: list[dict[str, Any]] = []
    for name in ALL_QUEUES:
        queue = rq_queue(name)
        registry = FailedJobRegistry(queue=queue)
        ids = registry.get_job_ids(0, limit - 1)
        for job in Job.fetch_many(ids, connection=queue.connection):
            if job is None:
                continue
            result = job.latest_result()
            lines = ((result.exc_string if result else "") or "").strip().splitlines()
            out.append(
                {
                    "id": job.id,
                    "queue": name,
                    "description": job.description or "",
                    "ended_at": job.ended_at.replace(tzinfo=UTC) if job.ended_at else None,
                    "error": lines[-1] if lines else "",
                }
            )
    out.sort(key=lambda j: j["ended_at"] or datetime.min.replace(tzinfo=UTC), reverse=True)
    return out[:limit]


def requeue_failed_rq_job(queue_name: str, job_id: str) -> bool:
    """Move one failed RQ job back onto its queue; False if it is no longer there."""
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.registry import FailedJobRegistry

    if queue_name not in ALL_QUEUES:
        return False
    registry = FailedJobRegistry(queue=rq_queue(queue_name))
    try:
        registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):
        return False
    return True
