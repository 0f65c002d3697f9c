"""POST /api/v1/credentials/verify: public, problem+json for bad input."""

from __future__ import annotations

import copy
import json

from academy.certificates import services as certificate_services
from tests.credentials.factories import create_certificate, document_of


def _post(client, body, content_type="application/ld+json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/v1/credentials/verify", data=data, content_type=content_type)


def test_verify_valid_changed_revoked(app, db, client, no_network):
    certificate = create_certificate()
    document = document_of(certificate)
    ok = _post(client, document)
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert ok.get_json()["verdict"] == "valid"
    assert ok.get_json()["credential_id"] == document["id"]

    changed = copy.deepcopy(document)
    changed["credentialSubject"]["achievement"]["creditsAvailable"] = 99
    bad = _post(client, changed, "application/json").get_json()
    assert bad["verdict"] == "invalid"
    assert "changed" in bad["reasons"][0]

    certificate_services.revoke(certificate, actor=None, reason="misconduct")
    db.session.commit()
    assert _post(client, document).get_json()["verdict"] == "revoked"
    assert not no_network


def test_bad_input_is_problem_json(app, db, client):
    not_json = _post(client, "{")
    assert not_json.status_code == 400 and not_json.mimetype == "application/problem+json"
    missing = _post(client, {"type": ["VerifiableCredential"]})
    assert missing.status_code == 422 and missing.mimetype == "application/problem+json"
    assert _post(client, "x", "text/plain").status_code == 415


def test_unknown_contexts_and_poison_shapes_are_invalid_not_fetched(app, db, client, no_network):
    document = document_of(create_certificate())
    foreign = copy.deepcopy(document)
    foreign["@context"].append("https://evil.example/context.jsonld")
    result = _post(client, foreign).get_json()
    assert result["verdict"] == "invalid" and "not available offline" in result["reasons"][0]
    poison = copy.deepcopy(document)
    poison["evidence"] = [{"type": ["Evidence"], "x": {"y": i}} for i in range(12)]
    result = _post(client, poison).get_json()
    assert result["verdict"] == "invalid" and "look-alike" in result["reasons"][0]
    assert not no_network


def test_endpoint_is_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/credentials/verify"]["post"]
    assert operation["tags"] == ["Credentials"]


def test_verification_is_rate_limited(tmp_path):
    from academy import create_app
    from academy.extensions import db as _db

    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "RATELIMIT_ENABLED": True,
            "CERTIFICATE_VERIFY_RATE_LIMIT": "2 per minute",
        }
    )
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        body = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
        statuses = [_post(client, body).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        _db.session.remove()
