"""`flask academy keys ...` and `flask academy credentials verify`."""

from __future__ import annotations

import json

from academy.certificates import services as certificate_services
from academy.cli import academy_cli
from academy.credentials import keys
from tests.credentials.factories import create_certificate, document_of


def _run(app, *args):
    return app.test_cli_runner().invoke(academy_cli, list(args))


def test_keys_create_list_retire(app, db):
    assert "No keys yet" in _run(app, "keys", "list").output
    created = _run(app, "keys", "create")
    assert created.exit_code == 0, created.output
    _run(app, "keys", "create", "--algorithm", "ES256")
    kid = created.output.split()[1]
    listing = _run(app, "keys", "list").output
    assert f"{kid}  Ed25519  active" in listing
    assert "ES256  active" in listing
    last = _run(app, "keys", "retire", kid)
    assert last.exit_code != 0 and "last active Ed25519 key" in last.output
    _run(app, "keys", "create")
    retired = _run(app, "keys", "retire", kid)
    assert retired.exit_code == 0, retired.output
    assert f"{kid}  Ed25519  retired" in _run(app, "keys", "list").output
    again = _run(app, "keys", "retire", kid)
    assert again.exit_code != 0 and "already retired" in again.output
    assert _run(app, "keys", "retire", "nope").exit_code != 0


def test_credentials_verify_says_valid_revoked_and_invalid(app, db, tmp_path):
    certificate = create_certificate()
    document = document_of(certificate)
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document))
    result = _run(app, "credentials", "verify", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid")
    assert keys.find(document["proof"][0]["verificationMethod"].split("#")[1]).kid in result.output

    document["credentialSubject"]["creditsEarned"] = 60
    path.write_text(json.dumps(document))
    result = _run(app, "credentials", "verify", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("invalid: The signature does not match")

    certificate_services.revoke(certificate, actor=None, reason="misconduct")
    db.session.commit()
    path.write_text(json.dumps(document_of(certificate)))
    result = _run(app, "credentials", "verify", str(path))
    assert result.exit_code == 1 and result.output.startswith("revoked")

    path.write_text("not json")
    assert _run(app, "credentials", "verify", str(path)).output.startswith("invalid: not JSON")


def test_backfill_gives_older_certificates_a_credential(app, db):
    from academy.credentials.models import Credential

    old = create_certificate()
    revoked = create_certificate()
    certificate_services.revoke(revoked, actor=None, reason="misconduct")
    db.session.query(Credential).delete()
    db.session.commit()
    result = _run(app, "credentials", "backfill")
    assert result.exit_code == 0, result.output
    assert "2 credentials issued" in result.output
    from academy.credentials import services

    assert services.verify(document_of(old)).verdict == "valid"
    assert services.verify(document_of(revoked)).verdict == "revoked"
    assert "0 credentials issued" in _run(app, "credentials", "backfill").output
