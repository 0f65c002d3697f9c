"""Automatic retries of in-process jobs that failed, after growing waits.

With Redis, RQ retries a failed job itself (`JOB_RETRY_INTERVALS`). The embedded default runs jobs
in-process and records a failure as a `JobFailure` row; without this task such a job waited for an
admin. Now a periodic task retries each failed call after the same growing waits, as many times as
there are intervals (the number of rows of the same call counts the attempts), and leaves the call
to the admin page (/admin/jobs) after that. Jobs are idempotent, so a retry never doubles anything.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from academy.db import utcnow
from academy.extensions import db
from academy.jobs import RETRY_INTERVALS, JobFailure, register_periodic, retry_failure

RETRY_EVERY = 60  # seconds between looks at the failures


def _call(failure: JobFailure) -> tuple[str, str, str]:
    return failure.func_path, json.dumps(failure.args, sort_keys=True), json.dumps(failure.kwargs, sort_keys=True)


def retry_due_failures(*, now: datetime | None = None, limit: int = 200) -> int:
    """Retry the failed calls whose wait has passed; return how many were queued again (commits)."""
    now = now or utcnow()
    intervals = list(current_app.config.get("JOB_RETRY_INTERVALS", RETRY_INTERVALS))
    waiting = list(
        db.session.scalars(
            select(JobFailure).where(JobFailure.retried_at.is_(None)).order_by(JobFailure.id).limit(limit)
        )
    )
    if not waiting:
        return 0
    paths = {f.func_path for f in waiting}
    attempts = Counter(_call(f) for f in db.session.scalars(select(JobFailure).where(JobFailure.func_path.in_(paths))))
    retried = 0
    seen: set[tuple[str, str, str]] = set()
    for failure in waiting:
        call = _call(failure)
        failed = attempts[call]
        if call in seen or failed > len(intervals):
            continue  # one retry per call at a time; after the last interval the admin decides
        if now - failure.failed_at >= timedelta(seconds=intervals[failed - 1]):
            retry_failure(failure)
            seen.add(call)
            retried += 1
    db.session.commit()
    return retried


def init_app(app: Flask) -> None:
    """In the embedded mode, look for failures to retry every minute (RQ retries its own jobs)."""
    if app.config.get("JOBS_INLINE", True):
        register_periodic(app, "jobs-retry-failures", retry_due_failures, every=RETRY_EVERY)
