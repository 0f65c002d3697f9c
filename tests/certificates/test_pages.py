"""My certificates, the PDF upload check, and the trainer's list with revoke, re-issue and ZIP."""

import zipfile
from io import BytesIO

import pytest
from sqlalchemy import func, select

from academy.certificates import services, storage
from academy.certificates.models import Certificate, CertificateExport, CertificateStatus, ExportStatus
from tests.certificates.factories import create_certificate, create_course
from tests.conftest import csrf_token
from tests.factories import create_user

# ---------------------------------------------------------------------------- holder


def test_my_certificates_lists_mine_only(client, login, db):
    me = login(create_user(name="Lena Learner"))
    create_certificate(user=me, course=create_course(title="Jems for controllers"))
    create_certificate(course=create_course(title="Someone else's course"))
    html = client.get("/certificates").get_data(as_text=True)
    assert "Jems for controllers" in html
    assert "Someone else&#39;s course" not in html and "Someone else's course" not in html


def test_my_certificates_needs_a_login(client, db):
    response = client.get("/certificates")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_my_certificates_page_queries_do_not_grow(client, login, db, count_queries):
    me = login(create_user())
    create_certificate(user=me)
    with count_queries() as one:
        client.get("/certificates")
    for _ in range(3):
        create_certificate(user=me)
    with count_queries() as four:
        client.get("/certificates")
    assert one.count == four.count


def test_the_holder_downloads_the_stored_pdf_byte_for_byte(client, login, db):
    me = login(create_user())
    certificate = create_certificate(user=me)
    response = client.get(f"/certificates/{certificate.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.get_data() == storage.read(certificate.pdf_path)
    assert "attachment" in response.headers["Content-Disposition"]


def test_others_cannot_download_or_see_my_certificate(client, login, db):
    certificate = create_certificate()
    login(create_user())
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 404
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    assert client.get(f"/certificates/{certificate.id}/verification").status_code == 404


def test_the_share_page_shows_the_verification_link(client, login, db):
    me = login(create_user())
    certificate = create_certificate(user=me)
    code = services.stored_code(certificate)
    html = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert f"http://localhost/verify/{code}" in html
    response = client.get(f"/certificates/{certificate.id}/verification")
    assert response.headers["Location"].endswith(f"/verify/{code}")


def test_the_holder_can_hide_and_show_details(client, login, db):
    me = login(create_user(name="Maja Novak"))
    certificate = create_certificate(user=me)
    code = services.stored_code(certificate)
    token = csrf_token(client, f"/certificates/{certificate.id}")
    response = client.post(f"/certificates/{certificate.id}/visibility", data={"csrf_token": token, "hidden": "1"})
    assert response.status_code == 302
    assert client.get(f"/verify/{code}.json").get_json()["holder"] is None
    assert "status of this certificate only" in client.get(f"/verify/{code}").get_data(as_text=True)
    client.post(f"/certificates/{certificate.id}/visibility", data={"csrf_token": token, "hidden": "0"})
    assert client.get(f"/verify/{code}.json").get_json()["holder"] == {"name": "Maja Novak"}


def test_hiding_needs_a_valid_form_and_the_holder(client, login, db):
    certificate = create_certificate()
    me = login(create_user())
    create_certificate(user=me)
    token = csrf_token(client, "/certificates")
    assert (
        client.post(f"/certificates/{certificate.id}/visibility", data={"csrf_token": token, "hidden": "1"}).status_code
        == 404
    )
    db.session.refresh(certificate)
    assert certificate.details_hidden is False


# ---------------------------------------------------------------------------- upload check


def _upload(client, data: bytes):
    token = csrf_token(client, "/verify/upload")
    return client.post(
        "/verify/upload",
        data={"csrf_token": token, "pdf": (BytesIO(data), "certificate.pdf")},
        content_type="multipart/form-data",
    )


def _stored_files(app) -> set:
    root = storage.root()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_uploading_the_issued_pdf_shows_it_valid_and_keeps_nothing(app, client, db):
    certificate = create_certificate(user=create_user(name="Ærøskøbing Sørensen"))
    before = _stored_files(app)
    response = _upload(client, storage.read(certificate.pdf_path))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This file is an authentic certificate" in html
    assert "Ærøskøbing Sørensen" in html
    assert "Valid" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert _stored_files(app) == before


def test_uploading_a_revoked_certificate_says_revoked(client, db):
    certificate = create_certificate()
    services.revoke(certificate, actor=None, reason="issued_in_error")
    db.session.commit()
    html = _upload(client, storage.read(certificate.pdf_path)).get_data(as_text=True)
    verdict = html.split('role="status">')[1].split("</p>")[0]
    assert verdict.startswith("This certificate has been revoked")  # revoked comes first, not "authentic"
    assert "Issued in error" in verdict
    assert "flash--error" in html and "flash--success" not in html


def test_uploading_a_modified_pdf_is_refused(client, db):
    data = bytearray(storage.read(create_certificate(user=create_user(name="Anna Berg")).pdf_path))
    offset = data.index(b"Anna Berg")
    data[offset] = ord("E")
    html = _upload(client, bytes(data)).get_data(as_text=True)
    assert "has been changed after it was sealed" in html
    assert "Anna Berg" not in html and "Enna Berg" not in html


def test_uploading_nothing_or_too_much_is_a_400(app, client, db):
    token = csrf_token(client, "/verify/upload")
    assert client.post("/verify/upload", data={"csrf_token": token}).status_code == 400
    app.config["CERTIFICATE_UPLOAD_MAX_BYTES"] = 1000
    response = _upload(client, b"%PDF-1.4" + b" " * 2000)
    assert response.status_code == 400
    assert "larger than a certificate can be" in response.get_data(as_text=True)


# ---------------------------------------------------------------------------- trainers


@pytest.fixture
def owned(login, db):
    """A logged-in trainer, their course and one certificate in it."""
    trainer = login(create_user(name="Tomas Trainer", trainer=True))
    course = create_course(title="Interreg branding", owners=[trainer])
    certificate = create_certificate(course=course, user=create_user(name="Ida Holder", email="ida@example.org"))
    return trainer, course, certificate


def test_the_course_trainer_sees_the_issued_certificates(client, owned):
    _, course, _ = owned
    html = client.get(f"/certificates/course/{course.slug}").get_data(as_text=True)
    assert "Ida Holder" in html
    assert "ida@example.org" in html
    assert "Revoke" in html and "Re-issue" in html


@pytest.mark.parametrize("who", ["learner", "other trainer"])
def test_others_may_not_manage_a_courses_certificates(client, login, db, who):
    course = create_course(owners=[create_user(trainer=True)])
    certificate = create_certificate(course=course)
    login(create_user(trainer=who == "other trainer"))
    assert client.get(f"/certificates/course/{course.slug}").status_code == 403
    assert client.get(f"/certificates/{certificate.id}/revoke").status_code == 404  # not even whether it exists
    assert client.get(f"/certificates/{certificate.id}/reissue").status_code == 404
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 404


def test_an_admin_may_manage_any_course(client, admin, db):
    course = create_course()
    certificate = create_certificate(course=course)
    assert client.get(f"/certificates/course/{course.slug}").status_code == 200
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 200
    assert client.get("/certificates/course/no-such-course").status_code == 404


def test_revoking_needs_a_reason_and_saves_nothing_without_one(client, owned, db):
    _, _, certificate = owned
    token = csrf_token(client, f"/certificates/{certificate.id}/revoke")
    response = client.post(f"/certificates/{certificate.id}/revoke", data={"csrf_token": token, "reason": ""})
    assert response.status_code == 400
    assert "Choose a reason." in response.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.VALID


def test_revoking_makes_the_public_page_say_revoked(client, owned, db, events):
    _, course, certificate = owned
    code = services.stored_code(certificate)
    token = csrf_token(client, f"/certificates/{certificate.id}/revoke")
    response = client.post(
        f"/certificates/{certificate.id}/revoke",
        data={"csrf_token": token, "reason": "misconduct", "note": "Quiz answers shared in the group"},
    )
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revocation_note == "Quiz answers shared in the group"
    assert ("revoked", certificate.id) in events
    assert "Revoked" in client.get(f"/verify/{code}").get_data(as_text=True)
    # The private note is for trainers only.
    assert "Quiz answers shared in the group" in client.get(f"/certificates/course/{course.slug}").get_data(
        as_text=True
    )
    # A revoked certificate cannot be revoked or re-issued again.
    again = client.post(f"/certificates/{certificate.id}/revoke", data={"csrf_token": token, "reason": "other"})
    assert "Only a valid certificate can be revoked." in again.get_data(as_text=True)


def test_reissuing_supersedes_the_old_certificate(client, owned, db, events):
    _, _, certificate = owned
    old_code = services.stored_code(certificate)
    form = client.get(f"/certificates/{certificate.id}/reissue").get_data(as_text=True)
    assert 'value="Ida Holder"' in form
    token = csrf_token(client, f"/certificates/{certificate.id}/reissue")
    response = client.post(
        f"/certificates/{certificate.id}/reissue", data={"csrf_token": token, "holder_name": "Ida Holder-Lund"}
    )
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.SUPERSEDED
    replacement = certificate.superseded_by
    assert replacement.holder_name == "Ida Holder-Lund"
    assert replacement.expires_at == certificate.expires_at
    assert replacement.version_id == certificate.version_id
    assert replacement.pdf_sha256 != certificate.pdf_sha256
    assert ("issued", replacement.id) in events
    body = client.get(f"/verify/{old_code}.json").get_json()
    assert body["state"] == "superseded"
    assert body["superseded"]["replacement_url"].endswith(services.stored_code(replacement))


def test_reissue_with_a_blank_name_is_a_400(client, owned, db):
    _, _, certificate = owned
    token = csrf_token(client, f"/certificates/{certificate.id}/reissue")
    response = client.post(f"/certificates/{certificate.id}/reissue", data={"csrf_token": token, "holder_name": " "})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_the_course_list_queries_do_not_grow(client, owned, db, count_queries):
    _, course, _ = owned
    with count_queries() as one:
        client.get(f"/certificates/course/{course.slug}")
    for _ in range(3):
        create_certificate(course=course)
    with count_queries() as four:
        client.get(f"/certificates/course/{course.slug}")
    assert one.count == four.count


def test_the_bulk_zip_is_built_in_the_background(client, owned, db):
    _, course, certificate = owned
    create_certificate(course=course, user=create_user(name="Jon Second"))
    token = csrf_token(client, f"/certificates/course/{course.slug}")
    response = client.post(f"/certificates/course/{course.slug}/export", data={"csrf_token": token})
    assert response.status_code == 302
    export = db.session.scalar(select(CertificateExport))
    db.session.refresh(export)
    assert export.status == ExportStatus.READY
    assert export.count == 2
    download = client.get(f"/certificates/exports/{export.id}")
    assert download.status_code == 200
    with zipfile.ZipFile(BytesIO(download.get_data())) as archive:
        names = archive.namelist()
        assert "index.csv" in names
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 2
        assert storage.read(certificate.pdf_path) in [archive.read(n) for n in pdfs]
        assert "Ida Holder" in archive.read("index.csv").decode()
    assert "Download ZIP (2 files)" in client.get(f"/certificates/course/{course.slug}").get_data(as_text=True)


def test_the_export_job_runs_once(app, owned, db):
    from academy.certificates import jobs

    trainer, course, _ = owned
    export = services.request_export(course, actor=trainer)
    db.session.commit()
    jobs.build_export(export.id)
    first = storage.path_of(db.session.get(CertificateExport, export.id).file_path).stat().st_mtime_ns
    jobs.build_export(export.id)
    assert storage.path_of(db.session.get(CertificateExport, export.id).file_path).stat().st_mtime_ns == first


def test_others_cannot_request_or_fetch_exports(client, login, owned, db):
    trainer, course, _ = owned
    export = services.request_export(course, actor=trainer)
    db.session.commit()
    login(create_user(trainer=True))
    token = csrf_token(client, "/certificates")
    assert client.post(f"/certificates/course/{course.slug}/export", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/certificates/exports/{export.id}").status_code == 404


def test_state_changes_need_post_with_csrf(client, owned, db):
    _, course, certificate = owned
    assert client.get(f"/certificates/course/{course.slug}/export").status_code == 405
    response = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "other"})
    assert response.status_code == 400
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.VALID
