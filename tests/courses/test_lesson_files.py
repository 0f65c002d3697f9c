"""Lesson images and files: uploaded from the lesson editor with a text alternative, served safely."""

import io

from sqlalchemy import select

from academy.courses.models import CourseFile, Lesson
from tests.community.factories import pdf_bytes, png_bytes
from tests.conftest import csrf_token
from tests.courses.factories import create_course, enrol
from tests.factories import create_user

TYPED = {"title": "Reading the map", "module": "m1", "body": "Look at this map:", "minutes": "8", "required": "y"}


def _upload(client, path, *, filename="map.png", data=None, alt="A map of the programme area", body=None):
    token = csrf_token(client, path)
    form = {
        **TYPED,
        "csrf_token": token,
        "upload_alt": alt,
        "insert": "Upload and insert",
        "upload": (io.BytesIO(png_bytes() if data is None else data), filename),
    }
    if body is not None:
        form["body"] = body
    return client.post(path, data=form, content_type="multipart/form-data")


def test_an_uploaded_image_is_added_to_the_text_typed_and_shown_to_learners(client, trainer, db, login):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    response = _upload(client, new)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    stored = db.session.scalar(select(CourseFile))
    assert stored.alt_text == "A map of the programme area" and stored.file_type == "png"
    # The text typed is kept, the image is added at its end, nothing else is saved yet.
    assert f"Look at this map:\n\n![A map of the programme area](upload:{stored.id})" in html
    assert 'value="Reading the map"' in html
    assert db.session.scalar(select(Lesson).where(Lesson.title == "Reading the map")) is None

    body = f"Look at this map:\n\n![A map of the programme area](upload:{stored.id})"
    token = csrf_token(client, new)
    response = client.post(new, data={**TYPED, "body": body, "csrf_token": token})
    assert response.status_code == 302
    client.post(
        f"/trainer/courses/{course.slug}/publish",
        data={"csrf_token": token, "confirm_warnings": "yes"},
    )
    lesson = db.session.scalar(select(Lesson).where(Lesson.title == "Reading the map"))
    learner = create_user(name="Lea")
    enrol(learner, course)
    login(learner)
    page = client.get(f"/courses/{course.slug}/lessons/{lesson.key}").get_data(as_text=True)
    src = f"/courses/{course.slug}/files/{stored.id}/map.png"
    assert f'<img src="{src}" alt="A map of the programme area"' in page
    image = client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert "attachment" not in image.headers.get("Content-Disposition", "")


def test_an_image_without_a_text_alternative_is_refused_and_the_text_kept(client, trainer, db):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    response = _upload(client, new, alt="  ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Describe the image for people who cannot see it" in html
    assert "Look at this map:" in html and 'value="Reading the map"' in html
    assert db.session.scalar(select(CourseFile)) is None


def test_a_file_that_is_not_what_its_name_says_is_refused(client, trainer, db):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    response = _upload(client, new, filename="map.png", data=b"<svg onload=alert(1)>")
    assert response.status_code == 400
    assert "map.png does not look like a .png file." in response.get_data(as_text=True)
    response = _upload(client, new, filename="map.svg", data=b"<svg/>")
    assert response.status_code == 400 and "only images (PNG, JPG, GIF, WebP)" in response.get_data(as_text=True)
    assert db.session.scalar(select(CourseFile)) is None


def test_a_pdf_is_a_download_link_and_only_learners_and_owners_get_it(client, trainer, db, login):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    response = _upload(client, new, filename="handout.pdf", data=pdf_bytes(), alt="")
    assert response.status_code == 200
    stored = db.session.scalar(select(CourseFile))
    assert f"[handout.pdf](upload:{stored.id})" in response.get_data(as_text=True)
    url = f"/courses/{course.slug}/files/{stored.id}/handout.pdf"
    download = client.get(url)
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    login(create_user(name="Not enrolled"))
    assert client.get(url).status_code == 403


def test_lessons_embed_only_allow_listed_videos_with_their_text_alternative(client, trainer, db):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    token = csrf_token(client, new)
    body = (
        "![How a first-level controller checks a claim](https://youtu.be/dQw4w9WgXcQ)\n\n![x](https://evil.example/v)"
    )
    response = client.post(new, data={**TYPED, "body": body, "csrf_token": token, "preview": "Preview"})
    html = response.get_data(as_text=True)
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'title="How a first-level controller checks a claim"' in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html  # works without frames
    assert "evil.example" not in html.split("<iframe")[1].split(">")[0]
    response = client.post(new, data={**TYPED, "body": "![](https://youtu.be/dQw4w9WgXcQ)", "csrf_token": token})
    assert response.status_code == 400 and "Give every image and video a text alternative" in response.get_data(
        as_text=True
    )


def test_removing_a_file_asks_first(client, trainer, db):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    _upload(client, new)
    stored = db.session.scalar(select(CourseFile))
    token = csrf_token(client, new)
    url = f"/trainer/courses/{course.slug}/files/{stored.id}/delete"
    asked = client.post(url, data={"csrf_token": token, "next": new})
    assert "Remove this file from the course?" in asked.get_data(as_text=True)
    assert db.session.scalar(select(CourseFile)) is not None
    done = client.post(url, data={"csrf_token": token, "next": new, "confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(new)
    assert db.session.scalar(select(CourseFile)) is None


def test_the_live_preview_shows_the_courses_images_to_its_owners_only(client, trainer, db, login):
    course = create_course(owner=trainer, modules=1, lessons=1)
    new = f"/trainer/courses/{course.slug}/modules/m1/lessons/new"
    _upload(client, new)
    stored = db.session.scalar(select(CourseFile))
    token = csrf_token(client, new)
    data = {"csrf_token": token, "body": f"![A map](upload:{stored.id})", "course": course.slug}
    html = client.post("/trainer/markdown-preview", data=data).get_data(as_text=True)
    assert f'<img src="/courses/{course.slug}/files/{stored.id}/map.png" alt="A map"' in html
    login(create_user(trainer=True, name="Other trainer"))
    token = csrf_token(client, "/trainer/courses/new")
    assert client.post("/trainer/markdown-preview", data={**data, "csrf_token": token}).status_code == 404
