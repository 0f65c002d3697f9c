"""`flask academy quizzes ...`: GIFT import and export, closing overdue attempts."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.extensions import db
from academy.quizzes import access
from academy.quizzes.services import bank


@click.group("quizzes")
def quizzes_cli() -> None:
    """Question banks and quiz attempts."""


def _course(slug: str):
    course = access.get_course(slug)
    if course is None:
        raise click.ClickException(f"No course has the slug {slug!r}.")
    return course


@quizzes_cli.command("import-gift")
@click.argument("course_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mode",
    type=click.Choice([bank.IMPORT_VALID_ONLY, bank.IMPORT_ALL_OR_NOTHING]),
    default=bank.IMPORT_VALID_ONLY,
    show_default=True,
    help="valid: import the questions that can be read; all: import nothing if any is refused.",
)
@click.option("--dry-run", is_flag=True, help="Report what would happen, save nothing.")
@with_appcontext
def import_gift(course_slug: str, file: Path, mode: str, dry_run: bool) -> None:
    """Import the GIFT FILE into the question bank of COURSE_SLUG."""
    course = _course(course_slug)
    source = file.read_text(encoding="utf-8-sig")
    report = bank.read_gift(course, source, mode=mode) if dry_run else bank.import_gift(course, source, mode=mode)
    for error in report.errors:
        click.echo(f"{file}:{error.line}: {error.title or '-'}: {error.reason}", err=True)
    counts = report.count
    summary = (
        f"{counts['create']} new, {counts['update']} updated, {counts['unchanged']} unchanged, "
        f"{len(report.errors)} refused"
    )
    if dry_run or not report.saved:
        db.session.rollback()
        click.echo(("Dry run: " if dry_run else "Nothing imported: ") + summary)
        if not dry_run:
            raise SystemExit(1)
        return
    db.session.commit()
    click.echo(f"Imported into {course.slug}: {summary}")


@quizzes_cli.command("export-gift")
@click.argument("course_slug")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--category", default=None, help="Only this category and its subcategories.")
@with_appcontext
def export_gift(course_slug: str, file: Path | None, category: str | None) -> None:
    """Write the question bank of COURSE_SLUG as GIFT to FILE (or standard output)."""
    course = _course(course_slug)
    body = bank.export_gift(course, bank.list_questions(course, category=category))
    if file is None:
        click.echo(body, nl=False)
    else:
        file.write_text(body, encoding="utf-8")
        click.echo(f"Wrote {file}", err=True)


@quizzes_cli.command("close-overdue")
@click.option("--queue", "use_queue", is_flag=True, help="Queue one job per attempt instead of closing them here.")
@with_appcontext
def close_overdue(use_queue: bool) -> None:
    """Submit attempts whose deadline has passed, with the answers saved so far (run every minute)."""
    from academy.quizzes import jobs

    if use_queue and current_app.config.get("REDIS_URL"):
        click.echo(f"Queued {jobs.queue_overdue()} overdue attempts.")
        return
    click.echo(f"Closed {jobs.close_overdue_sweep()} overdue attempts.")
