from academy.courses.models import Level
from tests.courses.factories import create_course, enrol


def test_catalogue_lists_published_courses_only(client):
    create_course(title="Jems in practice")
    create_course(title="Secret draft", published=False)
    create_course(title="Old archived", archived=True)
    html = client.get("/courses").get_data(as_text=True)
    assert "Jems in practice" in html
    assert "Secret draft" not in html
    assert "Old archived" not in html


def test_search_matches_title_summary_and_topic(client):
    create_course(title="Jems in practice", topic="Monitoring")
    create_course(title="Simplified cost options", summary="Flat rates and lump sums.", topic="Finance")
    html = client.get("/courses?q=lump").get_data(as_text=True)
    assert "Simplified cost options" in html and "Jems in practice" not in html
    html = client.get("/courses?q=monitoring").get_data(as_text=True)
    assert "Jems in practice" in html and "Simplified cost options" not in html


def test_search_treats_wildcards_literally(client):
    create_course(title="Jems in practice")
    html = client.get("/courses?q=%25").get_data(as_text=True)
    assert "Jems in practice" not in html
    assert "No course matches your search" in html


def test_filters_by_topic_language_and_level(client):
    create_course(title="Finance basics", topic="Finance", language="en", level=Level.INTRODUCTORY)
    create_course(title="Finanzen vertieft", topic="Finance", language="de", level=Level.ADVANCED)
    create_course(title="Brand book", topic="Communication", language="en", level=Level.INTRODUCTORY)
    html = client.get("/courses?topic=Finance").get_data(as_text=True)
    assert "Finance basics" in html and "Finanzen vertieft" in html and "Brand book" not in html
    html = client.get("/courses?language=de").get_data(as_text=True)
    assert "Finanzen vertieft" in html and "Finance basics" not in html
    html = client.get("/courses?level=advanced").get_data(as_text=True)
    assert "Finanzen vertieft" in html and "Brand book" not in html
    # The menus offer what the catalogue holds, with labels.
    assert '<option value="de">German</option>' in html
    assert '<label class="field__label" for="topic">Topic</label>' in html


def test_unknown_filter_values_are_harmless(client):
    create_course(title="Finance basics")
    response = client.get("/courses?level=expert&page=abc")
    assert response.status_code == 200
    assert "Finance basics" in response.get_data(as_text=True)


def test_titles_are_escaped(client):
    create_course(title="<script>alert(1)</script> course")
    html = client.get("/courses").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_catalogue_marks_enrolled_courses(client, learner):
    course = create_course(title="Jems in practice")
    enrol(learner, course)
    assert "Enrolled" in client.get("/courses").get_data(as_text=True)


def test_catalogue_paginates(client):
    for i in range(14):
        create_course(title=f"Course {i:02d}")
    html = client.get("/courses").get_data(as_text=True)
    assert "Course 00" in html and "Course 13" not in html and "Page 1 of 2" in html
    assert "Course 13" in client.get("/courses?page=2").get_data(as_text=True)


def test_catalogue_queries_do_not_grow(client, learner, count_queries):
    first = create_course(modules=5)
    enrol(learner, first)
    client.get("/courses")
    with count_queries() as small:
        assert client.get("/courses").status_code == 200
    for _ in range(10):
        enrol(learner, create_course(modules=50, lessons=1))
    with count_queries() as large:
        assert client.get("/courses").status_code == 200
    assert small.count == large.count
