"""`flask academy community ...` commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from academy.extensions import db


@click.group("community")
def community_cli() -> None:
    """Community spaces."""


@community_cli.command("seed")
@click.option("--contact", "contacts", multiple=True, help="E-mail of an account to make contact person (repeatable).")
@with_appcontext
def seed_command(contacts: tuple[str, ...]) -> None:
    """Create the ICON, Finance and Monitoring & Jems communities; safe to run twice."""
    from academy.auth.services import get_user_by_email
    from academy.community import seed

    users = []
    for email in contacts:
        user = get_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account uses {email}.")
        users.append(user)
    for line in seed.seed(contacts=users):
        click.echo(line)
    db.session.commit()
