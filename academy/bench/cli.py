"""`flask academy bench ...`: generate a data set of a given size."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from academy.bench.sizes import SIZES


@click.group("bench")
def bench_cli() -> None:
    """Benchmark data."""


@bench_cli.command("generate")
@click.option("--size", "size_name", type=click.Choice(sorted(SIZES), case_sensitive=False), default="S",
              show_default=True, help="How much data (see academy/bench/sizes.py).")  # fmt: skip
@click.option("--seed", type=int, default=2027, show_default=True, help="Same seed, same data.")
@click.option("--no-pdfs", is_flag=True, help="Skip the sample of certificates sealed through the real path.")
@with_appcontext
def generate(size_name: str, seed: int, no_pdfs: bool) -> None:
    """Write a realistic data set in bulk into the configured (migrated, empty) database."""
    from academy.bench.generate import PASSWORD, Generator

    size = SIZES[size_name.upper()]
    click.echo(f"Generating size {size.name} (seed {seed}); every account's password is {PASSWORD!r}.")
    try:
        Generator(size, seed=seed, echo=click.echo).run(pdfs=not no_pdfs)
    except RuntimeError as err:
        raise click.ClickException(str(err)) from err
