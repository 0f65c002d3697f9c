"""Fixtures for certificate tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.extensions import db
from academy.notifications.models import Notification


class _RecordedEvents:
    """Certificate notifications recorded for holders, as (name, certificate id) pairs, read fresh each time."""

    def _pairs(self) -> list[tuple[str, int]]:
        rows = db.session.execute(
            select(Notification.event, Notification.subject_id)
            .where(Notification.subject_type == "certificate")
            .order_by(Notification.id)
        )
        return [(event.removeprefix("certificate."), subject_id) for event, subject_id in rows]

    def __eq__(self, other: object) -> bool:
        return self._pairs() == other

    def __contains__(self, item: object) -> bool:
        return item in self._pairs()

    def __len__(self) -> int:
        return len(self._pairs())

    def __repr__(self) -> str:
        return repr(self._pairs())


@pytest.fixture
def events():
    """Certificate notifications (issued, revoked) recorded for holders during the test."""
    return _RecordedEvents()
