"""`flask academy courses validate|load|dump`: course packages as files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from academy.extensions import db


@click.group("courses")
def courses_cli() -> None:
    """Course packages under courses/: validate, load and dump."""


@courses_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def validate_command(path: Path) -> None:
    """Check the package in PATH (or every package under it) without touching the database."""
    from academy.courses import packages

    errors = packages.validate(path)
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s) found; nothing was checked against the database.")
    click.echo(f"OK: {len(packages.find_packages(path))} package(s) are valid.")


@courses_cli.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--owner", "owner_email", default=None, help="E-mail of a trainer who owns the loaded courses.")
@click.option("--draft", is_flag=True, help="Leave new versions as drafts instead of publishing them.")
@with_appcontext
def load_command(path: Path, owner_email: str | None, draft: bool) -> None:
    """Load the package in PATH (or every package under it): all of them, or none on any error."""
    from academy.auth.services import get_user_by_email
    from academy.courses import packages

    owner = None
    if owner_email:
        owner = get_user_by_email(owner_email)
        if owner is None or not owner.has_role("trainer"):
            raise click.ClickException(f"{owner_email} is not a trainer's account.")
    try:
        results = packages.load(path, owner=owner, publish=not draft)
    except packages.PackageInvalid as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(str(error), err=True)
        raise click.ClickException("Nothing was loaded.") from exc
    db.session.commit()
    for result in results:
        click.echo(str(result))


@courses_cli.command("dump")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Dump the unpublished draft instead of the published version.")
@click.option("--force", is_flag=True, help="Overwrite DIRECTORY/<slug> if it exists.")
@with_appcontext
def dump_command(slug: str, directory: Path, draft: bool, force: bool) -> None:
    """Write course SLUG as a package in DIRECTORY/<slug>/."""
    from sqlalchemy import select

    from academy.courses import packages
    from academy.courses.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"No course has the slug {slug}.")
    try:
        target = packages.dump(course, directory, draft=draft, force=force)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {target}")
