"""/metrics: the Prometheus series operators graph, for loopback, allowed networks or a bearer token."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from academy import jobs
from academy.extensions import db
from academy.jobs import enqueue_after_commit
from tests.factories import create_user


def noop(user_id: int) -> None:
    """A job that does nothing (queued by the test below)."""


def failing(user_id: int) -> None:
    """A job that raises (queued by the test below)."""
    raise RuntimeError("boom")


def _samples(client, **kwargs) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain"
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_expose_requests_jobs_deliveries_and_certificates(app, client):
    before = _samples(client)
    client.get("/courses")
    client.get("/no-such-page")
    user = create_user()
    enqueue_after_commit(noop, user.id)
    enqueue_after_commit(failing, user.id)
    db.session.commit()
    jobs.run_ready()  # in-process jobs run when the app context ends; this test's has not ended
    after = _samples(client)
    requests = "academy_http_requests_total"
    assert _value(after, requests, endpoint="courses.catalogue", method="GET", status="200") == (
        _value(before, requests, endpoint="courses.catalogue", method="GET", status="200") + 1
    )
    assert _value(after, requests, endpoint="unmatched", method="GET", status="404") == (
        _value(before, requests, endpoint="unmatched", method="GET", status="404") + 1
    )
    assert any(name == "academy_http_request_duration_seconds_bucket" for name, _ in after)
    for series in ("academy_jobs_queued_total", "academy_jobs_started_total"):
        assert _value(after, series, queue="default") == _value(before, series, queue="default") + 2
    assert _value(after, "academy_jobs_failed_total", queue="default") == (
        _value(before, "academy_jobs_failed_total", queue="default") + 1
    )
    for status in ("pending", "failed"):
        assert ("academy_notification_deliveries", (("status", status),)) in after
    assert ("academy_certificates_issued_total", ()) in after
    assert all(name.startswith("academy_") or name.startswith(("python_", "process_")) for name, _ in after)


def test_metrics_are_refused_outside_the_allowed_networks_unless_the_token_is_given(app, client):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    app.config["METRICS_ALLOW_NETWORKS"] = ["203.0.113.0/24"]
    assert client.get("/metrics", environ_base=outside).status_code == 200
    app.config.update(METRICS_ALLOW_NETWORKS=[], METRICS_TOKEN="s3cret-token")
    assert client.get("/metrics", environ_base=outside).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret-token"}
    assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200
    assert client.get("/metrics").status_code == 200  # loopback always


SCRIPT = """
import sys
from academy import create_app
app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": sys.argv[1]})
with app.app_context():
    from academy.extensions import db
    db.create_all()
client = app.test_client()
client.get("/healthz")
if sys.argv[2] == "scrape":
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def test_multiprocess_mode_adds_up_the_requests_of_every_process(tmp_path):
    import os
    import subprocess
    import sys

    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    run = [sys.executable, "-c", SCRIPT, str(tmp_path)]
    for _ in range(2):
        subprocess.run([*run, "count"], env=env, check=True, capture_output=True, timeout=120)
    scraped = subprocess.run([*run, "scrape"], env=env, check=True, capture_output=True, text=True, timeout=120)
    line = next(
        line
        for line in scraped.stdout.splitlines()
        if line.startswith("academy_http_requests_total{") and 'endpoint="ops.healthz"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 3.0  # two earlier processes and the scraping one
