"""A course address can never be a word the site's routes use (`/teach/programmes/...` is the programme editor)."""

import pytest

from academy.courses.services import authoring
from academy.exceptions import ServiceError
from tests.factories import create_user


@pytest.mark.parametrize("word", ["programmes", "sessions", "new"])
def test_a_course_cannot_take_a_route_word_as_its_slug(app, word):
    trainer = create_user(trainer=True)
    with pytest.raises(ServiceError) as refused:
        authoring.create_course(slug=word, owner=trainer, title="Programmes in Jems")
    assert refused.value.field == "slug"
    assert "name of a page of the site" in refused.value.message


def test_every_course_page_of_an_allowed_slug_reaches_its_own_view(app):
    """Any slug the service accepts routes each course URL (quizzes, bank, grading...) to the course's view."""
    adapter = app.url_map.bind("localhost")
    reserved = authoring.reserved_slugs()
    assert {"programmes", "sessions"} <= reserved
    course_rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in {"courses", "quizzes"}]
    checked = 0
    for rule in course_rules:
        if "slug" not in rule.arguments:
            continue
        values = {name: 1 if name.endswith("_id") else "m1-l1" for name in rule.arguments}
        for slug in ("jems-basics", "programmes-101"):
            url = adapter.build(
                rule.endpoint, {**values, "slug": slug}, method=next(iter(rule.methods - {"HEAD", "OPTIONS"}))
            )
            endpoint, _ = adapter.match(url, method=next(iter(rule.methods - {"HEAD", "OPTIONS"})))
            assert endpoint == rule.endpoint, url
            checked += 1
    assert checked > 20
    # The reserved words are exactly the ones that would have been shadowed.
    shadowed = set()
    for rule in course_rules:
        if rule.rule.startswith("/teach/<slug>/"):
            method = next(iter(rule.methods - {"HEAD", "OPTIONS"}))
            values = {name: 1 if name.endswith("_id") else "x" for name in rule.arguments}
            for word in ("programmes", "sessions"):
                url = adapter.build(rule.endpoint, {**values, "slug": word}, method=method)
                try:
                    endpoint, _ = adapter.match(url, method=method)
                except Exception:  # another route's method or converter refused it
                    endpoint = None
                if endpoint != rule.endpoint:
                    shadowed.add(word)
    assert "programmes" in shadowed and shadowed <= reserved


def test_a_course_package_with_a_route_word_slug_is_refused(app, tmp_path):
    from academy.courses.packages import reader

    folder = tmp_path / "programmes"
    folder.mkdir()
    (folder / "course.yaml").write_text("slug: programmes\ntitle: Programmes\n", encoding="utf-8")
    _, errors = reader.read_package(folder)
    assert any("name of a page of the site" in str(e) for e in errors)
