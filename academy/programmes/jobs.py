"""Background work: the programme certificate check, queued after the commit that may have completed a programme."""

from __future__ import annotations

from academy.jobs import QUEUE_CERTIFICATES, enqueue_after_commit
from academy.programmes.services import progress


def check_user(user_id: int) -> None:
    """Job: issue, re-issue or revoke the user's programme certificates to match their standing (idempotent)."""
    progress.check_user(user_id)


def queue_check(user_id: int) -> None:
    """Queue `check_user` once the current transaction commits."""
    enqueue_after_commit(check_user, user_id, queue=QUEUE_CERTIFICATES)


def check_programme(programme_id: int, user_id: int) -> None:
    """Job: issue, re-issue or revoke the user's certificate of one programme to match their standing (idempotent)."""
    progress.check(programme_id, user_id)


def queue_programme_check(programme_id: int, user_id: int) -> None:
    """Queue `check_programme` once the current transaction commits."""
    enqueue_after_commit(check_programme, programme_id, user_id, queue=QUEUE_CERTIFICATES)
