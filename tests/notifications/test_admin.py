"""The admin page for background work, in the embedded (in-process) mode."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from academy import jobs, mail
from academy.db import utcnow
from academy.extensions import db
from academy.jobs import JobFailure
from academy.notifications.models import Delivery, Status
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.notifications.conftest import mail_files
from tests.notifications.factories import record_event


def _fail_one(app, monkeypatch) -> Delivery:
    monkeypatch.setattr(mail, "send", lambda msg: (_ for _ in ()).throw(OSError("relay refused")))
    record_event(recipients=[create_user(email="stuck@example.org")])
    jobs.run_ready()
    monkeypatch.undo()
    return db.session.scalars(select(Delivery)).one()


def test_only_admins_see_the_jobs_page(client, learner):
    assert client.get("/admin/jobs").status_code == 403


def test_visitors_are_sent_to_log_in(client):
    assert client.get("/admin/jobs").status_code == 302


def test_the_page_shows_failed_deliveries_and_failed_jobs(app, client, admin, monkeypatch):
    _fail_one(app, monkeypatch)
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "stuck@example.org" in html
    assert "OSError: relay refused" in html
    assert "academy.notifications.jobs.deliver_batch" in html  # the in-process failure
    assert "Jobs run in the web process" in html


def test_retrying_a_failed_delivery_sends_it(app, client, admin, monkeypatch):
    delivery = _fail_one(app, monkeypatch)
    token = csrf_token(client, "/admin/jobs")
    response = client.post(f"/admin/jobs/deliveries/{delivery.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert [m["To"] for m in mail_files(app)] == ["stuck@example.org"]
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == Status.SENT


def test_retrying_a_sent_delivery_does_nothing(app, client, admin):
    record_event(recipients=[create_user()])
    jobs.run_ready()
    delivery = db.session.scalars(select(Delivery)).one()
    token = csrf_token(client, "/admin/jobs")
    client.post(f"/admin/jobs/deliveries/{delivery.id}/retry", data={"csrf_token": token})
    assert len(mail_files(app)) == 1


def test_retrying_an_in_process_job_failure(app, client, admin, monkeypatch):
    _fail_one(app, monkeypatch)
    failure = db.session.scalars(select(JobFailure)).one()
    token = csrf_token(client, "/admin/jobs")
    client.post(f"/admin/jobs/failures/{failure.id}/retry", data={"csrf_token": token})
    assert len(mail_files(app)) == 1
    db.session.expire_all()
    assert db.session.get(JobFailure, failure.id).retried_at is not None
    assert "academy.notifications.jobs.deliver_batch" not in client.get("/admin/jobs").get_data(as_text=True)


def test_the_sweep_button_delivers_stuck_rows(app, client, admin):
    record_event(recipients=[create_user()])
    db.session.info.pop("academy_jobs_ready")  # as if the process died before running the job
    db.session.execute(db.update(Delivery).values(queued_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert "Nothing is stuck." not in client.get("/admin/jobs").get_data(as_text=True)
    token = csrf_token(client, "/admin/jobs")
    response = client.post("/admin/jobs/sweep", data={"csrf_token": token}, follow_redirects=True)
    assert "requeued 1 deliveries" in response.get_data(as_text=True)
    assert len(mail_files(app)) == 1


def test_admin_posts_need_the_csrf_token(client, admin):
    assert client.post("/admin/jobs/sweep").status_code == 400


def test_the_page_says_so_when_redis_is_unreachable(app, client, admin):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/11", JOBS_INLINE=False)
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "Redis cannot be reached" in html


def test_the_admin_start_page_says_what_needs_attention_until_it_is_dealt_with(app, client, admin, monkeypatch):
    assert "Needs attention" not in client.get("/").get_data(as_text=True)
    delivery = _fail_one(app, monkeypatch)
    page = client.get("/").get_data(as_text=True)
    assert "Needs attention" in page
    assert "1 failed job to retry or dismiss" in page and "1 notification not delivered" in page

    token = csrf_token(client, "/admin/jobs")
    client.post(f"/admin/jobs/deliveries/{delivery.id}/retry", data={"csrf_token": token})
    failure = db.session.scalars(select(JobFailure)).one()
    client.post(f"/admin/jobs/failures/{failure.id}/retry", data={"csrf_token": token})
    assert "Needs attention" not in client.get("/").get_data(as_text=True)


def test_learners_never_see_the_jobs_panel(app, client, learner, monkeypatch):
    _fail_one(app, monkeypatch)
    assert "Needs attention" not in client.get("/").get_data(as_text=True)
