"""The OpenAPI document covers every operation, and the reference page shows it without scripts."""

from __future__ import annotations

import re
import warnings

import pytest
from marshmallow import Schema, fields

from academy.api import spec as spec_module
from academy.api.core import OPERATIONS, api_route


def test_document_is_openapi_3_1_with_bearer_auth(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["paths"]["/me"]["patch"]["security"] == [{"bearerAuth": ["write"]}]
    assert doc["paths"]["/me"]["get"]["security"] == [{"bearerAuth": ["read"]}]


def test_every_api_route_is_documented(app):
    doc = spec_module.get_spec(app)
    documented = {
        (method.upper(), "/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path))
        for path, item in doc["paths"].items()
        for method in item
    }
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented
    assert len(documented) == len(OPERATIONS)


def test_every_operation_documents_its_errors_as_problems(app):
    doc = spec_module.get_spec(app)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert "429" in op["responses"], (method, path)
            assert "401" in op["responses"], (method, path)
    for response in doc["components"]["responses"].values():
        assert list(response["content"]) == ["application/problem+json"]


def test_building_the_document_raises_no_warnings():
    # apispec warns when two schemas resolve to the same name; that would silently merge them.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec_module.build_spec()


def test_api_route_refuses_unsafe_input_fields():
    class Unsafe(Schema):
        name = fields.String()

    with pytest.raises(TypeError, match=r"Unsafe\.name"):
        api_route("/never-registered", query=Unsafe)


def test_reference_page_shows_every_operation_and_schema(client, app):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    doc = spec_module.get_spec(app)
    for path, item in doc["paths"].items():
        for op in item.values():
            assert f'id="op-{op["operationId"]}"' in html
            assert f"<code>/api/v1{path}</code>" in html
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    for anchor in ("problem-validation-error", "problem-invalid-token", "problem-rate-limited"):
        assert f'id="{anchor}"' in html


def test_reference_page_needs_no_script_and_no_inline_style(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "<script" not in html
    assert "style=" not in html


def test_problem_type_uris_lead_to_the_reference(client):
    problem = client.get("/api/v1/me").json
    page, anchor = problem["type"].split("#")
    assert client.get(page).status_code == 200
    assert f'id="{anchor}"' in client.get(page).get_data(as_text=True)


def test_api_route_takes_one_method_per_operation():
    with pytest.raises(ValueError, match="one method"):
        api_route("/never-registered", methods=["GET", "POST"])


def test_only_the_catalogue_and_verification_are_public_and_every_change_needs_write(app):
    doc = spec_module.get_spec(app)
    public, writes = set(), set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if {} in op["security"]:
                public.add((method, path))
            # Verifying a credential changes nothing: POST only because the credential is the body.
            if method != "get" and path != "/credentials/verify":
                writes.add((method, path, op["security"] == [{"bearerAuth": ["write"]}]))
    assert public == {
        ("get", "/courses"),
        ("get", "/courses/{slug}"),
        ("get", "/programmes"),
        ("get", "/programmes/{slug}"),
        ("get", "/verify/{code}"),
        ("post", "/credentials/verify"),
    }
    assert writes and all(needs_write for _method, _path, needs_write in writes)


def test_file_upload_and_download_are_described_as_multipart_and_binary(app):
    doc = spec_module.get_spec(app)
    files = doc["paths"]["/communities/{slug}/documents/{document_id}/files"]
    body = files["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    upload = doc["components"]["schemas"]["FileUpload"]
    assert upload["properties"]["file"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "description": upload["properties"]["file"]["description"],
    }
    assert upload["required"] == ["file"]
    content = doc["paths"]["/communities/{slug}/documents/{document_id}/files/{document_file_id}"]["get"]["responses"]
    assert {"image/png", "application/pdf"} <= set(content["200"]["content"])
    assert content["200"]["content"]["image/png"]["schema"] == {"type": "string", "contentMediaType": "image/png"}
