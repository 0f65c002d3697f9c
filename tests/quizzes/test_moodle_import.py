"""GIFT files exported from Moodle (no [tag:...], $CATEGORY lines, format markers, repeated titles) import
through the browser preview once the trainer picks outcomes for the untagged questions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.quizzes.models import Question
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.quizzes.factories import create_course, outcome_key

MOODLE = """// question: 101  name: Reporting
$CATEGORY: $course$/top/Reporting

::Reporting::[html]<p>Who submits the <b>project</b> report?</p>{=The lead partner ~A partner ~The auditor}

::Reporting::[moodle]Who signs the partner report?{=The partner ~The lead partner}

$CATEGORY: $course$/top/Controls

::Controls::[markdown]Is a **first level** control done for every report?{T}
"""


@pytest.fixture
def owned(login):
    trainer = create_user(trainer=True)
    course = create_course(owners=(trainer,))
    login(trainer)
    return course


def _preview(client, course, **assign):
    page = f"/teach/{course.slug}/bank/import"
    data = {"csrf_token": csrf_token(client, page), "text": MOODLE, "mode": "valid"}
    data.update({f"assign:{category}": key for category, key in assign.items()})
    return client.post(page, data=data)


def test_untagged_questions_are_refused_until_an_outcome_is_chosen(client, owned):
    html = _preview(client, owned).get_data(as_text=True)
    assert "0 questions can be imported" in html and html.count("choose one below") == 3
    assert 'name="assign:*"' in html and "category “Reporting”" in html and "category “Controls”" in html


def test_one_outcome_for_all_and_one_per_category(client, owned, db):
    lo1, lo2 = outcome_key("LO1"), outcome_key("LO2")
    html = _preview(client, owned, **{"*": lo1, "Controls": lo2}).get_data(as_text=True)
    assert "3 questions can be imported (3 new" in html and html.count("(your choice)") == 3
    assert f'<input type="hidden" name="assign:Controls" value="{lo2}">' in html
    confirm = f"/teach/{owned.slug}/bank/import/confirm"
    token = csrf_token(client, f"/teach/{owned.slug}/bank/import")
    response = client.post(
        confirm,
        data={"csrf_token": token, "gift": MOODLE, "mode": "valid", "assign:*": lo1, "assign:Controls": lo2},
    )
    assert response.status_code == 302
    questions = db.session.scalars(select(Question).where(Question.course_id == owned.id)).all()
    by_text = {q.current_version.text: q for q in questions}
    assert len(questions) == 3
    # Repeated titles get distinct keys; nothing else changes.
    assert len({q.key for q in questions}) == 3
    control = next(q for t, q in by_text.items() if "first level" in t)
    assert control.current_version.outcome_keys == [lo2] and control.current_version.category == "Controls"
    assert all(q.current_version.outcome_keys == [lo1] for q in questions if q is not control)
    assert {q.current_version.title for q in questions} == {"Reporting", "Controls"}


def test_a_choice_per_question_wins_over_the_category_and_the_default(client, owned, db):
    lo1, lo3 = outcome_key("LO1"), outcome_key("LO3")
    html = _preview(client, owned, **{"*": lo1}).get_data(as_text=True)
    line = int(html.split('name="assign:line:', 1)[1].split('"', 1)[0])
    html = _preview(client, owned, **{"*": lo1, f"line:{line}": lo3}).get_data(as_text=True)
    assert "3 questions can be imported" in html and "<details open>" in html
    token = csrf_token(client, f"/teach/{owned.slug}/bank/import")
    data = {"csrf_token": token, "gift": MOODLE, "mode": "valid", "assign:*": lo1, f"assign:line:{line}": lo3}
    assert client.post(f"/teach/{owned.slug}/bank/import/confirm", data=data).status_code == 302
    keys = sorted(q.current_version.outcome_keys[0] for q in db.session.scalars(select(Question)).all())
    assert keys == sorted([lo1, lo1, lo3])
