"""Every upload form against a wrong type behind a right extension, zero bytes, too many bytes and
path-traversal names: a clear 4xx, nothing stored, nothing written outside the storage folder.

Community attachments' type checks, size limit and versions are in tests/community/test_files.py;
this module adds the cases it lacks and the two other upload forms (certificate check, GIFT import).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from academy.community.models import Attachment, Thread
from academy.extensions import db
from tests.certificates.factories import create_course
from tests.community.factories import add_member, create_community, pdf_bytes, png_bytes
from tests.conftest import csrf_token
from tests.factories import create_user

TRAVERSAL_NAMES = (
    "../../../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "/absolute/path/minutes.pdf",
    "minutes\x00.exe.pdf",
    "....//....//minutes.pdf",
    ".hidden.pdf",
)


@pytest.fixture
def member_client(client, login):
    community = create_community(slug="audit")
    login(add_member(community=community).user)
    return client


def _ask(client, name: str, data: bytes):
    token = csrf_token(client, "/c/audit/new")
    form = {
        "kind": "question",
        "title": "With a file",
        "body": "See the file.",
        "csrf_token": token,
        "attachments": [(io.BytesIO(data), name)],
    }
    return client.post("/c/audit/new", data=form, content_type="multipart/form-data")


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_zero_byte_attachment_is_refused_and_nothing_is_saved(app, member_client):
    response = _ask(member_client, "empty.pdf", b"")
    assert response.status_code == 400
    assert db.session.query(Thread).count() == 0 and db.session.query(Attachment).count() == 0
    assert _files_under(Path(app.instance_path) / "uploads") == []


@pytest.mark.parametrize("kind", ["png-as-pdf", "html-as-pdf", "pdf-as-png"])
def test_a_wrong_type_behind_a_right_extension_is_refused(app, member_client, kind):
    name, data = {
        "png-as-pdf": ("scan.pdf", png_bytes()),
        "html-as-pdf": ("invoice.pdf", b"<!doctype html><script>alert(1)</script>"),
        "pdf-as-png": ("photo.png", pdf_bytes()),
    }[kind]
    response = _ask(member_client, name, data)
    assert response.status_code == 400
    assert "does not look like" in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_path_traversal_names_are_reduced_to_a_plain_name_inside_the_store(app, member_client, name):
    response = _ask(member_client, name, pdf_bytes("minutes"))
    if "\x00" in name:  # refused outright by the input guard (academy/inputs.py): nothing is stored
        assert response.status_code == 400 and db.session.query(Attachment).count() == 0
        return
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    attachment = db.session.query(Attachment).one()
    shown = attachment.filename
    assert "/" not in shown and "\\" not in shown and ".." not in shown and "\x00" not in shown
    assert not shown.startswith(".")
    store = (Path(app.instance_path) / "uploads").resolve()
    stored = _files_under(store)
    assert stored and all(store in p.resolve().parents for p in stored)
    download = member_client.get(f"/c/audit/files/{attachment.id}/download")
    assert download.status_code == 200 and download.data == pdf_bytes("minutes")
    assert ".." not in download.headers["Content-Disposition"]


def test_an_attachment_over_the_limit_is_refused(app, member_client):
    app.config["COMMUNITY_UPLOAD_MAX_BYTES"] = 2048
    response = _ask(member_client, "big.pdf", pdf_bytes() + b"%" * 4096)
    assert response.status_code in (400, 413)
    assert db.session.query(Attachment).count() == 0


# --- certificate check upload (public, nothing kept) ---------------------------------------------


def _check(client, name: str, data: bytes):
    token = csrf_token(client, "/verify/upload")
    return client.post(
        "/verify/upload",
        data={"csrf_token": token, "pdf": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("certificate.pdf", png_bytes()),
        ("certificate.pdf", b"%PDF-1.7\n garbage that is no PDF at all"),
        ("../../certificate.pdf", pdf_bytes()),
    ],
    ids=["png-as-pdf", "broken-pdf", "traversal-name-unsealed"],
)
def test_checking_a_file_that_is_not_a_sealed_certificate_says_so(app, client, name, data):
    response = _check(client, name, data)
    assert response.status_code in (200, 400, 422)
    html = response.get_data(as_text=True)
    assert "Valid" not in html.split("<main", 1)[-1].split("</h1>", 1)[0]
    assert not _files_under(Path(app.instance_path) / "certificates" / "uploads")


def test_checking_an_empty_file_asks_for_a_file(client):
    response = _check(client, "certificate.pdf", b"")
    assert response.status_code == 400
    assert "The file is empty" in response.get_data(as_text=True)


def test_checking_a_file_over_the_limit_is_refused(app, client):
    app.config["CERTIFICATE_UPLOAD_MAX_BYTES"] = 1024
    response = _check(client, "certificate.pdf", b"%PDF-1.7\n" + b"x" * 4096)
    assert response.status_code == 400
    assert "larger than a certificate can be" in response.get_data(as_text=True)


# --- GIFT import (trainers) ----------------------------------------------------------------------


@pytest.fixture
def owner_client(client, login):
    owner = create_user(trainer=True)
    create_course(slug="gift", owners=[owner])
    login(owner)
    return client


def _import(client, name: str, data: bytes):
    token = csrf_token(client, "/teach/gift/bank/import")
    return client.post(
        "/teach/gift/bank/import",
        data={"csrf_token": token, "mode": "valid", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_binary_file_named_gift_is_refused(owner_client):
    response = _import(owner_client, "questions.gift", png_bytes() + b"\xff\xfe\x00")
    assert response.status_code == 400
    assert "not UTF-8 text" in response.get_data(as_text=True)


def test_an_empty_gift_file_is_refused(owner_client):
    response = _import(owner_client, "questions.gift", b"")
    assert response.status_code == 400


def test_a_gift_file_with_another_extension_is_refused(owner_client):
    response = _import(owner_client, "../../questions.exe", b"::Q1:: What? {T}")
    assert response.status_code == 400


def test_a_gift_file_over_the_request_limit_is_refused(app, owner_client):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = _import(owner_client, "questions.gift", b"::Q:: x {T}\n\n" * 2000)
    assert response.status_code == 413
