"""Backup -> wipe -> restore, then a certificate verifies, a community file downloads and a person logs in."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade

from academy.certificates import services as certificate_services
from academy.cli import academy_cli
from academy.community.services import files
from academy.extensions import db
from tests import services as test_services
from tests.certificates.factories import create_certificate
from tests.community.factories import add_member, create_community, create_thread, pdf_bytes
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, create_user


@pytest.fixture(params=["sqlite", "postgresql"])
def instance(request, make_app: Callable[..., Flask]) -> Iterator[Callable[[], Flask]]:
    """A factory of apps on the same database and instance folder (a fresh app after each step)."""
    overrides: dict = {}
    if request.param == "postgresql":
        base = test_services.postgres_base_url() or os.environ.get("ACADEMY_TEST_DATABASE_URL", "")
        if not base.startswith("postgres"):
            test_services.skip_or_fail("PostgreSQL is not configured (ACADEMY_TEST_DATABASE_URL)")
        try:
            overrides["SQLALCHEMY_DATABASE_URI"] = test_services.create_postgres_database(base, "backup")
        except Exception as exc:  # the server is not there
            test_services.skip_or_fail(f"PostgreSQL unreachable: {exc}")
    first = make_app(**overrides)
    overrides.update(SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"], INSTANCE_PATH=first.instance_path)
    overrides["MAIL_DIR"] = first.config["MAIL_DIR"]
    yield lambda: make_app(**overrides)
    if request.param == "postgresql":
        test_services.drop_postgres_database(overrides["SQLALCHEMY_DATABASE_URI"])


def _cli(app: Flask, *args: str, ok: bool = True) -> str:
    result = app.test_cli_runner().invoke(academy_cli, list(args))
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def _populate(app: Flask) -> dict:
    with app.app_context():
        upgrade()
        certificate = create_certificate(name="Marta Kovač")
        member = create_user(email="member@example.eu")
        community = create_community(name="Finance")
        add_member(community=community, user=member)
        thread = create_thread(
            community=community,
            author=member,
            uploads=[files.Upload("Audit minutes.pdf", pdf_bytes("minutes of the audit"))],
        )
        attachment = thread.posts[0].attachments[0]
        return {
            "code": certificate_services.stored_code(certificate),
            "certificate_id": certificate.id,
            "download": f"/c/{community.slug}/files/{attachment.id}/download",
            "member_id": member.id,
        }


def test_backup_wipe_restore_then_verify_download_and_log_in(instance, tmp_path):
    facts = _populate(instance())
    assert facts["code"]
    target = tmp_path / "backup"
    output = _cli(instance(), "backup", str(target), "--include-keys")
    assert "manifest:" in output
    manifest = json.loads((target / "manifest.json").read_text())
    assert any(name.startswith("files/certificates/") for name in manifest["files"])
    assert any(name.startswith("files/uploads/") for name in manifest["files"])
    assert any(name.startswith("files/signing/") for name in manifest["files"])  # asked for with --include-keys
    assert _cli(instance(), "restore", str(target), ok=False).count("restore needs an empty instance") == 1

    _cli(instance(), "wipe", "--yes", "--include-keys")
    app = instance()
    assert app.test_client().get(f"/verify/{facts['code']}").status_code != 200
    output = _cli(instance(), "restore", str(target))
    assert "database: restored" in output

    app = instance()
    client = app.test_client()
    verified = client.get(f"/verify/{facts['code']}.json")
    assert verified.status_code == 200 and verified.get_json()["state"] == "valid"
    token = csrf_token(client, "/login")
    login = client.post(
        "/login", data={"email": "member@example.eu", "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert login.status_code == 302, login.get_data(as_text=True)
    download = client.get(facts["download"])
    assert download.status_code == 200 and download.data == pdf_bytes("minutes of the audit")
    with app.app_context():
        from academy.certificates.models import Certificate

        certificate = db.session.get(Certificate, facts["certificate_id"])
        assert certificate_services.stored_code(certificate) == facts["code"]  # the sealed PDF is back


def test_restore_refuses_a_backup_whose_files_changed(make_app, tmp_path):
    app = make_app()
    with app.app_context():
        upgrade()
        create_certificate()
    target = tmp_path / "backup"
    _cli(app, "backup", str(target))
    manifest = json.loads((target / "manifest.json").read_text())
    assert not any(name.startswith(("files/signing", "files/secret_key")) for name in manifest["files"])
    pdf = next(target.glob("files/certificates/**/*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"tampered")
    empty = make_app()
    output = _cli(empty, "restore", str(target), ok=False)
    assert "the backup is damaged" in output and "does not match its checksum" in output
    assert _cli(app, "backup", str(target), ok=False).count("is not empty") == 1
