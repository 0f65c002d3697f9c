"""Tell the holder, through the notifications outbox, in the transaction that issued or revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from academy.notifications import services as notifications

if TYPE_CHECKING:
    from academy.certificates.models import Certificate


def _record(event: str, certificate: Certificate) -> None:
    if certificate.user_id is None:
        return
    notifications.record(
        event=event,
        recipients=[certificate.user_id],
        subject_type="certificate",
        subject_id=certificate.id,
        data={"course": certificate.course_title},
        # Built from the URL map: issuance runs in jobs, outside any request.
        link=current_app.url_map.bind("localhost").build("certificates.mine"),
    )


def issued(certificate: Certificate) -> None:
    """Notify the holder that a certificate (first issue or corrected re-issue) is ready."""
    _record("certificate.issued", certificate)


def revoked(certificate: Certificate) -> None:
    """Notify the holder that a certificate was revoked."""
    _record("certificate.revoked", certificate)
