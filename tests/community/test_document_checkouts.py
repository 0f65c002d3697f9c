"""Shared office files: "I am editing this" check-outs that others see, released by the next version."""

from __future__ import annotations

from datetime import timedelta

import pytest

from academy.community.documents import checkouts
from academy.community.documents.models import FileCheckout
from academy.community.services import files
from academy.exceptions import PermissionDenied, ServiceError
from academy.extensions import db
from tests.community.factories import add_member, create_community, create_thread
from tests.community.test_files import office_bytes
from tests.conftest import csrf_token
from tests.factories import create_user


@pytest.fixture
def shared(app):
    community = create_community(slug="icon")
    owner = add_member(community=community, user=create_user(name="Olga Owner")).user
    editor = add_member(community=community, user=create_user(name="Emil Editor")).user
    other = add_member(community=community, user=create_user(name="Otto Other")).user
    thread = create_thread(
        community=community,
        author=owner,
        uploads=[files.Upload("Communication plan.docx", office_bytes("word/document.xml"))],
    )
    db.session.commit()
    return community, owner, editor, other, thread.posts[0].attachments[0]


def test_check_out_is_shown_to_others_and_a_new_version_releases_it(client, login, shared):
    _community, owner, editor, other, attachment = shared
    path = f"/c/icon/files/{attachment.id}"
    login(editor)
    token = csrf_token(client, path)
    response = client.post(f"{path}/checkout", data={"csrf_token": token, "hours": "4", "note": "Adding the budget"})
    assert response.status_code == 302
    login(other)
    page = client.get(path).get_data(as_text=True)
    assert "Emil Editor is editing this file until" in page and "Adding the budget" in page
    with pytest.raises(PermissionDenied, match="Emil Editor is editing this file"):
        files.add_version(
            attachment=attachment, uploader=owner, upload=files.Upload("plan.docx", office_bytes("word/document.xml"))
        )
    db.session.rollback()
    # The holder may upload although he did not share the file; that releases it.
    version = files.add_version(
        attachment=attachment, uploader=editor, upload=files.Upload("plan v2.docx", office_bytes("word/document.xml"))
    )
    db.session.commit()
    assert version.number == 2 and version.uploader_id == editor.id
    assert db.session.get(FileCheckout, attachment.id) is None
    page = client.get(path).get_data(as_text=True)
    assert "I am editing this" in page and "Emil Editor" in page  # free again; he is listed as the uploader


def test_someone_else_cannot_check_out_a_held_file_and_an_expired_one_is_free(app, shared):
    _community, _owner, editor, other, attachment = shared
    checkout = checkouts.check_out(attachment=attachment, user=editor, hours=1)
    with pytest.raises(ServiceError, match="already editing"):
        checkouts.check_out(attachment=attachment, user=other, hours=1)
    checkout.expires_at = checkout.created_at - timedelta(minutes=1)
    db.session.flush()
    assert checkouts.current(attachment) is None
    assert checkouts.check_out(attachment=attachment, user=other, hours=4).user_id == other.id


def test_only_the_holder_or_a_contact_releases(app, shared):
    community, owner, editor, _other, attachment = shared
    checkouts.check_out(attachment=attachment, user=editor, hours=4)
    with pytest.raises(PermissionDenied):
        checkouts.release(attachment=attachment, user=owner)
    contact = next(m.user for m in community.memberships if m.role == "contact")
    checkouts.release(attachment=attachment, user=contact)
    assert checkouts.current(attachment) is None


def test_non_member_cannot_check_out(client, login, shared):
    _community, _owner, _editor, _other, attachment = shared
    login(create_user())
    token = csrf_token(client, "/")  # the log-out form of the menu
    response = client.post(f"/c/icon/files/{attachment.id}/checkout", data={"csrf_token": token, "hours": "4"})
    assert response.status_code == 404
