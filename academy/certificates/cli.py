"""`flask academy certificates ...`: check a PDF offline, issue and revoke by hand."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from academy.certificates import answers, sandbox, services, verification
from academy.certificates import keys as seal_keys
from academy.certificates.models import RevocationReason
from academy.exceptions import ServiceError
from academy.extensions import db


@click.group("certificates")
def certificates_cli() -> None:
    """Certificates: verify a PDF, issue, revoke."""


@certificates_cli.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def verify(pdf: Path) -> None:
    """Check FILE.pdf's seal against the configured root and, if the database answers, our record."""
    data = pdf.read_bytes()
    try:
        result = verification.check_upload(data)
    except OperationalError:
        db.session.rollback()
        key = seal_keys.seal_key()
        limits = sandbox.limits_from_config(current_app.config)
        try:
            seal = sandbox.check_seal_bounded(data, roots=key.roots, chain=key.chain, limits=limits)
        except sandbox.Uncheckable as err:
            click.echo(f"seal: not checked ({err.reason}): {verification.VERDICTS['uncheckable']}")
            raise SystemExit(1) from None
        click.echo(f"seal: {seal.reason}" + (f" (signed by {seal.signer})" if seal.signer else ""))
        click.echo(f"sha256: {seal.sha256}")
        click.echo("record: not checked (the database is not reachable)")
        raise SystemExit(0 if seal.ok else 1) from None
    seal = result.seal
    click.echo(f"seal: {seal.reason}" + (f" (signed by {seal.signer})" if seal.signer else ""))
    click.echo(f"sha256: {seal.sha256}")
    click.echo(f"verdict: {result.verdict}: {result.message}")
    if result.record is not None:
        record = result.record
        click.echo(f"state: {record.state.value}")
        click.echo(f"code: {record.code}")
        if not record.details_hidden:
            click.echo(f"holder: {record.holder_name}")
            click.echo(f"course: {record.course_title} (version {record.version_number})")
    raise SystemExit(0 if result.verdict == "authentic" else 1)


@certificates_cli.command("issue")
@click.option("--email", required=True, help="The learner's e-mail address.")
@click.option("--course", "slug", required=True, help="The course slug.")
@click.option("--force", is_flag=True, help="Issue even if the completion rule is not met.")
@with_appcontext
def issue(email: str, slug: str, force: bool) -> None:
    """Issue the certificate for a learner's enrolment (does nothing if they already hold one)."""
    from academy.auth.models import User
    from academy.courses.models import Course, Enrolment

    enrolment = db.session.scalar(
        select(Enrolment)
        .join(User, Enrolment.user_id == User.id)
        .join(Course, Enrolment.course_id == Course.id)
        .where(User.email == email.strip().lower(), Course.slug == slug)
    )
    if enrolment is None:
        raise click.ClickException(f"{email} is not enrolled in {slug}.")
    try:
        certificate = services.issue_for_enrolment(enrolment, force=force)
    except ServiceError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    code = services.stored_code(certificate)
    click.echo(f"certificate {certificate.id} ({certificate.state().value}) for {certificate.holder_name}")
    if code:
        click.echo(services.verify_url(code))


@certificates_cli.command("revoke")
@click.argument("code")
@click.option(
    "--reason", required=True, type=click.Choice([r.value for r in RevocationReason]), help="Public reason category."
)
@click.option("--note", default="", help="Private note for trainers and admins.")
@with_appcontext
def revoke(code: str, reason: str, note: str) -> None:
    """Revoke the certificate with CODE."""
    certificate = services.find_by_code(code)
    if certificate is None:
        raise click.ClickException("No certificate has this code.")
    try:
        services.revoke(certificate, actor=None, reason=reason, note=note)
    except ServiceError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"certificate {certificate.id} of {certificate.holder_name} revoked ({reason}).")


@certificates_cli.command("prepare-answers")
@click.option("--batch", default=200, show_default=True, help="Certificates per transaction.")
@with_appcontext
def prepare_answers(batch: int) -> None:
    """Render the verification answers of every certificate whose answer is missing or stale (after a deploy)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not answers.enabled(app):
        raise click.ClickException("Prepared answers are off (VERIFY_ANSWERS or PUBLIC_CACHE_SECONDS).")
    done = kept = last = 0
    while ids := answers.stale_ids(app, after=last, limit=batch):
        kept += answers.prepare(ids)  # a superseded one waiting for its replacement's code is left out
        done, last = done + len(ids), ids[-1]
        click.echo(f"{done} certificates, {kept} answers", err=True)
    click.echo(f"prepared {kept} answers of {done} certificates")
