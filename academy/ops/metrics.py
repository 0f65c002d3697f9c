"""`/metrics` in Prometheus text format (prometheus_client), every name prefixed `academy_`.

Counters and histograms live in the process that counts; with PROMETHEUS_MULTIPROC_DIR set (gunicorn
workers and RQ work horses on one machine) they are summed across processes. What the database and
Redis hold (deliveries waiting, certificates issued, jobs waiting) is read at scrape time.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select

from academy import jobs, outbox
from academy.certificates.models import Certificate
from academy.extensions import db, limiter
from academy.notifications.models import Delivery

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "academy_http_requests", "HTTP requests answered, by endpoint, method and status.", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "academy_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint.", ["endpoint", "method"]
)
DEFAULT_NETWORKS = ("127.0.0.0/8", "::1/128")


class StateCollector:
    """What the database and Redis say now: deliveries by status, certificates issued, jobs waiting."""

    def collect(self) -> Iterator[Metric]:
        """Yield one family per kind of state (read in the scraping request's app context)."""
        deliveries = GaugeMetricFamily(
            "academy_notification_deliveries", "Notification deliveries in the outbox, by status.", labels=["status"]
        )
        counts = dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        for status in ("pending", "sending", "sent", "failed", "skipped"):
            deliveries.add_metric([status], counts.pop(status, 0))
        for status, count in counts.items():
            deliveries.add_metric([str(status)], count)
        yield deliveries
        issued = CounterMetricFamily("academy_certificates_issued", "Certificates issued (any status since).")
        issued.add_metric([], db.session.scalar(select(func.count()).select_from(Certificate)) or 0)
        yield issued

        outbox_waiting = GaugeMetricFamily(
            "academy_jobs_outbox_waiting", "Jobs committed and not yet done (waiting for Redis or a worker)."
        )
        outbox_waiting.add_metric([], outbox.pending_count())
        yield outbox_waiting
        yield from self._queues()

    def _queues(self) -> Iterator[Metric]:
        if not current_app.config.get("REDIS_URL"):
            return

        waiting = GaugeMetricFamily("academy_jobs_waiting", "Jobs waiting in each RQ queue.", labels=["queue"])
        try:
            for name in jobs.ALL_QUEUES:
                waiting.add_metric([name], jobs.rq_queue(name).count)
        except Exception:  # Redis away: /readyz says so; the other series still answer
            log.warning("metrics: Redis did not answer", exc_info=True)
            return
        yield waiting


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), str(token).encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    networks = current_app.config.get("METRICS_ALLOW_NETWORKS") or DEFAULT_NETWORKS
    return any(address in ipaddress.ip_network(str(n).strip(), strict=False) for n in networks if str(n).strip())


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus text exposition, for loopback, the allowed networks or a bearer token."""
    if not _allowed():
        abort(404 if not current_app.config.get("METRICS_TOKEN") else 401)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    state = CollectorRegistry()
    state.register(StateCollector())
    return Response(generate_latest(counted) + generate_latest(state), mimetype=CONTENT_TYPE_LATEST)


def _observe(response: Response) -> Response:
    endpoint = request.endpoint or "unmatched"
    if endpoint != "metrics.metrics":
        started = g.get("request_started")
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        if started is not None:
            LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Mount /metrics and count every request."""
    limiter.exempt(bp)
    app.register_blueprint(bp)
    app.after_request(_observe)
