"""Delivering e-mail from the outbox: never doubled, never lost, access and preferences checked at send time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from academy import jobs, mail
from academy.db import utcnow
from academy.extensions import db
from academy.jobs import JobFailure
from academy.notifications import jobs as delivery_jobs
from academy.notifications import preferences
from academy.notifications.models import Delivery, Mode, Status
from tests.factories import create_user
from tests.notifications.conftest import mail_files
from tests.notifications.factories import record_event


def _delivery() -> Delivery:
    db.session.expire_all()
    return db.session.scalars(select(Delivery)).one()


def test_a_committed_notification_is_mailed_once_with_one_click_unsubscribe(app):
    ana = create_user(email="ana@example.org", name="Ana Anders")
    record_event(recipients=[ana], event="post.replied", data={"actor": "Petra Peer", "title": "Jems exports"})
    jobs.run_ready()
    [msg] = mail_files(app)
    assert msg["To"] == "ana@example.org"
    assert msg["Subject"] == "Petra Peer replied to “Jems exports”."
    assert msg["List-Unsubscribe"].startswith("<http://localhost/notifications/unsubscribe/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "http://localhost/c/finance/t/1" in text
    assert 'href="http://localhost/c/finance/t/1"' in html
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
    assert delivery.sent_at is not None


def test_html_mail_escapes_what_users_wrote(app):
    ana = create_user()
    record_event(recipients=[ana], data={"actor": "<b>Eve</b>", "title": "<script>alert(1)</script>"})
    jobs.run_ready()
    html = mail_files(app)[0].get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_running_the_delivery_job_twice_sends_one_mail(app):
    ana = create_user()
    record_event(recipients=[ana])
    jobs.run_ready()
    delivery_id = _delivery().id
    assert delivery_jobs.deliver_batch([delivery_id]) == {"busy": 1}
    assert delivery_jobs.deliver(delivery_id) == "busy"
    assert len(mail_files(app)) == 1


def test_a_delivery_claimed_by_another_worker_is_left_alone(app):
    ana = create_user()
    record_event(recipients=[ana])
    db.session.info.pop("academy_jobs_ready")  # the queued job has not run yet
    delivery = _delivery()
    delivery.status, delivery.claimed_at = Status.SENDING, delivery.created_at
    db.session.commit()
    assert delivery_jobs.deliver(delivery.id) == "busy"
    assert mail_files(app) == []


def test_a_failed_send_stays_retryable_and_the_sweep_delivers_it_once(app, monkeypatch):
    ana = create_user()
    real_send = mail.send

    def broken(msg):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail, "send", broken)
    record_event(recipients=[ana])
    jobs.run_ready()
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "mail server down" in delivery.last_error
    failure = db.session.scalars(select(JobFailure)).one()  # the in-process failure is kept for the admin page
    assert failure.func_path == "academy.notifications.jobs.deliver_batch"
    assert mail_files(app) == []

    monkeypatch.setattr(mail, "send", real_send)
    result = delivery_jobs.sweep(older_than=0)
    assert (result.retried, result.requeued) == (1, 1)
    jobs.run_ready()
    assert len(mail_files(app)) == 1
    assert (_delivery().status, _delivery().attempts) == (Status.SENT, 2)
    delivery_jobs.sweep(older_than=0)
    jobs.run_ready()
    assert len(mail_files(app)) == 1


def test_the_sweep_leaves_young_rows_to_their_jobs(app):
    ana = create_user()
    record_event(recipients=[ana])
    db.session.info.pop("academy_jobs_ready")  # queued, not run yet: the sweep must not pile on
    assert delivery_jobs.sweep().requeued == 0


def test_a_delivery_stuck_in_sending_is_released_by_the_sweep(app):
    ana = create_user()
    record_event(recipients=[ana])
    db.session.info.pop("academy_jobs_ready")
    delivery = _delivery()
    assert delivery_jobs._claim(delivery.id)  # a worker claimed it, then died before sending
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(db.update(Delivery).values(claimed_at=an_hour_ago, queued_at=an_hour_ago))
    db.session.commit()
    result = delivery_jobs.sweep()
    assert (result.released, result.requeued) == (1, 1)
    jobs.run_ready()
    assert len(mail_files(app)) == 1
    assert _delivery().status == Status.SENT


def test_attempts_are_capped_and_the_sweep_stops_retrying(app, monkeypatch):
    ana = create_user()
    monkeypatch.setattr(mail, "send", lambda msg: (_ for _ in ()).throw(OSError("still down")))
    record_event(recipients=[ana])
    jobs.run_ready()
    for _ in range(delivery_jobs.MAX_ATTEMPTS):
        delivery_jobs.sweep(older_than=0)
        jobs.run_ready()
    delivery = _delivery()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, delivery_jobs.MAX_ATTEMPTS)
    assert delivery_jobs.sweep(older_than=0).requeued == 0


def test_switching_email_off_before_the_send_skips_it(app):
    ana = create_user()
    record_event(recipients=[ana])
    db.session.info.pop("academy_jobs_ready")
    preferences.set_preference(ana, "mention", Mode.OFF)
    db.session.commit()
    delivery_jobs.deliver(_delivery().id)
    assert mail_files(app) == []
    assert (_delivery().status, _delivery().last_error) == (Status.SKIPPED, "preference off")


def test_switching_to_a_digest_before_the_send_moves_it_to_the_digest(app):
    ana = create_user()
    record_event(recipients=[ana])
    db.session.info.pop("academy_jobs_ready")
    preferences.set_preference(ana, "mention", Mode.WEEKLY)
    db.session.commit()
    assert delivery_jobs.deliver(_delivery().id) == "digest"
    assert mail_files(app) == []
    assert (_delivery().status, _delivery().mode) == (Status.PENDING, Mode.WEEKLY)


def test_someone_who_left_the_community_gets_nothing_more_about_it(app, memberships):
    ana, ben = create_user(), create_user()
    memberships.add(3, ana, ben, name="Finance")
    for user in (ana, ben):
        preferences.set_preference(user, "post.replied", Mode.IMMEDIATE)
    record_event(recipients=[ana, ben], event="post.replied", scope="community:3")
    memberships.leave(3, ben)  # after the event, before the worker gets to it
    jobs.run_ready()
    assert [m["To"] for m in mail_files(app)] == [ana.email]
    skipped = db.session.scalars(select(Delivery).where(Delivery.user_id == ben.id)).one()
    assert (skipped.status, skipped.last_error) == (Status.SKIPPED, "no access")


def test_a_failing_access_check_counts_as_no_access(app):
    from academy.notifications import access

    def broken(user, subject_id):
        raise RuntimeError("community feature bug")

    access.register_subject(app, "thread", can_see=broken)
    ana = create_user()
    record_event(recipients=[ana], subject_type="thread")
    jobs.run_ready()
    assert mail_files(app) == []
    assert _delivery().status == Status.SKIPPED


def test_a_deactivated_account_gets_no_mail(app):
    ana = create_user()
    record_event(recipients=[ana])
    db.session.info.pop("academy_jobs_ready")
    ana.is_active_account = False
    db.session.commit()
    delivery_jobs.deliver(_delivery().id)
    assert mail_files(app) == []


def test_transactional_mail_has_no_unsubscribe_headers(app):
    ana = create_user()
    preferences.set_preference(ana, "*", Mode.OFF)
    db.session.commit()
    record_event(recipients=[ana], event="password.reset", subject_type="user", subject_id=ana.id, link="/reset")
    jobs.run_ready()
    [msg] = mail_files(app)
    assert msg["List-Unsubscribe"] is None
    assert "unsubscribe" not in msg.get_body(preferencelist=("plain",)).get_content().lower()


@pytest.mark.parametrize("batch", [1, 3])
def test_one_failure_in_a_batch_does_not_stop_the_others(app, monkeypatch, batch):
    users = [create_user() for _ in range(batch + 1)]
    bad = users[0].email
    real_send = mail.send

    def picky(msg):
        if msg["To"] == bad:
            raise OSError("mailbox unavailable")
        return real_send(msg)

    monkeypatch.setattr(mail, "send", picky)
    record_event(recipients=users)
    jobs.run_ready()
    assert len(mail_files(app)) == batch
    statuses = dict(db.session.execute(select(Delivery.user_id, Delivery.status)).tuples().all())
    assert statuses[users[0].id] == Status.FAILED
    assert all(statuses[u.id] == Status.SENT for u in users[1:])


def test_a_batch_shares_one_smtp_connection(app, smtp_sink):
    users = [create_user() for _ in range(3)]
    record_event(recipients=users)
    jobs.run_ready()
    assert len(smtp_sink.messages) == 3
    assert len(smtp_sink.sessions) == 1


def test_a_refused_message_in_a_batch_does_not_lose_the_others(app, smtp_sink):
    users = [create_user() for _ in range(3)]
    smtp_sink.fail_next = 1
    record_event(recipients=users)
    jobs.run_ready()
    assert len(smtp_sink.messages) == 2
    assert len(smtp_sink.sessions) == 2  # a fresh connection after the refusal
    delivery_jobs.sweep(older_than=0)
    jobs.run_ready()
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(u.email for u in users)
