"""Events other features may act on, sent inside the transaction that made them.

The notifications feature connects to these signals (or replaces the two functions' bodies with
`notifications.record(...)` calls) to tell the learner; certificates never import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blinker import Namespace

if TYPE_CHECKING:
    from academy.certificates.models import Certificate

_signals = Namespace()

#: Sent with `certificate=` after a certificate (first issue or corrected re-issue) is flushed.
certificate_issued = _signals.signal("certificate-issued")
#: Sent with `certificate=` after a certificate is revoked.
certificate_revoked = _signals.signal("certificate-revoked")


def issued(certificate: Certificate) -> None:
    """Tell listeners a certificate was issued to its holder."""
    certificate_issued.send(certificate, certificate=certificate)


def revoked(certificate: Certificate) -> None:
    """Tell listeners a certificate was revoked."""
    certificate_revoked.send(certificate, certificate=certificate)
