"""Co-edited documents on the site: merge of different paragraphs, conflicts, restore, permissions."""

from __future__ import annotations

import html as htmllib
import io
import re

import pytest
from docx import Document as WordDocument

from academy.community.documents import services as docs
from academy.community.documents.models import Document, DocumentRevision, DocumentStatus
from academy.community.models import MemberStatus
from academy.extensions import db
from tests.community.factories import add_member, contact_of, create_community
from tests.conftest import csrf_token
from tests.factories import create_user

BASE = (
    "# Checklist for first-level control\n\nCheck the invoices.\n\nCheck the staff costs.\n\n"
    "Check public procurement.\n"
)


@pytest.fixture
def space(app):
    community = create_community(name="Controllers", slug="controllers")
    anna = add_member(community=community, user=create_user(name="Anna Aalto")).user
    jonas = add_member(community=community, user=create_user(name="Jonas Berg")).user
    document = docs.create_document(community=community, author=anna, title="FLC checklist", body=BASE)
    db.session.commit()
    return community, anna, jonas, document


def _edit(client, login, user, document, body, *, base: int, title: str = "FLC checklist"):
    login(user)
    path = f"/c/controllers/documents/{document.id}/edit"
    token = csrf_token(client, f"/c/controllers/documents/{document.id}")
    return client.post(
        path, data={"csrf_token": token, "title": title, "body": body, "base_revision": base, "summary": ""}
    )


def test_documents_tab_is_reachable_from_the_community_page(client, login, space):
    _community, anna, _jonas, document = space
    login(anna)
    page = client.get("/c/controllers").get_data(as_text=True)
    assert 'href="/c/controllers/documents"' in page
    listing = client.get("/c/controllers/documents").get_data(as_text=True)
    assert f'href="/c/controllers/documents/{document.id}"' in listing
    assert "FLC checklist" in listing


def test_create_document_through_the_form(client, login, space):
    _community, anna, _jonas, _document = space
    login(anna)
    token = csrf_token(client, "/c/controllers/documents/new")
    response = client.post(
        "/c/controllers/documents/new",
        data={"csrf_token": token, "title": "Audit sampling notes", "body": "Sample **ten** percent."},
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>ten</strong>" in page
    assert "last edited by Anna Aalto" in page


def test_missing_title_keeps_the_text(client, login, space):
    _community, anna, _jonas, _document = space
    login(anna)
    token = csrf_token(client, "/c/controllers/documents/new")
    response = client.post(
        "/c/controllers/documents/new", data={"csrf_token": token, "title": "", "body": "Words I typed"}
    )
    assert response.status_code == 400
    assert "Words I typed" in response.get_data(as_text=True)


def test_different_paragraphs_merge_and_both_keep_their_changes(client, login, space):
    _community, anna, jonas, document = space
    jonas_text = BASE.replace("Check the invoices.", "Check the invoices against the bank statement.")
    anna_text = BASE.replace("Check public procurement.", "Check public procurement above the thresholds.")
    assert _edit(client, login, jonas, document, jonas_text, base=1).status_code == 302
    response = _edit(client, login, anna, document, anna_text, base=1)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Merged with Jonas Berg&#39;s changes" in page or "Merged with Jonas Berg's changes" in page
    db.session.expire_all()
    body = db.session.get(Document, document.id).body
    assert "against the bank statement" in body
    assert "above the thresholds" in body
    assert db.session.get(Document, document.id).revision == 3


def test_same_paragraph_gives_a_conflict_that_keeps_both_texts(client, login, space):
    _community, anna, jonas, document = space
    jonas_text = BASE.replace("Check the staff costs.", "Check the staff costs with the time sheets.")
    anna_text = BASE.replace("Check the staff costs.", "Check staff costs under the 20% flat rate.")
    assert _edit(client, login, jonas, document, jonas_text, base=1).status_code == 302
    response = _edit(client, login, anna, document, anna_text, base=1)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "with the time sheets" in html and "under the 20% flat rate" in html
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt;" in html  # markers in the editable textarea
    assert re.search(r'name="base_revision" type="hidden" value="2"', html)  # resolves against Jonas's revision
    db.session.expire_all()
    assert db.session.get(Document, document.id).revision == 2  # nothing saved yet
    # Saving with the markers still in place is refused, and the text comes back.
    textarea = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)
    marked = htmllib.unescape(textarea)
    again = _edit(client, login, anna, document, marked, base=2)
    assert again.status_code == 400
    assert "conflict markers" in again.get_data(as_text=True)
    resolved = BASE.replace(
        "Check the staff costs.", "Check staff costs with the time sheets, under the 20% flat rate."
    )
    assert _edit(client, login, anna, document, resolved, base=2).status_code == 302
    db.session.expire_all()
    assert "time sheets, under the 20% flat rate" in db.session.get(Document, document.id).body


def test_history_shows_a_word_diff_and_restore_makes_a_new_revision(client, login, space):
    _community, _anna, jonas, document = space
    changed = BASE.replace("Check the invoices.", "Verify the <script>invoices</script> twice.")
    assert _edit(client, login, jonas, document, changed, base=1).status_code == 302
    page = client.get(f"/c/controllers/documents/{document.id}/history?from=1&to=2").get_data(as_text=True)
    assert "<del>Check</del><ins>Verify</ins> the <ins>&lt;script&gt;</ins>invoices" in page
    assert "<script>invoices" not in page
    token = csrf_token(client, f"/c/controllers/documents/{document.id}/history")
    response = client.post(f"/c/controllers/documents/{document.id}/restore/1", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    current = db.session.get(Document, document.id)
    assert current.revision == 3 and current.body == BASE
    latest = db.session.scalar(db.select(DocumentRevision).filter_by(document_id=document.id, number=3))
    assert latest.restored_from == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(DocumentRevision)) == 3


def test_non_member_gets_404_everywhere(client, login, space):
    _community, _anna, _jonas, document = space
    login(create_user())
    for path in (
        "",
        f"/{document.id}",
        f"/{document.id}/edit",
        f"/{document.id}/history",
        f"/{document.id}/download.pdf",
    ):
        assert client.get(f"/c/controllers/documents{path}").status_code == 404


def test_locked_document_is_read_only(client, login, space):
    community, anna, jonas, document = space
    contact = contact_of(community)
    docs.set_controls(document=document, actor=contact, locked=True, archived=False, restricted=False, editor_ids=[])
    db.session.commit()
    login(jonas)
    page = client.get(f"/c/controllers/documents/{document.id}").get_data(as_text=True)
    assert "locked this document" in page
    assert f"/documents/{document.id}/start" not in page
    assert client.get(f"/c/controllers/documents/{document.id}/edit").status_code == 302
    response = _edit(client, login, anna, document, BASE + "\nMore.\n", base=1)
    assert response.status_code == 403
    assert "More." in response.get_data(as_text=True)  # what she typed comes back


def test_restricted_document_only_named_members_edit(client, login, space):
    community, anna, jonas, document = space
    docs.set_controls(
        document=document,
        actor=contact_of(community),
        locked=False,
        archived=False,
        restricted=True,
        editor_ids=[anna.id],
    )
    db.session.commit()
    assert _edit(client, login, jonas, document, BASE + "\nJonas.\n", base=1).status_code == 403
    assert _edit(client, login, anna, document, BASE + "\nAnna.\n", base=1).status_code == 302


def test_removed_member_loses_access(client, login, space):
    community, _anna, jonas, document = space
    login(jonas)
    assert client.get(f"/c/controllers/documents/{document.id}").status_code == 200
    membership = next(m for m in community.memberships if m.user_id == jonas.id)
    membership.status = MemberStatus.REMOVED
    db.session.commit()
    assert client.get(f"/c/controllers/documents/{document.id}").status_code == 404


def test_contact_controls_through_the_page(client, login, space):
    community, anna, _jonas, document = space
    login(contact_of(community))
    path = f"/c/controllers/documents/{document.id}"
    token = csrf_token(client, path)
    response = client.post(f"{path}/controls", data={"csrf_token": token, "restricted": "y", "editors": [str(anna.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Document, document.id)
    assert saved.is_restricted and [e.user_id for e in saved.editors] == [anna.id]
    login(anna)
    token = csrf_token(client, path)
    assert client.post(f"{path}/controls", data={"csrf_token": token, "locked": "y"}).status_code == 403


def test_archiving_a_document_asks_first(client, login, space):
    community, anna, _jonas, document = space
    login(contact_of(community))
    path = f"/c/controllers/documents/{document.id}"
    token = csrf_token(client, path)
    data = {"csrf_token": token, "archived": "y", "editors": [str(anna.id)]}
    asked = client.post(f"{path}/controls", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Archive the document?" in html and 'name="archived" value="y"' in html
    db.session.expire_all()
    assert db.session.get(Document, document.id).status == DocumentStatus.ACTIVE
    assert client.post(f"{path}/controls", data={**data, "confirmed": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, document.id).status == DocumentStatus.ARCHIVED
    # Saving the other settings of an archived document asks nothing more.
    assert client.post(f"{path}/controls", data={"csrf_token": token, "archived": "y"}).status_code == 302


def test_presence_shows_who_is_editing(client, login, space):
    _community, anna, jonas, document = space
    login(jonas)
    path = f"/c/controllers/documents/{document.id}"
    response = client.post(f"{path}/start", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302 and response.location.endswith("/edit")
    login(anna)
    page = client.get(f"/c/controllers/documents/{document.id}").get_data(as_text=True)
    assert "Editing now:" in page and "Jonas Berg" in page
    assert client.get(f"/c/controllers/documents/{document.id}/presence").json["editing"] == ["Jonas Berg"]


def test_downloads_as_word_and_pdf(client, login, space):
    _community, anna, _jonas, document = space
    login(anna)
    docx = client.get(f"/c/controllers/documents/{document.id}/download.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    texts = [p.text for p in WordDocument(io.BytesIO(docx.data)).paragraphs]
    assert "Check the staff costs." in texts
    pdf = client.get(f"/c/controllers/documents/{document.id}/download.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_discussion_starts_a_thread(client, login, space):
    _community, anna, _jonas, document = space
    login(anna)
    path = f"/c/controllers/documents/{document.id}"
    token = csrf_token(client, path)
    response = client.post(f"{path}/discuss", data={"csrf_token": token, "body": "Should we add State aid?"})
    assert response.status_code == 302 and "/t/" in response.location
    assert "Should we add State aid?" in client.get(response.location).get_data(as_text=True)
    assert "Read the discussion" in client.get(path).get_data(as_text=True)


def test_search_finds_documents_for_members_only(client, login, space):
    _community, anna, _jonas, document = space
    other = create_community(slug="icon")
    docs.create_document(community=other, author=contact_of(other), title="Secret ICON plan", body="procurement")
    db.session.commit()
    login(anna)
    page = client.get("/c/search?q=procurement").get_data(as_text=True)
    assert f"/c/controllers/documents/{document.id}" in page
    assert "Secret ICON plan" not in page
    assert "FLC checklist" in client.get("/c/controllers/search?q=checklist").get_data(as_text=True)
    login(create_user())
    assert "FLC checklist" not in client.get("/c/search?q=procurement").get_data(as_text=True)
    assert client.get("/c/controllers/search?q=procurement").status_code == 404


def test_watchers_hear_at_most_once_an_hour(client, login, space):
    from academy.community.documents.integration import EVENT
    from tests.notifications.factories import notifications_of

    _community, anna, jonas, document = space
    for n, text in enumerate(("One.", "Two.", "Three."), start=1):
        docs.save(document=document, editor=jonas, body=BASE + text, base_revision=n)
        db.session.commit()
    assert [x.event for x in notifications_of(anna)] == [EVENT]  # Anna created it, so she watches it
    assert notifications_of(jonas) == []  # never told of his own edits
    docs.save(document=document, editor=anna, body=BASE + "Four.", base_revision=4)
    db.session.commit()
    assert [x.event for x in notifications_of(jonas)] == [EVENT]  # he edited, so he watches now


def test_document_text_is_sanitised(client, login, space):
    community, anna, _jonas, _document = space
    evil = docs.create_document(
        community=community,
        author=anna,
        title="<img src=x onerror=alert(1)>",
        body="<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    db.session.commit()
    login(anna)
    page = client.get(f"/c/controllers/documents/{evil.id}").get_data(as_text=True)
    assert "<script>alert" not in page and 'href="javascript' not in page and "<img src=x" not in page
    assert "<table>" in page  # tables render, as in posts


def test_document_pages_take_a_constant_number_of_queries(client, login, space, count_queries):
    community, anna, jonas, document = space
    login(anna)

    def counts() -> tuple[int, int, int]:
        with count_queries() as listing:
            client.get("/c/controllers/documents")
        with count_queries() as page:
            client.get(f"/c/controllers/documents/{document.id}")
        with count_queries() as history:
            client.get(f"/c/controllers/documents/{document.id}/history")
        return listing.count, page.count, history.count

    # Anna already has an unread notification (the header's count checks it still concerns her): one
    # more query than with none, whatever the number of documents, revisions and notifications.
    docs.save(document=document, editor=jonas, body=BASE + "Line.\n", base_revision=1)
    db.session.commit()
    before = counts()
    for n in range(8):
        docs.create_document(community=community, author=jonas, title=f"Note {n}", body="Text")
        docs.save(document=document, editor=jonas if n % 2 else anna, body=BASE + f"Line {n}.\n", base_revision=n + 2)
    db.session.commit()
    assert counts() == before


def test_a_save_refused_by_the_database_at_commit_is_retried(app, space, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    community, _anna, jonas, document = space
    real_commit, calls = db.session.commit, []

    def flaky_commit():
        calls.append(1)
        if len(calls) == 1:  # as when another save took the same revision number a moment earlier
            raise IntegrityError("INSERT", {}, Exception("duplicate revision number"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", flaky_commit)
    result = docs.save_and_commit(
        lambda: docs.get_document(community, document.id), editor=jonas, body=BASE + "Kept.\n", base_revision=1
    )
    assert len(calls) == 2 and result.revision.number == 2
    monkeypatch.undo()
    db.session.expire_all()
    assert db.session.get(Document, document.id).body.endswith("Kept.\n")
