"""Schemathesis fuzzes every operation of the OpenAPI document against a live server.

Each operation gets a bounded number of generated requests, valid and invalid, sent over HTTP with
a write-scoped token to a server started on the loopback address. The seed gives the token's user
one of everything (enrolments, a quiz attempt, a certificate, a community membership with a
thread and a reply, notifications), and the document handed to schemathesis names those rows as path
parameter examples, so the operations on one item are exercised on real data too. Every response
must be no server error, have a documented status and content type, and match its documented schema.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
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

from academy.certificates import services as certificate_services
from academy.community.documents import files as document_files
from academy.community.documents import services as documents
from academy.core.files import Upload
from academy.courses.models import CourseStatus
from academy.extensions import db
from tests.api.factories import bearer, create_course, create_token
from tests.certificates.factories import create_certificate
from tests.community.factories import add_member, create_community, create_reply, create_thread, png_bytes
from tests.factories import create_user
from tests.notifications.factories import notifications_of
from tests.programmes.factories import create_programme, create_registration, create_session
from tests.programmes.factories import enrol as programme_enrol
from tests.quizzes.factories import create_course as create_quiz_course
from tests.quizzes.factories import create_question, create_quiz, take_attempt
from tests.quizzes.factories import enrol as course_enrol

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
    """A running server, a token to call it with, and real values for path parameters."""

    base_url: str
    headers: dict[str, str]
    examples: dict[str, str | int]


def _seed() -> tuple[str, dict[str, str | int]]:
    """A user with a write token and one of everything the API shows: courses, an enrolment with
    progress, a quiz attempt, a certificate, a community with a thread and a reply, notifications,
    programmes they are enrolled in with a session they hold a seat at, and one to enrol in."""
    user = create_user(name="Fuzz Tester", organisation="Interreg Fuzz JS")
    _token, raw = create_token(user=user, scopes=("read", "write"))
    trainer = create_user(name="Tomas Trainer", trainer=True)
    jems = create_course(slug="jems-reporting", title="Reporting in Jems", topic="jems", owners=(trainer,))
    course_enrol(user, jems)  # its lessons are completed through the API
    create_course(slug="sco", title="Simplified cost options", topic="finance", language="de")
    create_course(slug="draft", status=CourseStatus.DRAFT)
    quiz_course = create_quiz_course(slug="hit-quiz", title="HIT in practice")
    course_enrol(user, quiz_course)
    quiz = create_quiz(quiz_course, questions=[create_question(quiz_course)])
    attempt = take_attempt(quiz, user, {1: 0})
    certificate = create_certificate(user=user)
    community = create_community(name="Finance", slug="finance")
    add_member(community=community, user=user)
    thread = create_thread(community=community, author=user, title="Flat rates for staff costs")
    reply = create_reply(thread=thread, body="We use 20 % in our programme.")  # notifies the asker
    notification = notifications_of(user)[0]
    basics = create_course(slug="pm-basics", title="Programme management basics", owners=(trainer,))
    track = create_programme(title="Programme management track", owner=trainer, courses=[basics])
    programme_enrol(user, track)  # the example programme, which the fuzzer may also leave
    open_track = create_programme(title="Communication track", owner=trainer, courses=[create_course()])
    # The session is in a programme of its own, so leaving the example programme keeps it open to me;
    # registered already, so cancelling works whichever of PUT and DELETE comes first.
    icon = create_programme(title="ICON communication network", owner=trainer, courses=[create_course()])
    session = create_session(programme=icon, title="Kick-off workshop in Vienna", capacity=5)
    create_registration(session=session, user=user)
    # A document with an image, so the document and file operations reach real rows too.
    document = documents.create_document(community=community, author=user, title="Staff costs", body="Flat rate.\n")
    image = document_files.add_file(
        document=document, uploader=user, upload=Upload(filename="rate.png", data=png_bytes()), alt="Rate table"
    )
    db.session.commit()
    examples: dict[str, str | int] = {
        "slug": "hit-quiz",
        "attempt_id": attempt.id,
        "certificate_id": certificate.id,
        "code": certificate_services.stored_code(certificate),
        "thread_id": thread.id,
        "notification_id": notification.id,
        "community": community.slug,
        "lesson_course": jems.slug,
        "key": "m1-l1",
        "post": reply.id,
        "programme": track.slug,
        "open_programme": open_track.slug,
        "session_id": session.id,
        "document_id": document.id,
        "document_file_id": image.id,
    }
    return raw, examples


@pytest.fixture
def live_api(app) -> Iterator[LiveApi]:
    """Seed the data, then serve the app on 127.0.0.1 in a thread."""
    raw, examples = _seed()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LiveApi(base_url=f"http://127.0.0.1:{server.server_port}", headers=bearer(raw), examples=examples)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


# Valid bodies for the operations that create something, sent by the examples phase.
BODY_EXAMPLES = {
    ("post", "/enrolments"): {"course": "sco"},
    ("post", "/programme-enrolments"): {"programme": "open_programme"},  # the seeded programme not yet joined
    ("post", "/communities/{slug}/threads"): {"title": "Who checks unit costs?", "body": "Our **FLC** asks."},
    ("post", "/communities/{slug}/threads/{thread_id}/posts"): {"body": "The controller does, see @[Fuzz Tester]."},
    ("post", "/communities/{slug}/threads/{thread_id}/accepted-answer"): {"post": "post"},  # the seeded reply
    ("put", "/communities/{slug}/watch"): {"level": "watching"},
    ("put", "/communities/{slug}/threads/{thread_id}/watch"): {"level": "watching"},
    ("put", "/me/notification-preferences"): {
        "general": [{"event": "answer.posted", "email": "daily"}],
        "communities": [{"community": "finance", "preferences": [{"event": "thread.created", "email": "off"}]}],
    },
}


def _with_examples(document: dict, examples: dict[str, str | int]) -> dict:
    """The document with seeded values as examples, so the examples phase reaches real rows."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) in BODY_EXAMPLES:
                # A string value naming a seeded row ("post") stands for that row's id.
                body = {
                    k: examples.get(v, v) if isinstance(v, str) else v for k, v in BODY_EXAMPLES[(method, path)].items()
                }
                operation["requestBody"]["content"]["application/json"]["example"] = body
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path":
                    continue
                name = parameter["name"]
                if name == "slug" and path.startswith("/communities/"):
                    name = "community"
                elif name == "slug" and "/lessons/" in path:
                    name = "lesson_course"
                elif name == "slug" and path.startswith("/programme"):
                    name = "programme"
                if name in examples:
                    parameter["example"] = examples[name]
    return document


@pytest.fixture
def api_schema(live_api: LiveApi):
    """The OpenAPI document as the live server publishes it, with the token and seeded examples.

    The token goes into the configuration rather than into each call, so schemathesis knows the
    requests are authenticated and still sends some without it to check the 401s.
    """
    document = requests.get(f"{live_api.base_url}/api/v1/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(_with_examples(document, live_api.examples))
    schema.config.update(base_url=f"{live_api.base_url}/api/v1", headers=live_api.headers)
    return schema


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
    case.call_and_validate(base_url=f"{live_api.base_url}/api/v1", checks=CHECKS)
