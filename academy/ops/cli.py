"""`flask academy wipe`, `backup` and `restore`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from academy.extensions import db


@click.command("wipe")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--include-keys", is_flag=True, help="Remove the signing and credential keys as well.")
@with_appcontext
def wipe_command(yes: bool, include_keys: bool) -> None:
    """Empty this instance: drop every table and remove stored files (keys stay unless --include-keys)."""
    from academy.ops import storage, wipe

    where = storage.describe_database_url(str(db.engine.url))
    if not yes and not click.confirm(f"Delete everything in {where} and the stored files?", default=False):
        raise click.ClickException("Nothing was deleted.")
    for line in wipe.wipe(include_keys=include_keys):
        click.echo(line)
