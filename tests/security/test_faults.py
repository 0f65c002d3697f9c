"""Faults: the database, Redis, the mail server and the certificate store failing under real requests.

Worker deaths mid-job (retried, never doubled) need a real Redis and RQ worker; they are tested in
tests/notifications/test_rq.py (test_a_job_whose_worker_died_*), which CI runs with Redis.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from academy import jobs, mail
from academy.certificates import storage
from academy.certificates.models import Certificate
from academy.community.models import Post, Thread
from academy.extensions import db
from academy.jobs import JobFailure
from academy.notifications import jobs as delivery_jobs
from academy.notifications.models import Delivery, Status
from tests.certificates.factories import create_course, create_enrolment
from tests.community.factories import add_member, create_community, create_thread
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.notifications.factories import record_event


@contextmanager
def database_failing(when=lambda statement: True):
    """Every SQL statement matching `when` fails as if the server had gone away."""

    def fail(conn, cursor, statement, parameters, context, executemany):
        if when(statement):
            raise OperationalError(statement, parameters, ConnectionRefusedError("server closed the connection"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- the database ---------------------------------------------------------------------------


def test_database_down_gives_a_clear_503_page(client):
    with database_failing():
        response = client.get("/courses")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Service unavailable" in html and "try again in a minute" in html
    assert "server closed the connection" not in html  # no internals on the page
    assert response.headers["Retry-After"] == "60"


def test_database_down_gives_problem_json_on_the_api(client):
    with database_failing():
        response = client.get("/api/v1/courses")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 503
    assert response.headers["Retry-After"] == "60"


def test_database_lost_in_the_middle_of_a_write_leaves_nothing_half_written(client, login):
    community = create_community(slug="jems")
    member = add_member(community=community).user
    login(member)
    token = csrf_token(client, "/c/jems/new")
    threads, posts = _count(Thread), _count(Post)
    # The thread row is written, then the database goes away before its opening post is.
    with database_failing(lambda sql: sql.lstrip().upper().startswith("INSERT INTO COMMUNITY_POSTS")):
        response = client.post(
            "/c/jems/new",
            data={"csrf_token": token, "kind": "question", "title": "Half a thread?", "body": "Does it stay?"},
        )
    assert response.status_code == 503
    assert (_count(Thread), _count(Post)) == (threads, posts)
    # And the next request, with the database back, works.
    assert client.get("/c/jems").status_code == 200


# --- Redis ------------------------------------------------------------------------------------


def test_redis_down_the_request_succeeds_and_the_mail_goes_out_after_the_sweep(app, client, login):
    app.config.update(JOBS_INLINE=False, REDIS_URL="redis://127.0.0.1:1/13")  # nothing listens there
    community = create_community(slug="icon")
    asker = add_member(community=community).user
    thread = create_thread(community=community, author=asker, title="Logos on posters?")
    replier = login(add_member(community=community).user)
    token = csrf_token(client, f"/c/icon/t/{thread.id}")
    response = client.post(f"/c/icon/t/{thread.id}/reply", data={"csrf_token": token, "body": "Yes, always."})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == replier.id)) == 1
    waiting = db.session.scalars(select(Delivery).where(Delivery.user_id == asker.id)).all()
    assert waiting and all(d.status == Status.PENDING and d.attempts == 0 for d in waiting)

    # Redis is back (here: jobs in-process again); the periodic sweep finds the waiting rows.
    app.config.update(JOBS_INLINE=True, REDIS_URL=None)
    delivery_jobs.sweep(older_than=0)
    jobs.run_ready()
    db.session.expire_all()
    assert all(
        d.status == Status.SENT for d in db.session.scalars(select(Delivery).where(Delivery.user_id == asker.id))
    )
    mails = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(mails) == len(waiting)


# --- SMTP -------------------------------------------------------------------------------------


def test_smtp_down_counts_the_attempt_and_fails_the_job_so_rq_retries_with_backoff(app, monkeypatch):
    user = create_user()

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(mail, "send", refused)
    record_event(recipients=[user])
    db.session.info.pop("academy_jobs_ready", None)
    delivery = db.session.scalars(select(Delivery).where(Delivery.user_id == user.id)).one()
    with pytest.raises(delivery_jobs.DeliveryFailed):
        delivery_jobs.deliver_batch([delivery.id])
    db.session.expire_all()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "SMTP server down" in delivery.last_error

    # The failed job goes back to RQ with growing waits between tries.
    retry = jobs._retry()
    assert retry.max == len(retry.intervals) >= 3
    assert retry.intervals == sorted(retry.intervals) and retry.intervals[0] < retry.intervals[-1]


def test_rq_jobs_are_enqueued_with_the_retry_policy(app, monkeypatch):
    seen = {}

    class FakeQueue:
        def enqueue(self, *args, **kwargs):
            seen.update(kwargs)

    monkeypatch.setattr(jobs, "rq_queue", lambda name: FakeQueue())
    assert jobs._enqueue_rq(jobs.QueuedJob("notifications", "academy.notifications.jobs.deliver_batch", ([1],)))
    assert seen["retry"].intervals == list(app.config["JOB_RETRY_INTERVALS"])
    assert seen["job_timeout"] == app.config["JOB_TIMEOUT"]


# --- certificate storage ----------------------------------------------------------------------


def test_storage_failing_while_a_certificate_is_written_leaves_no_row_and_a_retry_issues_it(
    app, client, login, monkeypatch
):
    course = create_course(slug="sco", lessons=1)
    learner = create_user()
    create_enrolment(user=learner, course=course)
    real_store = storage.store_pdf

    def disk_full(data: bytes):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "store_pdf", disk_full)
    login(learner)
    token = csrf_token(client, "/courses/sco/lessons/lesson-1")
    response = client.post("/courses/sco/lessons/lesson-1/complete", data={"csrf_token": token})
    assert response.status_code == 302  # the learner's progress is saved
    assert _count(Certificate) == 0  # never a row without its file
    failure = db.session.scalars(select(JobFailure)).one()
    assert failure.func_path == "academy.certificates.jobs.notify_progress"
    assert "No space left" in failure.error

    # The store is back; an admin retries the job from the jobs page and the certificate is issued.
    monkeypatch.setattr(storage, "store_pdf", real_store)
    admin = create_user(admin=True)
    admin_client = app.test_client()
    login(admin, on=admin_client)
    token = csrf_token(admin_client, "/admin/jobs")
    assert admin_client.post(f"/admin/jobs/failures/{failure.id}/retry", data={"csrf_token": token}).status_code == 302
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.user_id == learner.id
    assert storage.path_of(certificate.pdf_path).read_bytes().startswith(b"%PDF")


def test_a_write_that_fails_halfway_leaves_no_file_under_the_final_name(app, monkeypatch):
    import os

    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            real_write(fd, bytes(data)[:10])
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError):
        storage.store_pdf(b"%PDF-1.7 " + b"x" * 5000)
    monkeypatch.setattr(os, "write", real_write)
    relative, _sha = storage.store_pdf(b"%PDF-1.7 " + b"x" * 5000)
    assert storage.read(relative) == b"%PDF-1.7 " + b"x" * 5000
    leftovers = [p.name for p in storage.root().rglob("*") if p.is_file() and p.suffix != ".pdf"]
    assert leftovers == []
    assert calls["n"] == 1  # the failing write was the one patched
