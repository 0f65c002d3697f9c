"""Images and files in documents: uploaded from the editor, shown to members only, kept in the downloads."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document as WordDocument
from PIL import Image

from academy.community.documents import services as docs
from academy.community.documents.models import Document, DocumentFile
from academy.community.models import MemberStatus
from academy.extensions import db
from tests.community.factories import add_member, create_community, pdf_bytes
from tests.conftest import csrf_token
from tests.factories import create_user

TEXT = "Check the invoices.\n\nCheck the staff costs.\n"


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def space(app):
    community = create_community(name="Controllers", slug="controllers")
    anna = add_member(community=community, user=create_user(name="Anna Aalto")).user
    document = docs.create_document(community=community, author=anna, title="FLC checklist", body=TEXT)
    db.session.commit()
    return community, anna, document


def _upload(client, document, *, data: bytes, name: str, alt: str = "", body: str = "My unsaved words.", json=False):
    token = csrf_token(client, f"/c/controllers/documents/{document.id}/edit")
    form = {
        "csrf_token": token,
        "title": "FLC checklist",
        "body": body,
        "base_revision": "1",
        "summary": "",
        "alt": alt,
        "upload": (io.BytesIO(data), name),
    }
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        f"/c/controllers/documents/{document.id}/files",
        data=form,
        content_type="multipart/form-data",
        headers=headers,
    )


def _textarea(page: str) -> str:
    import html

    return html.unescape(re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", page, re.S).group(1))


def test_upload_without_javascript_keeps_the_text_and_adds_the_image(client, login, space):
    _community, anna, document = space
    login(anna)
    response = _upload(client, document, data=png(), name="route.png", alt="Map of the route")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    file = db.session.query(DocumentFile).one()
    assert _textarea(page).strip() == f"My unsaved words.\n\n![Map of the route](attachment:{file.id})"
    assert "route.png is uploaded and added at the end of your text" in page
    assert db.session.get(Document, document.id).revision == 1  # nothing saved yet


def test_save_with_a_file_chosen_uploads_it_first_and_saves_nothing_yet(client, login, space):
    _community, anna, document = space
    login(anna)
    token = csrf_token(client, f"/c/controllers/documents/{document.id}/edit")
    form = {"csrf_token": token, "title": "FLC checklist", "body": "Kept.", "base_revision": "1", "alt": "A map"}
    response = client.post(
        f"/c/controllers/documents/{document.id}/edit",
        data={**form, "upload": (io.BytesIO(png()), "map.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    file = db.session.query(DocumentFile).one()
    assert _textarea(response.get_data(as_text=True)).strip() == f"Kept.\n\n![A map](attachment:{file.id})"
    assert db.session.get(Document, document.id).revision == 1


def test_upload_with_javascript_answers_the_markdown(client, login, space):
    _community, anna, document = space
    login(anna)
    response = _upload(client, document, data=pdf_bytes(), name="minutes.pdf", json=True)
    assert response.status_code == 201
    file_id = response.json["id"]
    assert response.json["markdown"] == f"[minutes.pdf](attachment:{file_id})"
    assert response.json["url"] == f"/c/controllers/documents/{document.id}/files/{file_id}"


def test_an_image_needs_a_description_and_the_text_stays(client, login, space):
    _community, anna, document = space
    login(anna)
    response = _upload(client, document, data=png(), name="route.png", alt="  ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Describe the image for people who cannot see it" in page
    assert _textarea(page).strip() == "My unsaved words."
    assert db.session.query(DocumentFile).count() == 0
    response = _upload(client, document, data=png(), name="route.png", json=True)
    assert response.status_code == 400 and "alt" in response.json["errors"]


def test_a_broken_or_disguised_image_is_refused(client, login, space):
    _community, anna, document = space
    login(anna)
    broken = _upload(client, document, data=b"\x89PNG\r\n\x1a\n" + b"junk" * 20, name="a.png", alt="A map")
    assert broken.status_code == 400 and "The image cannot be read" in broken.get_data(as_text=True)
    disguised = _upload(client, document, data=b"<svg onload=alert(1)>", name="a.png", alt="A map")
    assert disguised.status_code == 400 and "does not look like a .png file" in disguised.get_data(as_text=True)


def _save_with_image(client, login, anna, document) -> DocumentFile:
    login(anna)
    _upload(client, document, data=png(), name="route.png", alt="Map of the route")
    file = db.session.query(DocumentFile).one()
    body = f"{TEXT}\n![Map of the route](attachment:{file.id})\n\n[Route as a file](attachment:{file.id})\n"
    docs.save(document=db.session.get(Document, document.id), editor=anna, body=body, base_revision=1)
    db.session.commit()
    return file


def test_the_document_shows_the_image_and_members_fetch_it(client, login, space):
    community, anna, document = space
    file = _save_with_image(client, login, anna, document)
    url = f"/c/controllers/documents/{document.id}/files/{file.id}"
    page = client.get(f"/c/controllers/documents/{document.id}").get_data(as_text=True)
    assert f'<img src="{url}" alt="Map of the route">' in page
    assert f'<a href="{url}" rel="nofollow noopener noreferrer">Route as a file</a>' in page
    image = client.get(url)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == png()
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in image.headers.get("Content-Disposition", "")

    login(create_user())  # not a member
    assert client.get(url).status_code == 404
    other = create_community(slug="icon")
    stranger_doc = docs.create_document(community=other, author=add_member(community=other).user, title="x", body="")
    db.session.commit()
    login(anna)
    assert client.get(f"/c/icon/documents/{stranger_doc.id}/files/{file.id}").status_code == 404

    membership = next(m for m in community.memberships if m.user_id == anna.id)
    membership.status = MemberStatus.REMOVED
    db.session.commit()
    assert client.get(url).status_code == 404


def test_only_local_images_are_shown(client, login, space):
    _community, anna, document = space
    body = (
        '![tracker](https://evil.example/pixel.png)\n\n![x](attachment:999)\n\n<img src="https://evil.example/a.png">\n'
    )
    docs.save(document=document, editor=anna, body=body, base_revision=1)
    db.session.commit()
    login(anna)
    page = client.get(f"/c/controllers/documents/{document.id}").get_data(as_text=True)
    article = page[page.index('aria-label="Document text"') :]
    assert "<img" not in article
    assert '<a href="https://evil.example/pixel.png" rel="nofollow noopener noreferrer">tracker</a>' in article


def test_word_and_pdf_downloads_include_the_image(client, login, space):
    _community, anna, document = space
    _save_with_image(client, login, anna, document)
    word = WordDocument(io.BytesIO(client.get(f"/c/controllers/documents/{document.id}/download.docx").data))
    [picture] = word.inline_shapes
    assert picture._inline.docPr.get("descr") == "Map of the route"
    assert round(picture.width.mm) == round(40 * 25.4 / 96)
    pdf = client.get(f"/c/controllers/documents/{document.id}/download.pdf").data
    assert b"/Subtype /Image" in pdf


def test_a_locked_document_takes_no_uploads(client, login, space):
    _community, anna, document = space
    login(anna)
    csrf = csrf_token(client, f"/c/controllers/documents/{document.id}/edit")
    document.is_locked = True
    db.session.commit()
    response = client.post(
        f"/c/controllers/documents/{document.id}/files",
        data={"csrf_token": csrf, "alt": "A map", "upload": (io.BytesIO(png()), "a.png"), "body": "Kept."},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "locked" in response.get_data(as_text=True)
    assert db.session.query(DocumentFile).count() == 0
    with_script = client.post(
        f"/c/controllers/documents/{document.id}/files",
        data={"csrf_token": csrf, "alt": "A map", "upload": (io.BytesIO(png()), "a.png")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert with_script.status_code == 400 and "locked" in with_script.json["errors"]["upload"][0]
    listing = client.get("/c/controllers/documents").get_data(as_text=True)
    assert "has locked this document" not in listing  # no stale message on the next page


def test_images_in_lists_tables_and_headings_download_too(client, login, space):
    _community, anna, document = space
    file = _save_with_image(client, login, anna, document)
    image = f"![Map](attachment:{file.id})"
    body = f"# Route {image}\n\n- first {image} item\n\n| a | b |\n|---|---|\n| {image} | x |\n\n> {image}\n"
    docs.save(document=db.session.get(Document, document.id), editor=anna, body=body, base_revision=2)
    db.session.commit()
    word = WordDocument(io.BytesIO(client.get(f"/c/controllers/documents/{document.id}/download.docx").data))
    assert len(word.inline_shapes) == 4
    pdf = client.get(f"/c/controllers/documents/{document.id}/download.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
