"""Fixtures for certificate tests."""

from __future__ import annotations

import pytest

from academy.certificates import completion
from academy.certificates.notify import certificate_issued, certificate_revoked


@pytest.fixture(autouse=True)
def _restore_requirements():
    """Tests may register extra requirements; put the registry back afterwards."""
    saved = dict(completion._REGISTRY)
    yield
    completion._REGISTRY.clear()
    completion._REGISTRY.update(saved)


@pytest.fixture
def events():
    """Certificate events sent during the test, as (name, certificate id) pairs."""
    seen: list[tuple[str, int]] = []

    def on_issued(sender, certificate):
        seen.append(("issued", certificate.id))

    def on_revoked(sender, certificate):
        seen.append(("revoked", certificate.id))

    certificate_issued.connect(on_issued)
    certificate_revoked.connect(on_revoked)
    yield seen
    certificate_issued.disconnect(on_issued)
    certificate_revoked.disconnect(on_revoked)
