"""`flask academy notifications ...`: the outbox sweep and the digest check, for cron or by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from academy import jobs as app_jobs


@click.group("notifications")
def notifications_cli() -> None:
    """Notification outbox commands."""


@notifications_cli.command("sweep")
@click.option(
    "--older-than",
    type=float,
    default=None,
    help="Seconds a delivery must have been waiting (default: NOTIFICATIONS_STUCK_AFTER, 330).",
)
@with_appcontext
def sweep(older_than: float | None) -> None:
    """Re-queue deliveries stuck in pending, sending or failed (also runs every few minutes on the worker)."""
    from academy.notifications import jobs

    result = jobs.sweep(older_than=older_than)
    ran = app_jobs.run_ready()  # in-process mode: deliver now; with Redis the jobs are already queued
    click.echo(f"Sweep: {result}." + (f" Ran {ran} job(s) in this process." if ran else ""))


@notifications_cli.command("digests")
@with_appcontext
def digests() -> None:
    """Queue the daily and weekly digests that are due (idempotent; also scheduled on the worker)."""
    from academy.notifications import jobs

    queued = jobs.queue_due_digests()
    ran = app_jobs.run_ready()
    click.echo(f"Queued {queued} digest(s)." + (f" Ran {ran} job(s) in this process." if ran else ""))
