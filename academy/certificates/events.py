"""What certificates announce (see academy.core.events); higher features listen, certificates never name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CertificateIssued:
    """A certificate row exists, sealed, inside the issuing transaction."""

    certificate_id: int
    user_id: int | None
    course_id: int | None
