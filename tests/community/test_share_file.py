"""Sharing a file straight from the Files tab."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from academy.community.models import Attachment, MemberStatus, Thread, ThreadKind
from tests.community.factories import add_member, create_community, pdf_bytes
from tests.conftest import csrf_token


@pytest.fixture
def space(app):
    community = create_community(name="Controllers and audit")
    return community, add_member(community=community).user


def _post(client, community, **fields):
    token = csrf_token(client, f"/c/{community.slug}/files")
    data = {"csrf_token": token, "title": "", "note": "", **fields}
    return client.post(f"/c/{community.slug}/files", data=data, content_type="multipart/form-data")


def test_member_shares_a_file_from_the_files_tab(client, login, db, app, space):
    community, member = space
    login(member)
    page = client.get(f"/c/{community.slug}/files").get_data(as_text=True)
    assert "Share a file" in page and 'enctype="multipart/form-data"' in page
    response = _post(client, community, attachment=(io.BytesIO(pdf_bytes("minutes")), "Audit minutes.pdf"))
    assert response.status_code == 302
    attachment = db.session.query(Attachment).one()
    assert attachment.filename == "Audit minutes.pdf" and attachment.uploader_id == member.id
    thread = db.session.query(Thread).one()
    assert thread.title == "Audit minutes.pdf" and thread.kind == ThreadKind.DISCUSSION
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Audit minutes.pdf is shared." in listing and f"/files/{attachment.id}" in listing
    assert client.get(f"/c/{community.slug}/files/{attachment.id}/download").data == pdf_bytes("minutes")


def test_title_and_note_are_used_when_given(client, login, db, space):
    community, member = space
    login(member)
    response = _post(
        client,
        community,
        title="Checklist for first-level control",
        note="The version we use in **Vienna**.",
        attachment=(io.BytesIO(pdf_bytes()), "checklist.pdf"),
    )
    assert response.status_code == 302
    thread = db.session.query(Thread).one()
    assert thread.title == "Checklist for first-level control"
    assert "<strong>Vienna</strong>" in thread.posts[0].body_html


def test_a_bad_file_is_refused_and_the_typed_text_kept(client, login, db, app, space):
    community, member = space
    login(member)
    response = _post(
        client,
        community,
        title="My checklist",
        note="Please comment",
        attachment=(io.BytesIO(b"<html><script>alert(1)</script>"), "invoice.pdf"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "does not look like a .pdf file" in html
    assert 'value="My checklist"' in html and "Please comment" in html
    assert db.session.query(Thread).count() == 0 and db.session.query(Attachment).count() == 0
    assert not (Path(app.instance_path) / "uploads").exists()


def test_no_file_chosen_is_explained(client, login, db, space):
    community, member = space
    login(member)
    response = _post(client, community, title="Forgot it")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose a file to share." in html and 'value="Forgot it"' in html
    assert db.session.query(Thread).count() == 0


def test_a_suspended_member_cannot_share(client, login, space):
    community, _member = space
    suspended = add_member(community=community, status=MemberStatus.SUSPENDED).user
    login(suspended)
    token = csrf_token(client, "/c/")
    data = {"csrf_token": token, "attachment": (io.BytesIO(pdf_bytes()), "x.pdf")}
    response = client.post(f"/c/{community.slug}/files", data=data, content_type="multipart/form-data")
    assert response.status_code in (403, 404)
