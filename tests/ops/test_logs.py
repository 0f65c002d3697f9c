"""One log line per request with its id; the id on the 500 page and in the error's log; JSON on request."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest

from academy.ops import logs
from tests import services as test_services


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "academy.requests"]


def test_each_request_is_logged_once_with_method_path_status_duration_and_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/courses")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = _request_lines(caplog)
    assert line.getMessage().startswith("GET /courses 200 ")
    assert line.getMessage().endswith("ms")
    assert (line.method, line.path, line.status, line.academy_ids[0]) == ("GET", "/courses", 200, request_id)
    assert line.duration_ms >= 0


def test_an_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"}).headers["X-Request-ID"] == "lb-7f3a.42"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'bad id with spaces <and> "quotes"'}).headers[
        "X-Request-ID"
    ]
    assert replaced != 'bad id with spaces <and> "quotes"' and len(replaced) == 32


@pytest.mark.own_app  # it adds a route that fails
def test_the_500_page_shows_the_request_id_that_the_error_log_carries(app, client, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom-test", headers={"X-Request-ID": "quote-me-123"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<code>quote-me-123</code>" in html and "secret detail" not in html
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(r.academy_ids[0] == "quote-me-123" for r in errors)
    problem = client.get("/boom-test", headers={"Accept": "application/json", "X-Request-ID": "api-1"}).get_json()
    assert problem["request_id"] == "api-1"


def test_json_format_writes_one_object_per_line_with_the_request_fields(app, client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.formatter("json"))
    logs.request_log.addHandler(handler)
    try:
        client.get("/courses", headers={"X-Request-ID": "json-1"})
    finally:
        logs.request_log.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == "json-1" and entry["status"] == 200 and entry["path"] == "/courses"
    assert entry["method"] == "GET" and entry["level"] == "INFO" and "duration_ms" in entry


def log_something() -> None:
    """A job that logs (run by the RQ worker in the test below)."""
    logging.getLogger("academy.test-job").warning("delivered")


def test_job_logs_carry_the_job_id(app):
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = test_services.redis_url(default="redis://127.0.0.1:6379/8")
    if url is None:
        test_services.skip_or_fail("Redis is not reachable")
    connection = Redis.from_url(url)
    queue = Queue(f"ops-log-test-{uuid.uuid4().hex}", connection=connection)  # a queue of its own: nothing flushed
    job = queue.enqueue(log_something)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.formatter("text"))
    logging.getLogger("academy.test-job").addHandler(handler)
    try:
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        logging.getLogger("academy.test-job").removeHandler(handler)
        queue.delete(delete_jobs=True)
    assert f"[job {job.id}]: delivered" in stream.getvalue()


def test_records_that_bring_their_own_ids_keep_them(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("rq.worker").error("job failed", extra={"job_id": "rq-1", "request_id": "given"})
    (record,) = [r for r in caplog.records if r.getMessage() == "job failed"]
    logs.ContextFilter().filter(record)
    assert (record.job_id, record.request_id, record.academy_context) == ("rq-1", "given", " [request given, job rq-1]")
