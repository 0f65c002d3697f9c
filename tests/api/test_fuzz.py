"""Schemathesis fuzzes every operation of the OpenAPI document against a live server.

Each operation gets a bounded number of generated requests, valid and invalid, sent over HTTP with
a write-scoped token to a server started on the loopback address. Every response must be no server
error, have a documented status and content type, and match its documented schema.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from academy.courses.models import CourseStatus
from tests.api.factories import bearer, create_course, create_token
from tests.factories import create_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass
class LiveApi:
    """A running server and a token to call it with."""

    base_url: str
    headers: dict[str, str]


@pytest.fixture
def live_api(app) -> Iterator[LiveApi]:
    """Seed a user, a token and a few courses, then serve the app on 127.0.0.1 in a thread."""
    user = create_user(name="Fuzz Tester", organisation="Interreg Fuzz JS")
    _token, raw = create_token(user=user, scopes=("read", "write"))
    trainer = create_user(name="Tomas Trainer", trainer=True)
    create_course(slug="jems-reporting", title="Reporting in Jems", topic="jems", owners=(trainer,))
    create_course(slug="sco", title="Simplified cost options", topic="finance", language="de")
    create_course(slug="draft", status=CourseStatus.DRAFT)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LiveApi(base_url=f"http://127.0.0.1:{server.server_port}", headers=bearer(raw))
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def api_schema(live_api: LiveApi):
    """The OpenAPI document as the live server publishes it."""
    return schemathesis.openapi.from_url(f"{live_api.base_url}/api/v1/openapi.json")


def test_openapi_document_is_valid(api_schema):
    api_schema.validate()  # against the OpenAPI 3.1 meta-schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_document(case, live_api: LiveApi):
    case.call_and_validate(base_url=f"{live_api.base_url}/api/v1", headers=live_api.headers, checks=CHECKS)
