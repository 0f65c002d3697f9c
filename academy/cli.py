"""`flask academy ...` commands."""

from __future__ import annotations

import getpass

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.bench.cli import bench_cli
from academy.certificates.cli import certificates_cli
from academy.community.cli import community_cli
from academy.courses.cli import courses_cli
from academy.credentials.cli import credentials_cli, keys_cli
from academy.exceptions import ServiceError
from academy.extensions import db
from academy.notifications.cli import notifications_cli
from academy.ops.cli import backup_command, restore_command, wipe_command
from academy.quizzes.cli import quizzes_cli


@click.group("academy")
def academy_cli() -> None:
    """Academy administration commands."""


@academy_cli.command("create-admin")
@click.option("--email", required=True, help="E-mail address of the admin.")
@click.option("--name", default="Administrator", show_default=True)
@click.option("--password", default=None, help="Password (asked for when omitted).")
@with_appcontext
def create_admin(email: str, name: str, password: str | None) -> None:
    """Create an admin account, or make an existing account admin."""
    from academy.auth import services

    user = services.get_user_by_email(email)
    if user is not None:
        user.is_admin = True
        db.session.commit()
        click.echo(f"{user.email} is now an admin.")
        return
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            raise click.ClickException("The passwords do not match.")
    try:
        user = services.register_user(name=name, email=email, password=password)
    except ServiceError as err:
        raise click.ClickException(err.message) from err
    user.is_admin = True
    db.session.commit()
    click.echo(f"Admin account {user.email} created.")


@academy_cli.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo accounts (and, as features land, the demo catalogue); safe to run twice."""
    from academy import demo

    for line in demo.seed():
        click.echo(line)
    db.session.commit()


@academy_cli.command("data-changed")
@with_appcontext
def data_changed() -> None:
    """After changing rows outside the app (psql, a restore): drop cached pages and kept logins everywhere."""
    from academy.core import data_version

    for name in data_version.names(current_app):  # public, auth and the features' own (quiz plans)
        data_version.of(current_app, name).bump()
    click.echo("Cached pages, kept login sessions and quiz plans are renewed on the next request.")


@academy_cli.command("worker")
@click.option("--queue", "queues", multiple=True, help="Queues to listen to (default: all).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker with its scheduler inside the app context."""
    from academy import jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker is needed.")
    from academy.ops import worker as healing

    # Outlives Redis outages and keeps its scheduler and the periodic schedule alive (academy/ops/worker.py).
    healing.run(current_app._get_current_object(), queues=queues or jobs.ALL_QUEUES, burst=burst)


academy_cli.add_command(certificates_cli)
academy_cli.add_command(credentials_cli)
academy_cli.add_command(keys_cli)
academy_cli.add_command(community_cli)
academy_cli.add_command(quizzes_cli)
academy_cli.add_command(notifications_cli)
academy_cli.add_command(courses_cli)
academy_cli.add_command(bench_cli)
academy_cli.add_command(wipe_command)
academy_cli.add_command(backup_command)
academy_cli.add_command(restore_command)
