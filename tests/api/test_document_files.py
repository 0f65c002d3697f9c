"""A document's images and files through the API: list, upload (multipart) and download, members only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from academy.community.documents import services as docs
from academy.community.models import MemberStatus
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.community.factories import add_member, contact_of, create_community, pdf_bytes
from tests.factories import create_user


def png(width: int = 40, height: int = 20, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def _headers(user, scopes=("read", "write")) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


@pytest.fixture
def space(app):
    community = create_community(slug="controllers")
    anna = add_member(community=community, user=create_user(name="Anna Aalto")).user
    jonas = add_member(community=community, user=create_user(name="Jonas Berg")).user
    document = docs.create_document(community=community, author=anna, title="FLC checklist", body="Check.\n")
    db.session.commit()
    files = f"/api/v1/communities/controllers/documents/{document.id}/files"
    return community, document, files, anna, jonas


def _upload(client, url, headers, *, data: bytes, name: str, alt: str | None = None):
    form: dict = {"file": (io.BytesIO(data), name)}
    if alt is not None:
        form["alt"] = alt
    return client.post(url, data=form, content_type="multipart/form-data", headers=headers)


def _fields(problem: dict) -> set[str]:
    return {e["field"] for e in problem.get("errors", [])}


def test_upload_list_download_and_put_into_the_text(client, space):
    _community, document, files, anna, jonas = space
    anna_h, jonas_h = _headers(anna), _headers(jonas)
    image = png()
    response = _upload(client, files, anna_h, data=image, name="map.png", alt="Map of the programme area")
    assert response.status_code == 201, response.json
    out = response.json
    assert (out["filename"], out["file_type"], out["is_image"], out["size"]) == ("map.png", "png", True, len(image))
    assert out["markdown"] == f"![Map of the programme area](attachment:{out['id']})"
    assert out["uploaded_by"]["name"] == "Anna Aalto"
    assert response.headers["Location"] == out["content_url"]
    pdf = _upload(client, files, anna_h, data=pdf_bytes(), name="rules.pdf").json
    listing = client.get(files, headers=jonas_h).json
    assert [f["id"] for f in listing["items"]] == [out["id"], pdf["id"]] and listing["total"] == 2

    shown = client.get(out["content_url"], headers=jonas_h)
    assert shown.status_code == 200 and shown.data == image and shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert shown.headers["Content-Disposition"].startswith("inline")
    download = client.get(pdf["content_url"], headers=jonas_h)
    assert download.mimetype == "application/pdf" and download.data == pdf_bytes()
    assert download.headers["Content-Disposition"] == "attachment; filename=rules.pdf"
    assert download.headers["Cache-Control"] == "no-store"

    # The Markdown goes into the text with an ordinary save, and the page then shows the image.
    path = f"/api/v1/communities/controllers/documents/{document.id}"
    saved = client.put(path, json={"body": f"Check.\n\n{out['markdown']}\n", "base_revision": 1}, headers=anna_h)
    assert saved.status_code == 200 and out["markdown"] in saved.json["body"]


def test_non_members_and_removed_members_get_404(client, space):
    community, _document, files, anna, jonas = space
    uploaded = _upload(client, files, _headers(anna), data=png(), name="map.png", alt="Map").json
    outsider = _headers(create_user())
    assert client.get(files, headers=outsider).status_code == 404
    assert client.get(uploaded["content_url"], headers=outsider).status_code == 404
    assert _upload(client, files, outsider, data=png(), name="x.png", alt="x").status_code == 404
    assert client.get(uploaded["content_url"]).status_code == 401  # no token at all
    jonas_h = _headers(jonas)
    assert client.get(uploaded["content_url"], headers=jonas_h).status_code == 200
    membership = next(m for m in community.memberships if m.user_id == jonas.id)
    membership.status = MemberStatus.REMOVED
    db.session.commit()
    assert client.get(uploaded["content_url"], headers=jonas_h).status_code == 404
    assert client.get(files, headers=jonas_h).status_code == 404
    # Another document's file id under this document is no file of it.
    other = docs.create_document(community=community, author=anna, title="Other", body="x")
    db.session.commit()
    wrong = f"/api/v1/communities/controllers/documents/{other.id}/files/{uploaded['id']}"
    assert client.get(wrong, headers=_headers(anna)).status_code == 404


def test_bad_files_answer_422_naming_the_part(client, space):
    _community, _document, files, anna, _jonas = space
    headers = _headers(anna)
    cases = [
        (b"MZ\x90\x00 not a picture", "map.png", "Map"),  # type told by content
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "map.png", "Map"),  # a PNG that does not decode
        (png(8000, 6000, mode="1"), "huge.png", "Huge"),  # 48 megapixels
        (b"", "empty.txt", None),
        (b"plain", "script.exe", None),
    ]
    for data, name, alt in cases:
        response = _upload(client, files, headers, data=data, name=name, alt=alt)
        assert response.status_code == 422, (name, response.json)
        assert response.content_type == "application/problem+json"
        assert _fields(response.json) == {"file"}, (name, response.json)
    assert (
        "40 megapixels"
        in _upload(client, files, headers, data=png(8000, 6000, "1"), name="h.png", alt="H").json["detail"]
    )
    assert client.get(files, headers=headers).json["total"] == 0  # nothing kept


def test_too_large_file_is_refused(client, space, app):
    _community, _document, files, anna, _jonas = space
    app.config["COMMUNITY_UPLOAD_MAX_BYTES"] = 1000
    response = _upload(client, files, _headers(anna), data=b"x" * 2000, name="notes.txt")
    assert response.status_code == 422 and _fields(response.json) == {"file"}
    assert "larger than" in response.json["detail"]
    # A body beyond the file limit and room for the other parts is refused before it is read.
    huge = _upload(client, files, _headers(anna), data=b"x" * (2**20 + 2000), name="notes.txt")
    assert huge.status_code == 413 and huge.content_type == "application/problem+json"


def test_image_without_alt_and_missing_parts(client, space):
    _community, _document, files, anna, _jonas = space
    headers = _headers(anna)
    response = _upload(client, files, headers, data=png(), name="map.png")
    assert response.status_code == 422 and _fields(response.json) == {"alt"}
    assert "Describe the image" in response.json["detail"]
    blank = _upload(client, files, headers, data=png(), name="map.png", alt="   ")
    assert blank.status_code == 422 and _fields(blank.json) == {"alt"}
    no_file = client.post(files, data={"alt": "Map"}, content_type="multipart/form-data", headers=headers)
    assert no_file.status_code == 422 and _fields(no_file.json) == {"file"}
    as_json = client.post(files, json={"alt": "Map"}, headers=headers)
    assert as_json.status_code == 415
    unknown = client.post(
        files,
        data={"file": (io.BytesIO(pdf_bytes()), "a.pdf"), "colour": "red"},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert unknown.status_code == 422 and _fields(unknown.json) == {"colour"}


def test_upload_needs_write_scope_and_an_editable_document(client, space):
    community, document, files, _anna, jonas = space
    reader = _headers(jonas, scopes=("read",))
    response = _upload(client, files, reader, data=png(), name="map.png", alt="Map")
    assert response.status_code == 403 and response.json["type"].endswith("insufficient-scope")
    assert client.get(files, headers=reader).status_code == 200
    docs.set_controls(
        document=document, actor=contact_of(community), locked=True, archived=False, restricted=False, editor_ids=[]
    )
    db.session.commit()
    locked = _upload(client, files, _headers(jonas), data=png(), name="map.png", alt="Map")
    assert locked.status_code == 403
    assert client.get(files, headers=reader).json["total"] == 0
