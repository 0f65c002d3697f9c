"""What a credential adds to issuing a certificate, and what verifying one costs."""

from __future__ import annotations

import time

from academy.credentials import keys, services
from academy.credentials.models import KeyAlgorithm
from academy.credentials.proofs import eddsa
from tests.credentials.factories import create_certificate, document_of


def _ms(func, runs: int = 5) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        func()
    return (time.perf_counter() - started) * 1000 / runs


def test_credential_signing_and_verifying_stay_cheap(app, db):
    certificate = create_certificate()  # warms the contexts and creates the keys
    document = document_of(certificate)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    key = keys.signing_key(KeyAlgorithm.ED25519)

    def sign() -> None:
        eddsa.sign(
            unsigned,
            private_key=keys.private_key(key),
            verification_method="https://academy.example/issuer#key-1",
            created="2026-01-01T00:00:00Z",
        )

    sign_ms = _ms(sign)
    verify_ms = _ms(lambda: services.verify(document))
    issue_ms = _ms(create_certificate)
    print(f"\nsign {sign_ms:.1f} ms, verify {verify_ms:.1f} ms, issue with PDF and seal {issue_ms:.1f} ms")
    assert sign_ms < 250
    assert verify_ms < 250
