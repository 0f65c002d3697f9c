"""`flask academy keys ...` and `flask academy credentials verify FILE.json`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from academy.credentials import keys, services
from academy.credentials.models import KeyAlgorithm
from academy.exceptions import ServiceError
from academy.extensions import db


@click.group("keys")
def keys_cli() -> None:
    """Issuer keys of verifiable credentials: list, create, retire."""


@keys_cli.command("list")
@with_appcontext
def list_keys() -> None:
    """Every key with its algorithm, status and dates."""
    rows = keys.all_keys()
    if not rows:
        click.echo("No keys yet: the first credential creates them, or run `flask academy keys create`.")
    for key in rows:
        retired = f" retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else ""
        created = f"created {key.created_at:%Y-%m-%d %H:%M}"
        click.echo(f"{key.kid}  {key.algorithm.value}  {key.status.value}  {created}{retired}")


@keys_cli.command("create")
@click.option(
    "--algorithm",
    type=click.Choice([a.value for a in KeyAlgorithm]),
    default=KeyAlgorithm.ED25519.value,
    show_default=True,
    help="Ed25519 signs credentials; ES256 (P-256) signs QR tokens.",
)
@with_appcontext
def create(algorithm: str) -> None:
    """Create a key; it signs from now on (the newest active key of its algorithm signs)."""
    key = keys.create_key(algorithm)
    db.session.commit()
    click.echo(f"created {key.kid} ({key.algorithm.value})")


@keys_cli.command("retire")
@click.argument("kid")
@with_appcontext
def retire(kid: str) -> None:
    """Stop signing with KID; it stays published so what it signed still verifies."""
    try:
        key = keys.retire(kid)
    except ServiceError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"retired {key.kid}")


@click.group("credentials")
def credentials_cli() -> None:
    """Verifiable credentials of certificates."""


@credentials_cli.command("backfill")
@with_appcontext
def backfill() -> None:
    """Give certificates issued before credentials existed their credential (the PDFs stay as they are)."""
    total = 0
    while made := services.backfill(limit=200):
        db.session.commit()
        total += made
    click.echo(f"{total} credentials issued.")


@credentials_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def verify(file: Path) -> None:
    """Check FILE.json: valid, invalid (why), revoked or expired; exit status 0 only when valid."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        click.echo(f"invalid: not JSON ({err})")
        raise SystemExit(1) from None
    result = services.verify(document)
    click.echo(result.verdict + (": " + " ".join(result.reasons) if result.reasons else ""))
    if result.credential_id:
        click.echo(f"credential: {result.credential_id}")
    if result.key_id:
        click.echo(f"key: {result.key_id}")
    raise SystemExit(0 if result.verdict == "valid" else 1)
