#!/usr/bin/env python3
"""Median time to render one certificate, and to render and seal it.

    .venv/bin/python bench/certificates.py [--runs 100]

Uses the signing key from the environment (CERTIFICATE_SIGNING_KEY ...) or a throwaway
development CA in a temporary folder. The aim is a render+seal median under 40 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from academy import create_app
from academy.certificates import codes, pdf, signing
from academy.certificates import keys as seal_keys


def content() -> pdf.CertificateContent:
    """A typical certificate: a name with diacritics, four outcomes, an expiry date."""
    code = codes.generate()
    return pdf.CertificateContent(
        holder_name="Łukasz Żółć",
        course_title="Simplified cost options in Interreg: from the budget to the verification",
        version_number=3,
        hours=Decimal("12"),
        credits=Decimal("1.5"),
        issued_on=date.today(),
        expires_on=date.today().replace(year=date.today().year + 3),
        issuer="Interreg Academy",
        code=code,
        verify_url=f"https://academy.example/verify/{code}",
        outcomes=[
            ("LO1", "Explain which simplified cost options the Interreg regulation allows."),
            ("LO2", "Calculate the flat rate for office and administrative costs in Ærøskøbing."),
            ("LO3", "Check a unit cost methodology for a partner in Θεσσαλονίκη."),
            ("LO4", "Advise a lead partner on staff costs using the hourly rate."),
        ],
    )


def median_ms(func, runs: int, clock=time.perf_counter) -> float:  # noqa: ANN001
    """Median time of `func()` in milliseconds, by wall clock unless another clock is given."""
    times = []
    for _ in range(runs):
        start = clock()
        func()
        times.append(clock() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": folder})
        with app.app_context():
            key = seal_keys.seal_key()  # load (or generate) once, as a running worker does
            sample = content()
            signing.seal(pdf.render(sample), box=pdf.SEAL_BOX, reason="warm-up")
            render = median_ms(lambda: pdf.render(sample), args.runs)
            both = median_ms(lambda: signing.seal(pdf.render(sample), box=pdf.SEAL_BOX, reason="benchmark"), args.runs)
            # CPU time too: on a busy machine the wall clock also counts other processes' turns.
            cpu = median_ms(
                lambda: signing.seal(pdf.render(sample), box=pdf.SEAL_BOX, reason="benchmark"),
                args.runs,
                clock=time.process_time,
            )
    print(f"key: {key.key_id} ({key.signer_name})")
    print(f"runs: {args.runs}")
    print(f"render median: {render:.1f} ms")
    print(f"render+seal median: {both:.1f} ms")
    print(f"render+seal CPU-time median: {cpu:.1f} ms")


if __name__ == "__main__":
    main()
