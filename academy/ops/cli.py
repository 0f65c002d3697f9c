"""`flask academy wipe`, `backup` and `restore`."""

from __future__ import annotations

from pathlib import Path

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


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--include-keys", is_flag=True, help="Copy the seal, credential and secret keys too (keep it safe).")
@with_appcontext
def backup_command(directory: Path, include_keys: bool) -> None:
    """Write the database and stored files into DIRECTORY (new or empty), with a manifest of checksums."""
    from academy.ops import backup

    try:
        for line in backup.backup(directory, include_keys=include_keys):
            click.echo(line)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"Backup written to {directory}")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Check a backup's checksums and bring it back into this empty instance."""
    from academy.ops import backup

    try:
        for line in backup.restore(directory):
            click.echo(line)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo("Restored. Run `flask db upgrade` if this code is newer than the backup.")
