"""The Redis path: real RQ queues and workers on our own Redis database, mail to a real SMTP sink."""

from __future__ import annotations

import pytest
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry, StartedJobRegistry, clean_registries
from sqlalchemy import select

from academy import jobs
from academy.extensions import db
from academy.jobs import ALL_QUEUES, QUEUE_NOTIFICATIONS
from academy.notifications import jobs as delivery_jobs
from academy.notifications.models import Delivery, Status
from academy.ops import queues
from tests.factories import create_user
from tests.notifications.factories import record_event

pytestmark = pytest.mark.redis


def _burst(app) -> None:
    """Run every queued job in this process, as a worker would, until the queues are empty."""
    jobs.make_worker(app, worker_class=SimpleWorker).work(burst=True)


def _queued() -> int:
    return jobs.rq_queue(QUEUE_NOTIFICATIONS).count


def _delivery() -> Delivery:
    db.session.expire_all()
    return db.session.scalars(select(Delivery)).one()


def test_the_worker_listens_to_every_queue(rq_app):
    worker = jobs.make_worker(rq_app)
    assert worker.queue_names() == list(ALL_QUEUES)


def test_the_worker_command_listens_to_every_queue_with_the_scheduler(rq_app, monkeypatch):
    seen = {}

    def fake_work(self, **kwargs):
        seen.update(queues=self.queue_names(), **kwargs)
        self._stop_requested = True  # a real worker returns after a stop request (or gives up, then starts again)

    monkeypatch.setattr(jobs._worker_class(), "work", fake_work, raising=False)
    monkeypatch.setattr("rq.Worker.work", fake_work)
    result = rq_app.test_cli_runner().invoke(args=["academy", "worker"])
    assert result.exit_code == 0, result.output
    assert seen == {"queues": list(ALL_QUEUES), "with_scheduler": True, "burst": False}
    # Starting a worker schedules the periodic sweep and digest check.
    scheduled = ScheduledJobRegistry(queue=jobs.rq_queue(QUEUE_NOTIFICATIONS)).get_job_ids()
    assert sorted(i.rsplit("-", 1)[0] for i in scheduled) == [
        "academy-periodic-notifications-digests",
        "academy-periodic-notifications-sweep",
    ]


def test_jobs_are_enqueued_only_after_the_commit(rq_app):
    ana = create_user()
    record_event(recipients=[ana], commit=False)
    assert _queued() == 0
    db.session.commit()
    assert _queued() == 1


def test_a_rollback_drops_the_job(rq_app):
    ana = create_user()
    record_event(recipients=[ana], commit=False)
    db.session.rollback()
    db.session.commit()
    assert _queued() == 0


def test_a_worker_delivers_to_the_smtp_server_exactly_once(rq_app, smtp_sink):
    ana = create_user(email="ana@example.org")
    record_event(recipients=[ana])
    _burst(rq_app)
    assert [m["To"] for m in smtp_sink.messages] == ["ana@example.org"]
    assert smtp_sink.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _delivery().status == Status.SENT
    jobs.rq_queue(QUEUE_NOTIFICATIONS).enqueue(
        jobs.execute, "academy.notifications.jobs.deliver_batch", [_delivery().id]
    )
    _burst(rq_app)  # the same job again: the claim finds the row sent
    assert len(smtp_sink.messages) == 1


def test_an_smtp_server_that_fails_then_recovers_gets_the_mail_exactly_once(rq_app, smtp_sink):
    smtp_sink.fail_next = 1
    ana = create_user()
    record_event(recipients=[ana])
    _burst(rq_app)  # first attempt gets 451; RQ's retry runs it again
    assert smtp_sink.refused == 1
    assert len(smtp_sink.messages) == 1
    assert (_delivery().status, _delivery().attempts) == (Status.SENT, 2)


def test_a_delivery_committed_while_redis_is_down_is_delivered_after_the_sweep(rq_app, smtp_sink, redis_url):
    rq_app.config["REDIS_URL"] = "redis://127.0.0.1:1/11"  # nothing listens there
    ana = create_user()
    record_event(recipients=[ana])  # commits; the enqueue fails and is logged
    assert _delivery().status == Status.PENDING

    rq_app.config["REDIS_URL"] = redis_url  # Redis is back
    assert _queued() == 0
    _burst(rq_app)
    assert smtp_sink.messages == []
    assert delivery_jobs.sweep(older_than=0).requeued == 1
    _burst(rq_app)
    assert len(smtp_sink.messages) == 1
    delivery_jobs.sweep(older_than=0)
    _burst(rq_app)
    assert len(smtp_sink.messages) == 1


def _start_then_kill_worker(app):
    """A worker takes the job and dies: the job sits in the started registry with nobody running it."""
    worker = jobs.make_worker(app, worker_class=SimpleWorker)
    worker.register_birth()
    job, queue = worker.dequeue_job_and_maintain_ttl(timeout=1)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    return job, queue


def _rq_maintenance(queue) -> None:
    """Let the dead worker's heartbeat lapse, then run RQ's registry cleanup as a live worker would."""
    registry = StartedJobRegistry(queue=queue)
    conn = queue.connection
    conn.zadd(registry.key, dict.fromkeys(conn.zrange(registry.key, 0, -1), 1), xx=True)
    clean_registries(queue)


def test_a_job_whose_worker_died_before_sending_is_retried_and_delivers_once(rq_app, smtp_sink):
    ana = create_user()
    record_event(recipients=[ana])
    _job, queue = _start_then_kill_worker(rq_app)
    _burst(rq_app)
    assert smtp_sink.messages == []  # the job is stuck with the dead worker
    _rq_maintenance(queue)
    _burst(rq_app)
    assert len(smtp_sink.messages) == 1


def test_a_job_whose_worker_died_after_sending_is_retried_but_not_doubled(rq_app, smtp_sink):
    ana = create_user()
    record_event(recipients=[ana])
    job, queue = _start_then_kill_worker(rq_app)
    job.func(*job.args, **job.kwargs)  # the work horse sent the mail, then died before reporting success
    assert len(smtp_sink.messages) == 1
    _rq_maintenance(queue)
    assert _queued() == 1  # RQ retries the abandoned job
    _burst(rq_app)
    assert len(smtp_sink.messages) == 1
    assert _delivery().status == Status.SENT


def test_a_job_whose_worker_died_between_claim_and_send_is_finished_by_the_sweep(rq_app, smtp_sink):
    ana = create_user()
    record_event(recipients=[ana])
    _job, queue = _start_then_kill_worker(rq_app)
    assert delivery_jobs._claim(_delivery().id)  # claimed, then the worker was killed
    _rq_maintenance(queue)
    _burst(rq_app)  # the retry finds the row claimed and leaves it
    assert smtp_sink.messages == []
    result = delivery_jobs.sweep(older_than=0)
    assert (result.released, result.requeued) == (1, 1)
    _burst(rq_app)
    assert len(smtp_sink.messages) == 1
    assert (_delivery().status, _delivery().attempts) == (Status.SENT, 2)


def test_a_periodic_task_is_scheduled_once_per_slot_and_reschedules_itself(rq_app):
    registry = ScheduledJobRegistry(queue=jobs.rq_queue(QUEUE_NOTIFICATIONS))
    first = jobs.schedule_all_periodic()
    again = jobs.schedule_all_periodic()  # a second worker starting: same slots, same jobs
    assert first == again
    assert sorted(registry.get_job_ids()) == sorted(i for i in first if "-notifications-" in i)
    jobs.run_periodic("notifications-sweep")
    assert len(registry.get_job_ids()) == 2  # the next slot was already scheduled


def test_a_failed_job_shows_on_the_admin_page_and_can_be_retried(rq_app, client, login, monkeypatch):
    from academy import mail

    ana = create_user()
    monkeypatch.setattr(mail, "send", lambda msg: (_ for _ in ()).throw(OSError("relay refused")))
    rq_app.config["JOB_RETRY_INTERVALS"] = []
    record_event(recipients=[ana])
    _burst(rq_app)
    login(create_user(admin=True))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "deliver_batch" in page
    assert "DeliveryFailed" in page
    failed = queues.failed_rq_jobs()
    assert len(failed) == 1
    monkeypatch.undo()
    from tests.conftest import csrf_token

    token = csrf_token(client, "/admin/jobs")
    response = client.post(f"/admin/jobs/rq/notifications/{failed[0]['id']}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert _queued() == 1
