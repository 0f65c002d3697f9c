"""The public catalogue: published courses only, filters, pagination and the course outline."""

from __future__ import annotations

from academy.courses.models import CourseStatus, Level
from tests.api.factories import create_course
from tests.factories import create_user


def _slugs(response) -> list[str]:
    return [c["slug"] for c in response.json["items"]]


def test_only_published_courses_are_listed(client):
    create_course(slug="live", title="Live")
    create_course(slug="draft", status=CourseStatus.DRAFT)
    create_course(slug="gone", status=CourseStatus.ARCHIVED)
    response = client.get("/api/v1/courses")
    assert response.status_code == 200
    assert _slugs(response) == ["live"]
    assert response.json["total"] == 1


def test_catalogue_is_public(client):
    create_course(slug="open")
    assert client.get("/api/v1/courses").status_code == 200
    assert client.get("/api/v1/courses/open").status_code == 200


def test_course_summary_fields(client):
    create_course(slug="jems-basics", title="Jems basics", topic="jems", level=Level.INTERMEDIATE)
    item = client.get("/api/v1/courses").json["items"][0]
    assert item == {
        "slug": "jems-basics",
        "title": "Jems basics",
        "summary": "How Interreg programmes report progress.",
        "topic": "jems",
        "language": "en",
        "level": "intermediate",
        "hours": 2.5,
        "credits": 0.5,
        "version": 1,
        "published_at": item["published_at"],
    }
    assert item["published_at"].endswith("+00:00")


def test_filters(client):
    create_course(slug="a", title="Simplified cost options", topic="finance", level=Level.ADVANCED)
    create_course(slug="b", title="Branding basics", topic="communication", language="fr")
    create_course(slug="c", title="Reporting in Jems", topic="jems", summary="Payment claims, step by step.")
    assert _slugs(client.get("/api/v1/courses?topic=finance")) == ["a"]
    assert _slugs(client.get("/api/v1/courses?language=fr")) == ["b"]
    assert _slugs(client.get("/api/v1/courses?level=advanced")) == ["a"]
    assert _slugs(client.get("/api/v1/courses?q=COST")) == ["a"]
    assert _slugs(client.get("/api/v1/courses?q=payment claims")) == ["c"]
    assert _slugs(client.get("/api/v1/courses?q=100%25")) == []
    assert _slugs(client.get("/api/v1/courses?topic=finance&level=introductory")) == []


def test_sorted_by_title(client):
    for title in ("Monitoring", "Audit", "Controls"):
        create_course(title=title)
    titles = [c["title"] for c in client.get("/api/v1/courses").json["items"]]
    assert titles == ["Audit", "Controls", "Monitoring"]


def test_pagination_links_keep_filters(client):
    for i in range(5):
        create_course(title=f"Course {i}", topic="finance")
    create_course(title="Other", topic="jems")
    first = client.get("/api/v1/courses?topic=finance&limit=2").json
    assert first["total"] == 5 and len(first["items"]) == 2
    assert first["links"]["prev"] is None
    assert first["links"]["next"] == "/api/v1/courses?topic=finance&limit=2&offset=2"
    second = client.get(first["links"]["next"]).json
    assert second["offset"] == 2
    assert second["links"]["prev"] == "/api/v1/courses?topic=finance&limit=2&offset=0"
    last = client.get(second["links"]["next"]).json
    assert [c["title"] for c in last["items"]] == ["Course 4"]
    assert last["links"]["next"] is None
    seen = [c["title"] for page in (first, second, last) for c in page["items"]]
    assert seen == [f"Course {i}" for i in range(5)]


def test_offset_past_the_end_is_an_empty_page(client):
    create_course()
    body = client.get("/api/v1/courses?offset=50").json
    assert body["items"] == [] and body["total"] == 1
    assert body["links"]["next"] is None


def test_course_detail(client):
    trainer = create_user(name="Tomas Trainer", trainer=True)
    create_course(slug="sco", title="Simplified cost options", modules=2, lessons_per_module=2, owners=(trainer,))
    body = client.get("/api/v1/courses/sco").json
    assert body["title"] == "Simplified cost options"
    assert body["description"].startswith("## About")
    assert body["trainers"] == ["Tomas Trainer"]
    assert [o["code"] for o in body["outcomes"]] == ["LO1", "LO2"]
    assert [m["key"] for m in body["modules"]] == ["m1", "m2"]
    assert body["modules"][1]["prerequisites"] == ["m1"]
    lesson = body["modules"][0]["lessons"][0]
    assert lesson == {"key": "m1-l1", "title": "Lesson 1.1", "minutes": 10, "required": True, "outcomes": ["LO1"]}
    assert "body" not in lesson  # lesson text is for enrolled learners
    assert "email" not in str(body)


def test_unpublished_course_detail_is_404(client):
    create_course(slug="draft", status=CourseStatus.DRAFT)
    response = client.get("/api/v1/courses/draft")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_catalogue_queries_do_not_grow(client, count_queries):
    for _i in range(3):
        create_course(modules=1)
    with count_queries() as small:
        assert client.get("/api/v1/courses").status_code == 200
    for _i in range(12):
        create_course(modules=1)
    with count_queries() as large:
        assert client.get("/api/v1/courses").status_code == 200
    assert small.count == large.count


def test_course_detail_queries_do_not_grow(client, count_queries):
    create_course(slug="small", modules=1, lessons_per_module=1, outcomes=1)
    create_course(slug="large", modules=8, lessons_per_module=6, outcomes=5)
    with count_queries() as small:
        assert client.get("/api/v1/courses/small").status_code == 200
    with count_queries() as large:
        assert client.get("/api/v1/courses/large").status_code == 200
    assert small.count == large.count
