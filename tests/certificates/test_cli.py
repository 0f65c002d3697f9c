"""`flask academy certificates verify | issue | revoke`."""

from sqlalchemy import select

from academy.certificates import services, storage
from academy.certificates.models import Certificate, CertificateStatus
from academy.cli import academy_cli
from tests.certificates.factories import create_certificate, create_course, create_enrolment
from tests.factories import create_user


def _run(app, *args):
    return app.test_cli_runner().invoke(academy_cli, ["certificates", *args])


def test_verify_accepts_the_issued_file(app, db, tmp_path):
    certificate = create_certificate(user=create_user(name="Łukasz Żółć"))
    path = tmp_path / "c.pdf"
    path.write_bytes(storage.read(certificate.pdf_path))
    result = _run(app, "verify", str(path))
    assert result.exit_code == 0, result.output
    assert "seal: valid" in result.output
    assert "verdict: authentic" in result.output
    assert "state: valid" in result.output
    assert "Łukasz Żółć" in result.output


def test_verify_rejects_a_changed_file(app, db, tmp_path):
    data = storage.read(create_certificate().pdf_path)
    path = tmp_path / "c.pdf"
    path.write_bytes(data + b"\n%% appended\n")
    result = _run(app, "verify", str(path))
    assert result.exit_code == 1
    assert "verdict: modified" in result.output


def test_issue_respects_the_rule_unless_forced(app, db):
    learner = create_user(email="ida@example.org")
    course = create_course(slug="jems-basics", lessons=2)
    create_enrolment(user=learner, course=course, done=["lesson-1"])
    refused = _run(app, "issue", "--email", "IDA@example.org", "--course", "jems-basics")
    assert refused.exit_code != 0
    assert "not completed" in refused.output
    forced = _run(app, "issue", "--email", "ida@example.org", "--course", "jems-basics", "--force")
    assert forced.exit_code == 0, forced.output
    certificate = db.session.scalar(select(Certificate))
    assert f"http://localhost/verify/{services.stored_code(certificate)}" in forced.output
    again = _run(app, "issue", "--email", "ida@example.org", "--course", "jems-basics", "--force")
    assert again.exit_code == 0
    assert len(db.session.scalars(select(Certificate)).all()) == 1


def test_issue_needs_an_enrolment(app, db):
    create_course(slug="jems-basics")
    result = _run(app, "issue", "--email", "nobody@example.org", "--course", "jems-basics")
    assert result.exit_code != 0
    assert "not enrolled" in result.output


def test_revoke_by_code(app, db):
    certificate = create_certificate()
    code = services.stored_code(certificate)
    result = _run(app, "revoke", code.lower(), "--reason", "holder_request", "--note", "asked by e-mail")
    assert result.exit_code == 0, result.output
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_by is None
    assert certificate.revocation_note == "asked by e-mail"
    assert _run(app, "revoke", code, "--reason", "other").exit_code != 0
    assert _run(app, "revoke", "0000-0000-0000-0000-0000", "--reason", "other").exit_code != 0
