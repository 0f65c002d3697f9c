"""Every error under /api/v1 is problem+json, and no input makes the server fail."""

from __future__ import annotations

import json

import pytest

from tests.api.factories import bearer, create_token
from tests.factories import create_user

PROBLEM = "application/problem+json"


@pytest.fixture
def writer(db):
    user = create_user(name="Writer")
    _token, raw = create_token(user=user, scopes=("write",))
    return user, bearer(raw)


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json if response.is_json else json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    return body


def test_unknown_path_is_a_problem(client):
    _assert_problem(client.get("/api/v1/no-such-thing"), 404)


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/me")
    _assert_problem(response, 405)
    assert "PATCH" in response.headers["Allow"]


def test_malformed_json_is_400(client, writer):
    _user, headers = writer
    response = client.patch("/api/v1/me", data="{not json", content_type="application/json", headers=headers)
    body = _assert_problem(response, 400)
    assert body["type"] == "/api/docs#problem-malformed-request"


def test_empty_body_is_400(client, writer):
    _user, headers = writer
    _assert_problem(client.patch("/api/v1/me", data="", content_type="application/json", headers=headers), 400)


def test_form_body_is_415(client, writer):
    _user, headers = writer
    response = client.patch("/api/v1/me", data={"name": "X"}, headers=headers)
    assert _assert_problem(response, 415)["type"] == "/api/docs#problem-unsupported-media-type"


def test_json_suffix_media_types_are_accepted(client, writer):
    _user, headers = writer
    response = client.patch(
        "/api/v1/me", data='{"country": "AT"}', content_type="application/merge-patch+json", headers=headers
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": 12}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Nul\u0000name"}, "name"),
        ({"name": "Lone \ud800 surrogate"}, "name"),
        ({"name": ["list"]}, "name"),
        ({"organisation": {"a": 1}}, "organisation"),
        ({"country": 10**400}, "country"),
        ({"nickname": "x"}, "nickname"),
    ],
)
def test_invalid_values_are_422_naming_the_field(client, writer, db, payload, field):
    user, headers = writer
    response = client.patch("/api/v1/me", data=json.dumps(payload), content_type="application/json", headers=headers)
    body = _assert_problem(response, 422)
    assert body["type"] == "/api/docs#problem-validation-error"
    assert field in [e["field"] for e in body["errors"]]
    assert all(e["location"] == "body" for e in body["errors"])
    db.session.refresh(user)
    assert user.name == "Writer"


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "42", "null", "true", "[" * 100000 + "]" * 100000])
def test_json_that_is_not_an_object(client, writer, payload):
    _user, headers = writer
    response = client.patch("/api/v1/me", data=payload, content_type="application/json", headers=headers)
    assert response.status_code in (400, 422)
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize("number", ["1" * 5000, "1e999", "-1e999", "NaN", "Infinity"])
def test_huge_and_odd_numbers(client, writer, number):
    _user, headers = writer
    response = client.patch(
        "/api/v1/me", data='{"name": ' + number + "}", content_type="application/json", headers=headers
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == PROBLEM


def test_invalid_utf8_body(client, writer):
    _user, headers = writer
    body = b'{"name": "\xff\xfe"}'
    response = client.patch("/api/v1/me", data=body, content_type="application/json", headers=headers)
    _assert_problem(response, 400)


def test_too_large_body_is_413(app, client, writer):
    _user, headers = writer
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.patch(
        "/api/v1/me", data=json.dumps({"name": "x" * 5000}), content_type="application/json", headers=headers
    )
    _assert_problem(response, 413)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("limit=99999999999999999999999999", "limit"),
        ("offset=-1", "offset"),
        ("offset=1e3", "offset"),
        ("level=expert", "level"),
        ("q=%00", "q"),
        ("topic=" + "x" * 81, "topic"),
    ],
)
def test_bad_query_parameters_are_422_naming_them(client, query, field):
    body = _assert_problem(client.get("/api/v1/courses?" + query), 422)
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", field)]


@pytest.mark.parametrize("path", ["/api/v1/courses/%00", "/api/v1/courses/%ED%A0%80", "/api/v1/courses/" + "é" * 300])
def test_odd_path_values_are_404(client, path):
    _assert_problem(client.get(path), 404)


def test_unknown_query_parameters_are_ignored(client):
    assert client.get("/api/v1/courses?utm_source=x&_=123").status_code == 200


def test_problem_names_the_request_path(client):
    assert client.get("/api/v1/courses?limit=0").json["instance"] == "/api/v1/courses"


def test_service_errors_become_problems(app, client, writer, monkeypatch):
    from academy.auth import services as auth_services
    from academy.exceptions import Conflict, ServiceError

    _user, headers = writer

    def refuse(*args, **kwargs):
        raise ServiceError("Not like that.", field="name")

    monkeypatch.setattr(auth_services, "update_profile", refuse)
    body = _assert_problem(client.patch("/api/v1/me", json={"name": "X"}, headers=headers), 422)
    assert body["errors"] == [{"location": "body", "field": "name", "message": "Not like that."}]

    def clash(*args, **kwargs):
        raise Conflict("Already done.")

    monkeypatch.setattr(auth_services, "update_profile", clash)
    body = _assert_problem(client.patch("/api/v1/me", json={"name": "X"}, headers=headers), 409)
    assert body["detail"] == "Already done."


def test_unexpected_errors_are_500_problems_without_details(app, client, writer, monkeypatch):
    from academy.auth import services as auth_services

    _user, headers = writer
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crash(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(auth_services, "update_profile", crash)
    response = client.patch("/api/v1/me", json={"name": "X"}, headers=headers)
    body = _assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["type"] == "about:blank"
