"""record(): Notification and Delivery rows in the caller's transaction, never doubled, jobs only after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from academy import jobs
from academy.extensions import db
from academy.notifications import bulk, preferences
from academy.notifications.models import Delivery, Mode, Notification, Status
from tests.factories import create_user
from tests.notifications.conftest import mail_files
from tests.notifications.factories import notifications_of, record_event


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_record_writes_a_notification_and_an_email_delivery_per_recipient(app):
    ana, ben = create_user(), create_user()
    result = record_event(recipients=[ana, ben], event="mention", commit=False)
    assert (result.notifications, result.deliveries, result.queued) == (2, 2, 2)
    db.session.commit()
    deliveries = db.session.scalars(select(Delivery)).all()
    assert {d.user_id for d in deliveries} == {ana.id, ben.id}
    assert {(d.channel, d.mode, d.status) for d in deliveries} == {("email", Mode.IMMEDIATE, Status.PENDING)}


def test_the_same_event_recorded_twice_notifies_once(app):
    ana = create_user()
    first = record_event(recipients=[ana, ana], subject_id=7)
    second = record_event(recipients=[ana], subject_id=7)
    assert (first.notifications, second.notifications, second.deliveries) == (1, 0, 0)
    assert _count(Notification) == 1
    assert _count(Delivery) == 1


def test_the_actor_is_not_notified_of_their_own_action(app):
    ana, ben = create_user(), create_user()
    record_event(recipients=[ana, ben], actor=ana)
    assert notifications_of(ana) == []
    assert len(notifications_of(ben)) == 1


def test_email_off_still_notifies_in_the_app_but_writes_no_delivery(app):
    ana = create_user()
    preferences.set_preference(ana, "mention", Mode.OFF)
    db.session.commit()
    result = record_event(recipients=[ana])
    assert (result.notifications, result.deliveries) == (1, 0)


def test_a_digest_preference_writes_a_waiting_delivery_and_queues_nothing(app):
    ana = create_user()
    preferences.set_preference(ana, "mention", Mode.DAILY)
    db.session.commit()
    result = record_event(recipients=[ana])
    assert (result.deliveries, result.queued) == (1, 0)
    assert db.session.scalar(select(Delivery.mode)) == Mode.DAILY


def test_a_rollback_drops_the_rows_and_the_queued_job(app):
    ana = create_user()
    record_event(recipients=[ana], commit=False)
    db.session.rollback()
    assert jobs.run_ready() == 0
    assert _count(Notification) == 0
    assert mail_files(app) == []


def test_jobs_run_only_after_the_commit(app):
    ana = create_user()
    record_event(recipients=[ana], commit=False)
    assert jobs.run_ready() == 0  # nothing committed yet, nothing runs
    db.session.commit()
    assert jobs.run_ready() == 1
    assert len(mail_files(app)) == 1


def test_unknown_event_kinds_and_bad_scopes_are_refused(app):
    ana = create_user()
    with pytest.raises(ValueError, match="unknown notification event"):
        record_event(recipients=[ana], event="thread.creatd")
    with pytest.raises(ValueError, match="malformed scope"):
        record_event(recipients=[ana], scope="finance")


def test_transactional_mail_ignores_preferences(app):
    ana = create_user()
    preferences.set_preference(ana, "*", Mode.OFF)
    db.session.commit()
    result = record_event(recipients=[ana], event="password.reset", subject_type="user", subject_id=ana.id)
    assert result.deliveries == 1
    with pytest.raises(ValueError):
        preferences.set_preference(ana, "password.reset", Mode.OFF)


def test_a_large_fan_out_is_written_in_batches_and_queued_in_small_jobs(app, count_queries):
    users = [create_user(commit=False).id for _ in range(2 * bulk.RECORD_CHUNK + 5)]
    db.session.commit()
    with count_queries() as queries:
        result = record_event(recipients=users, event="mention", commit=False)
    assert result.notifications == len(users)
    assert result.deliveries == len(users)
    # Per chunk of recipients: insert notifications, read preferences, insert deliveries.
    assert queries.count == 3 * 3
    pending = db.session.info["academy_jobs_pending"]
    assert len(pending) == -(-len(users) // bulk.DELIVERY_BATCH)
    assert max(len(job.args[0]) for job in pending) == bulk.DELIVERY_BATCH
    db.session.rollback()
