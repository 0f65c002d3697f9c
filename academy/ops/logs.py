"""Logs people can use: one line per request with its id, the id on every record, JSON on request.

Every log record gets `request_id` (the request's, from `X-Request-ID` or made up) and `job_id` (the
RQ job's), so an error in a request or a job can be found from the id a user quotes.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(academy_context)s: %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id", "job_id")

request_log = logging.getLogger("academy.requests")


def current_request_id() -> str:
    """The id of the request being served, or an empty string outside one."""
    return (g.get("request_id") or "") if has_request_context() else ""


def current_job_id() -> str:
    """The id of the RQ job being run, or an empty string."""
    rq_job = sys.modules.get("rq.job")
    if rq_job is None:
        return ""
    job = rq_job.get_current_job()
    return job.id if job is not None else ""


def _install_record_factory() -> None:
    """Note the request and job ids on every record as it is made (under names nobody passes in `extra`)."""
    old = logging.getLogRecordFactory()
    if getattr(old, "academy", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = old(*args, **kwargs)
        record.academy_ids = (current_request_id(), current_job_id())
        return record

    factory.academy = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class ContextFilter(logging.Filter):
    """Give a record `request_id`, `job_id` and the text `academy_context` (unless `extra` set them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the fields; never drops a record."""
        request_id, job_id = getattr(record, "academy_ids", ("", ""))
        if not getattr(record, "request_id", None):
            record.request_id = request_id
        if not getattr(record, "job_id", None):
            record.job_id = job_id
        parts = (("request", record.request_id), ("job", record.job_id))
        context = ", ".join(f"{kind} {value}" for kind, value in parts if value)
        record.academy_context = f" [{context}]" if context else ""
        return True


def formatter(log_format: str) -> logging.Formatter:
    """JSON (one object per line) when log_format is "json", else readable text (use with ContextFilter)."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            list(JSON_FIELDS), rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}
        )
    return logging.Formatter(TEXT_FORMAT)


def configure(app: Flask) -> None:
    """Log to stderr at LOG_LEVEL in LOG_FORMAT (text or json), every record with its request and job id."""
    _install_record_factory()
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "academy", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.academy = True  # type: ignore[attr-defined]
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter(str(app.config.get("LOG_FORMAT") or "text").lower()))
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Our line per request replaces the development server's own access line.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _start() -> None:
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = current_request_id()
    if not request_id:
        return response
    response.headers[HEADER] = request_id
    duration_ms = round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1)
    request_log.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "endpoint": request.endpoint or "",
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Give each request an id first thing, and log it with the response last thing."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
