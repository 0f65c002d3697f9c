"""Shared files: allowed types by content, size limit, safe storage and download, versions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from academy.community.models import Attachment, AttachmentVersion, Post, PostRevision, Thread
from academy.community.services import files
from academy.exceptions import NotFound, ServiceError
from tests.community.factories import add_member, contact_of, create_community, create_thread, pdf_bytes, png_bytes
from tests.conftest import csrf_token


def office_bytes(*parts: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<doc/>")
    return buf.getvalue()


def odf_bytes(mimetype: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<doc/>")
    return buf.getvalue()


@pytest.fixture
def space(app):
    community = create_community(name="Controllers and audit")
    return community, add_member(community=community).user


ALLOWED = [
    ("report.pdf", pdf_bytes(), "pdf"),
    ("logo.png", png_bytes(), "png"),
    ("photo.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg"),
    ("budget.xlsx", office_bytes("xl/workbook.xml"), "xlsx"),
    ("letter.docx", office_bytes("word/document.xml"), "docx"),
    ("slides.pptx", office_bytes("ppt/presentation.xml"), "pptx"),
    ("notes.odt", odf_bytes("application/vnd.oasis.opendocument.text"), "odt"),
    ("sheet.ods", odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
    ("deck.odp", odf_bytes("application/vnd.oasis.opendocument.presentation"), "odp"),
    ("costs.csv", b"programme;amount\nInterreg Danube;1000\n", "csv"),
    ("readme.txt", "Plain notes, with ümlauts.".encode(), "txt"),
]


# Ids by file name: zip archives embed the time, so their bytes differ between xdist workers.
@pytest.mark.parametrize(("name", "data", "ext"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_allowed_types_pass(app, name, data, ext):
    assert files.check_upload(files.Upload(name, data))[1] == ext


REFUSED = [
    ("fake.pdf", b"MZ\x90\x00 this is an exe"),
    ("script.txt", b"<script>alert(1)</script>"),
    ("page.txt", b"<!DOCTYPE html><html></html>"),
    ("image.png", pdf_bytes()),
    ("doc.docx", odf_bytes("application/vnd.oasis.opendocument.text")),
    ("macro.docx", office_bytes("word/document.xml", "word/vbaProject.bin")),
    ("tool.exe", b"MZ\x90\x00"),
    ("vector.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ("noextension", pdf_bytes()),
    ("binary.csv", b"a,b\x00c"),
    ("empty.pdf", b""),
]


@pytest.mark.parametrize(("name", "data"), REFUSED, ids=[case[0] for case in REFUSED])
def test_disallowed_or_disguised_files_are_refused(app, name, data):
    with pytest.raises(ServiceError):
        files.check_upload(files.Upload(name, data))


def test_size_limit_is_configurable(app):
    app.config["COMMUNITY_UPLOAD_MAX_BYTES"] = 100
    with pytest.raises(ServiceError, match="larger than"):
        files.check_upload(files.Upload("big.txt", b"x" * 101))
    assert files.check_upload(files.Upload("ok.txt", b"x" * 100))[1] == "txt"


def test_default_limit_is_20_mb(app):
    assert files.max_upload_bytes() == 20 * 1024 * 1024


def test_safe_filename_strips_folders_and_control_characters():
    assert files.safe_filename("../../etc/passwd") == "passwd"
    assert files.safe_filename("C:\\Users\\x\\..\\report.pdf") == "report.pdf"
    assert files.safe_filename("bad\r\nname\x00.pdf") == "badname.pdf"
    assert files.safe_filename(".hidden.pdf") == "hidden.pdf"
    assert files.safe_filename("Prüfbericht 2024.pdf") == "Prüfbericht 2024.pdf"


def test_blob_paths_accept_only_digests(app):
    for bad in ("../../secret", "a" * 63, "A" * 64, "../" + "a" * 61):
        with pytest.raises(NotFound):
            files.blob_path(bad)
    path = files.blob_path("ab" * 32)
    assert path.parent.parent.parent == Path(app.instance_path) / "uploads"


def test_upload_with_a_question_and_download_it(client, login, db, app, space):
    community, member = space
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/new")
    data = {
        "kind": "question",
        "title": "Audit sample",
        "body": "See the attached minutes.",
        "csrf_token": token,
        "attachments": [(io.BytesIO(pdf_bytes("minutes")), "Audit minutes 2024.pdf")],
    }
    response = client.post(f"/c/{community.slug}/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.query(Attachment).one()
    stored = Path(app.instance_path) / "uploads" / attachment.sha256[:2] / attachment.sha256[2:4] / attachment.sha256
    assert stored.read_bytes() == pdf_bytes("minutes")
    thread_html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Audit minutes 2024.pdf" in thread_html
    download = client.get(f"/c/{community.slug}/files/{attachment.id}/download")
    assert download.status_code == 200 and download.data == pdf_bytes("minutes")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Audit minutes 2024.pdf" in disposition
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_disguised_upload_is_400_and_nothing_is_saved(client, login, db, app, space):
    community, member = space
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/new")
    data = {
        "kind": "question",
        "title": "With a bad file",
        "body": "text",
        "csrf_token": token,
        "attachments": [(io.BytesIO(b"<html><script>alert(1)</script>"), "invoice.pdf")],
    }
    response = client.post(f"/c/{community.slug}/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "does not look like a .pdf file" in response.get_data(as_text=True)
    assert db.session.query(Thread).count() == 0 and db.session.query(Attachment).count() == 0
    assert not (Path(app.instance_path) / "uploads").exists()


def test_upload_over_the_limit_is_refused(client, login, db, app, space):
    app.config["COMMUNITY_UPLOAD_MAX_BYTES"] = 1024
    community, member = space
    thread = create_thread(community=community, author=member)
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    data = {"body": "big file", "csrf_token": token, "attachments": [(io.BytesIO(b"x" * 2048), "big.txt")]}
    response = client.post(f"/c/{community.slug}/t/{thread.id}/reply", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)
    assert db.session.query(Post).count() == 1


def test_uploads_larger_than_the_app_request_limit_are_accepted(client, login, db, app, space):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    community, member = space
    thread = create_thread(community=community, author=member)
    login(member)
    token = csrf_token(client, f"/c/{community.slug}/t/{thread.id}")
    data = {"body": "ok", "csrf_token": token, "attachments": [(io.BytesIO(b"y" * 4096), "notes.txt")]}
    response = client.post(f"/c/{community.slug}/t/{thread.id}/reply", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.query(Attachment).count() == 1


def test_new_version_keeps_history(client, login, db, space):
    community, member = space
    thread = create_thread(community=community, author=member, uploads=[files.Upload("plan.pdf", pdf_bytes("v1"))])
    attachment = thread.posts[0].attachments[0]
    login(member)
    url = f"/c/{community.slug}/files/{attachment.id}"
    token = csrf_token(client, url)
    response = client.post(
        f"{url}/versions",
        data={"csrf_token": token, "attachment": (io.BytesIO(pdf_bytes("v2")), "plan-v2.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(AttachmentVersion).count() == 2
    assert client.get(f"{url}/download").data == pdf_bytes("v2")
    assert client.get(f"{url}/v/1").data == pdf_bytes("v1")
    assert client.get(f"{url}/v/3").status_code == 404
    html = client.get(url).get_data(as_text=True)
    assert "plan.pdf" in html and "plan-v2.pdf" in html
    files_html = client.get(f"/c/{community.slug}/files").get_data(as_text=True)
    assert "plan-v2.pdf" in files_html


def test_only_uploader_or_contact_adds_versions(db, space):
    community, member = space
    thread = create_thread(community=community, author=member, uploads=[files.Upload("plan.pdf", pdf_bytes())])
    attachment = thread.posts[0].attachments[0]
    other = add_member(community=community).user
    with pytest.raises(Exception, match="Only the person who shared"):
        files.add_version(attachment=attachment, uploader=other, upload=files.Upload("x.pdf", pdf_bytes("x")))
    files.add_version(
        attachment=attachment, uploader=contact_of(community), upload=files.Upload("y.pdf", pdf_bytes("y"))
    )
    assert attachment.version == 2


def test_same_content_is_stored_once(db, app, space):
    community, member = space
    create_thread(community=community, author=member, uploads=[files.Upload("a.pdf", pdf_bytes("same"))])
    create_thread(community=community, author=member, uploads=[files.Upload("b.pdf", pdf_bytes("same"))])
    stored = list((Path(app.instance_path) / "uploads").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 1


def test_files_of_deleted_posts_are_gone(client, login, db, space):
    community, member = space
    thread = create_thread(community=community, author=member, uploads=[files.Upload("gone.pdf", pdf_bytes())])
    attachment = thread.posts[0].attachments[0]
    from academy.community.services import threads

    threads.delete_post(post=thread.posts[0], actor=member)
    db.session.commit()
    login(member)
    assert client.get(f"/c/{community.slug}/files/{attachment.id}/download").status_code == 404
    assert "gone.pdf" not in client.get(f"/c/{community.slug}/files").get_data(as_text=True)


def test_a_file_of_another_community_is_404(client, login, space):
    community, member = space
    other = create_community()
    thread = create_thread(community=other, uploads=[files.Upload("other.pdf", pdf_bytes())])
    login(member)
    attachment_id = thread.posts[0].attachments[0].id
    assert client.get(f"/c/{community.slug}/files/{attachment_id}/download").status_code == 404


def test_files_can_be_added_while_editing_a_post(client, login, db, app, space):
    community, member = space
    thread = create_thread(community=community, author=member, body="See the minutes.")
    post = thread.posts[0]
    url = f"/c/{community.slug}/p/{post.id}/edit"
    login(member)
    data = {
        "title": thread.title,
        "body": "See the minutes, now attached.",
        "csrf_token": csrf_token(client, url),
        "attachments": [(io.BytesIO(pdf_bytes("minutes")), "Minutes.pdf")],
    }
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert [a.filename for a in post.attachments] == ["Minutes.pdf"]
    assert post.body == "See the minutes, now attached."
    assert "Minutes.pdf" in client.get(url).get_data(as_text=True)  # listed as already attached

    # Only a file, the same text: the file is still added, and no empty revision is kept.
    data = {
        "title": thread.title,
        "body": post.body,
        "csrf_token": csrf_token(client, url),
        "attachments": [(io.BytesIO(b"Agenda\n"), "agenda.txt")],
    }
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert sorted(a.filename for a in db.session.get(Post, post.id).attachments) == ["Minutes.pdf", "agenda.txt"]
    assert db.session.query(PostRevision).count() == 1


def test_editing_cannot_go_past_five_files_and_keeps_the_typed_text(client, login, db, app, space):
    community, member = space
    thread = create_thread(community=community, author=member, body="Five files already.")
    post = thread.posts[0]
    url = f"/c/{community.slug}/p/{post.id}/edit"
    login(member)
    data = {
        "title": thread.title,
        "body": "Five files already.",
        "csrf_token": csrf_token(client, url),
        "attachments": [(io.BytesIO(f"note {n}\n".encode()), f"note-{n}.txt") for n in range(5)],
    }
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    data = {
        "title": thread.title,
        "body": "A sixth file and a new sentence.",
        "csrf_token": csrf_token(client, url),
        "attachments": [(io.BytesIO(b"one too many\n"), "sixth.txt")],
    }
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Attach at most 5 files to one post." in html and "A sixth file and a new sentence." in html
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert len(post.attachments) == 5 and post.body == "Five files already."
