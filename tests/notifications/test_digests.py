"""Digests: one e-mail per user and period with everything pending, at the configured hour, sent once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from academy import jobs, mail
from academy.extensions import db
from academy.notifications import jobs as delivery_jobs
from academy.notifications import preferences
from academy.notifications.models import Delivery, DigestRun, Mode, Notification, Status
from tests.factories import create_user
from tests.notifications.conftest import mail_files
from tests.notifications.factories import record_event

# Wednesday 15 January 2025; the digest hour is 07:00 UTC and the weekly digest goes out on Mondays.
BEFORE_HOUR = datetime(2025, 1, 15, 6, 30, tzinfo=UTC)
AFTER_HOUR = datetime(2025, 1, 15, 7, 5, tzinfo=UTC)
RECORDED = datetime(2025, 1, 14, 18, 0, tzinfo=UTC)


@pytest.fixture
def daily_user(app):
    user = create_user(email="dana@example.org", name="Dana Daily")
    preferences.set_preference(user, "*", Mode.DAILY)
    db.session.commit()
    return user


def _record_three(user, *, at: datetime = RECORDED) -> None:
    for title in ("Jems release notes", "HIT toolkit update", "Cooperation Day materials"):
        record_event(recipients=[user], event="post.replied", data={"actor": "Petra", "title": title})
    db.session.execute(db.update(Notification).values(created_at=at))
    db.session.execute(db.update(Delivery).values(created_at=at))
    db.session.commit()


def test_digest_moments_follow_the_configured_hour_and_weekday(app):
    assert delivery_jobs.digest_moment(Mode.DAILY, BEFORE_HOUR) == datetime(2025, 1, 14, 7, tzinfo=UTC)
    assert delivery_jobs.digest_moment(Mode.DAILY, AFTER_HOUR) == datetime(2025, 1, 15, 7, tzinfo=UTC)
    assert delivery_jobs.digest_moment(Mode.WEEKLY, AFTER_HOUR) == datetime(2025, 1, 13, 7, tzinfo=UTC)
    app.config["NOTIFICATIONS_DIGEST_HOUR"] = 18
    app.config["NOTIFICATIONS_DIGEST_WEEKDAY"] = 2  # Wednesday
    assert delivery_jobs.digest_moment(Mode.WEEKLY, AFTER_HOUR) == datetime(2025, 1, 8, 18, tzinfo=UTC)


def test_several_events_make_one_digest_mail(app, daily_user):
    _record_three(daily_user)
    assert jobs.run_ready() == 0  # nothing immediate was queued
    assert delivery_jobs.queue_due_digests(AFTER_HOUR) == 1
    jobs.run_ready()
    [msg] = mail_files(app)
    assert msg["To"] == "dana@example.org"
    assert msg["Subject"] == "Your daily digest: 3 updates"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    for title in ("Jems release notes", "HIT toolkit update", "Cooperation Day materials"):
        assert title in text
    assert set(db.session.scalars(select(Delivery.status))) == {Status.SENT}
    run = db.session.scalars(select(DigestRun)).one()
    assert (run.status, run.item_count, run.period_key) == (Status.SENT, 3, "2025-01-15")


def test_the_digest_job_run_twice_sends_once(app, daily_user):
    _record_three(daily_user)
    delivery_jobs.queue_due_digests(AFTER_HOUR)
    db.session.info.pop("academy_jobs_ready")
    run_id = db.session.scalar(select(DigestRun.id))
    assert delivery_jobs.send_digest(run_id) == "sent"
    assert delivery_jobs.send_digest(run_id) == "busy"
    assert delivery_jobs.queue_due_digests(AFTER_HOUR) == 0  # the digest check again: already done today
    jobs.run_ready()
    assert len(mail_files(app)) == 1


def test_nothing_goes_out_before_the_digest_hour(app, daily_user):
    _record_three(daily_user, at=datetime(2025, 1, 14, 8, 0, tzinfo=UTC))  # after yesterday's digest
    assert delivery_jobs.queue_due_digests(BEFORE_HOUR) == 0
    assert delivery_jobs.queue_due_digests(AFTER_HOUR) == 1


def test_weekly_and_daily_digests_are_separate_mails(app, daily_user):
    preferences.set_preference(daily_user, "mention", Mode.WEEKLY)
    db.session.commit()
    _record_three(daily_user)
    record_event(recipients=[daily_user], event="mention")
    last_week = datetime(2025, 1, 12, 9, 0, tzinfo=UTC)  # before Monday's weekly digest time
    db.session.execute(db.update(Delivery).where(Delivery.mode == Mode.WEEKLY).values(created_at=last_week))
    db.session.commit()
    assert delivery_jobs.queue_due_digests(AFTER_HOUR) == 2
    jobs.run_ready()
    assert sorted(m["Subject"] for m in mail_files(app)) == [
        "Your daily digest: 3 updates",
        "Your weekly digest: 1 update",
    ]


def test_a_failed_digest_is_retried_and_still_sent_once(app, daily_user, monkeypatch):
    _record_three(daily_user)
    real_send = mail.send
    monkeypatch.setattr(mail, "send", lambda msg: (_ for _ in ()).throw(OSError("relay down")))
    delivery_jobs.queue_due_digests(AFTER_HOUR)
    jobs.run_ready()
    run = db.session.scalars(select(DigestRun)).one()
    assert (run.status, run.attempts) == (Status.FAILED, 1)
    monkeypatch.setattr(mail, "send", real_send)
    assert delivery_jobs.sweep(older_than=0).digests == 1
    jobs.run_ready()
    [msg] = mail_files(app)
    assert msg["Subject"] == "Your daily digest: 3 updates"
    delivery_jobs.sweep(older_than=0)
    jobs.run_ready()
    assert len(mail_files(app)) == 1


def test_items_switched_off_or_no_longer_visible_are_left_out(app, daily_user, memberships):
    memberships.add(4, daily_user, name="ICON")
    _record_three(daily_user)
    record_event(recipients=[daily_user], event="thread.created", scope="community:4", data={"title": "Secret"})
    db.session.execute(db.update(Delivery).values(created_at=RECORDED))
    db.session.commit()
    memberships.leave(4, daily_user)
    preferences.set_preference(daily_user, "post.replied", Mode.OFF)
    db.session.commit()
    delivery_jobs.queue_due_digests(AFTER_HOUR)
    jobs.run_ready()
    assert mail_files(app) == []
    assert set(db.session.scalars(select(Delivery.status))) == {Status.SKIPPED}
