"""Trainer pages: bank editing, GIFT upload with preview, export, quiz settings and slots, analysis,
essay grading, mastery table; and who may see them."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.extensions import db
from academy.quizzes.models import AttemptState, Question, Quiz, SlotKind
from academy.quizzes.services import bank
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.quizzes.factories import (
    create_course,
    create_learner,
    create_question,
    create_quiz,
    outcome_key,
    take_attempt,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
EXAMPLE = Path(__file__).parent / "data" / "every_feature.gift"


@pytest.fixture
def owned(login):
    """A course owned by a logged-in trainer."""
    trainer = create_user(name="Olga Owner", trainer=True)
    course = create_course(owners=(trainer,))
    login(trainer)
    return course


def _pages(course, quiz=None, question=None):
    s = course.slug
    pages = [f"/teach/{s}/bank", f"/teach/{s}/bank/new?type=single", f"/teach/{s}/bank/import",
             f"/teach/{s}/bank/export.gift", f"/teach/{s}/quizzes", f"/teach/{s}/quizzes/new", f"/teach/{s}/grading",
             f"/teach/{s}/mastery"]  # fmt: skip
    if quiz:
        pages += [f"/teach/{s}/quizzes/{quiz.id}/edit", f"/teach/{s}/quizzes/{quiz.id}/slots",
                  f"/teach/{s}/quizzes/{quiz.id}/analysis", f"/teach/{s}/quizzes/{quiz.id}/analysis.csv"]  # fmt: skip
    if question:
        pages += [f"/teach/{s}/bank/{question.id}", f"/teach/{s}/bank/{question.id}/edit"]
    return pages


def test_owner_and_admin_see_every_page_others_do_not(client, login):
    owner = create_user(trainer=True)
    course = create_course(owners=(owner,))
    question = create_question(course)
    quiz = create_quiz(course, questions=[question])
    take_attempt(quiz, create_learner(course), {1: 0}, now=T0)
    pages = _pages(course, quiz, question)
    for path in pages:
        assert client.get(path).status_code == 302, path  # anonymous: to the login page
    login(create_user(trainer=True))  # a trainer, but not of this course
    for path in pages:
        assert client.get(path).status_code == 403, path
    login(create_learner(course))
    for path in pages:
        assert client.get(path).status_code == 403, path
    for user in (owner, create_user(admin=True)):
        login(user)
        for path in pages:
            assert client.get(path).status_code == 200, path
    assert client.get("/teach/no-such-course/bank").status_code == 404


def test_objects_of_another_course_are_not_found(client, owned):
    other = create_course()
    question = create_question(other)
    quiz = create_quiz(other, questions=[question])
    s = owned.slug
    assert client.get(f"/teach/{s}/bank/{question.id}").status_code == 404
    assert client.get(f"/teach/{s}/quizzes/{quiz.id}/edit").status_code == 404
    assert client.get(f"/teach/{s}/quizzes/{quiz.id}/analysis").status_code == 404


def _question_form(**overrides):
    data = {
        "title": "Lead partner",
        "text": "Who reports to the joint secretariat?",
        "text_format": "markdown",
        "points": "2",
        "category": "Reporting",
        "outcomes": [outcome_key("LO1"), outcome_key("LO2")],
        "general_feedback": "The lead partner principle.",
        "answers-0-text": "The lead partner",
        "answers-0-weight": "100",
        "answers-0-feedback": "Yes",
        "answers-1-text": "Each partner",
        "answers-1-weight": "",
        "answers-1-feedback": "",
    }
    data.update(overrides)
    return data


def test_create_a_question_in_the_browser(client, owned):
    url = f"/teach/{owned.slug}/bank/new?type=single"
    form = _question_form(csrf_token=csrf_token(client, url))
    response = client.post(url, data=form)
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    version = question.current_version
    assert (version.title, version.text_format, version.points, version.category) == (
        "Lead partner",
        "markdown",
        2.0,
        "Reporting",
    )
    assert version.outcome_keys == [outcome_key("LO1"), outcome_key("LO2")]
    assert version.data["choices"] == [
        {"text": "The lead partner", "weight": 100.0, "feedback": "Yes"},
        {"text": "Each partner", "weight": 0.0, "feedback": ""},
    ]
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The lead partner" in preview and "100%" in preview


def test_answer_rows_grow_without_losing_what_was_typed(client, owned):
    url = f"/teach/{owned.slug}/bank/new?type=single"
    html = client.get(url).get_data(as_text=True)
    assert html.count('name="answers-') // 3 == 4 and "Add another answer" in html  # 4 rows, not 8 blank ones
    form = _question_form(csrf_token=csrf_token(client, url), add_row="1", **{f"answers-{i}-text": "" for i in (2, 3)})
    response = client.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" not in html
    assert 'name="answers-4-text"' in html and 'value="The lead partner"' in html and 'value="Lead partner"' in html
    assert db.session.scalar(select(Question)) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcomes": []}, "This field is required."),
        ({"answers-0-weight": "50"}, "needs one answer worth 100%"),
        ({"answers-1-text": ""}, "at least two answers"),
        ({"answers-0-weight": "250"}, "Number must be between -100 and 100."),
        ({"points": "0"}, "Number must be between 0.01 and 1000."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_invalid_question_form_is_refused_with_400_and_nothing_saved(client, owned, overrides, message):
    url = f"/teach/{owned.slug}/bank/new?type=single"
    response = client.post(url, data=_question_form(csrf_token=csrf_token(client, url), **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


@pytest.mark.parametrize(
    ("qtype", "fields", "expected"),
    [
        (
            "numerical",
            {"answers-0-text": "15", "answers-1-text": "14..16", "answers-1-weight": "50", "feedback_wrong": "No"},
            {
                "answers": [
                    {"value": 15.0, "tolerance": 0.0, "weight": 100.0, "feedback": ""},
                    {"min": 14.0, "max": 16.0, "weight": 50.0, "feedback": ""},
                ],
                "feedback_wrong": "No",
            },
        ),
        (
            "matching",
            {
                "answers-0-text": "HIT",
                "answers-0-match": "Tools",
                "answers-1-text": "Jems",
                "answers-1-match": "System",
                "answers-2-match": "Extra",
            },
            {
                "pairs": [
                    {"left": "HIT", "right": "Tools"},
                    {"left": "Jems", "right": "System"},
                    {"left": "", "right": "Extra"},
                ]
            },
        ),
        (
            "truefalse",
            {"correct": "false", "feedback_right": "Yes", "feedback_wrong": "No"},
            {"answer": False, "feedback_right": "Yes", "feedback_wrong": "No"},
        ),
        (
            "short",
            {"answers-0-text": "Jems", "answers-1-text": "*ems", "answers-1-weight": "50", "case_sensitive": "y"},
            {
                "answers": [
                    {"text": "Jems", "weight": 100.0, "feedback": ""},
                    {"text": "*ems", "weight": 50.0, "feedback": ""},
                ],
                "case_sensitive": True,
            },
        ),
        ("essay", {}, {}),
    ],
)
def test_every_type_can_be_written_in_the_browser(client, owned, qtype, fields, expected):
    url = f"/teach/{owned.slug}/bank/new?type={qtype}"
    form = {
        "csrf_token": csrf_token(client, url),
        "title": "T",
        "text": "Text",
        "text_format": "moodle",
        "points": "1",
        "outcomes": [outcome_key("LO3")],
        **fields,
    }
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(Question)).current_version.data == expected


def test_numerical_typo_is_a_400(client, owned):
    url = f"/teach/{owned.slug}/bank/new?type=numerical"
    form = {"csrf_token": csrf_token(client, url), "title": "T", "text": "x", "text_format": "moodle", "points": "1",
            "outcomes": [outcome_key("LO1")], "answers-0-text": "fifteen"}  # fmt: skip
    response = client.post(url, data=form)
    assert response.status_code == 400
    assert "“fifteen” is not a number" in response.get_data(as_text=True)


def test_editing_a_used_question_in_the_browser_makes_a_new_version(client, owned):
    question = create_question(owned, title="Old")
    quiz = create_quiz(owned, questions=[question])
    take_attempt(quiz, create_learner(owned), {1: 0}, now=T0)
    url = f"/teach/{owned.slug}/bank/{question.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Saving a change creates version 2" in page
    assert 'value="The lead partner"' in page
    response = client.post(url, data=_question_form(csrf_token=csrf_token(client, url), title="New"))
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.title for v in question.versions] == ["Old", "New"]


def test_archive_and_restore(client, owned):
    question = create_question(owned, title="Removable")
    url = f"/teach/{owned.slug}/bank/{question.id}/archive"
    token = csrf_token(client, f"/teach/{owned.slug}/bank/{question.id}")
    client.post(url, data={"csrf_token": token})
    assert bank.list_questions(owned) == []
    client.post(url, data={"csrf_token": token, "restore": "1"})
    assert [q.id for q in bank.list_questions(owned)] == [question.id]


def test_bank_escapes_titles_and_filters(client, owned):
    create_question(owned, title="<script>alert(1)</script>", category="Finance", outcomes=("LO1",))
    create_question(owned, title="Audit trail", category="Audit", outcomes=("LO2",))
    html = client.get(f"/teach/{owned.slug}/bank").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    filtered = client.get(f"/teach/{owned.slug}/bank?category=Audit").get_data(as_text=True)
    assert "Audit trail" in filtered and "alert(1)" not in filtered
    by_outcome = client.get(f"/teach/{owned.slug}/bank?outcome={outcome_key('LO1')}").get_data(as_text=True)
    assert "Audit trail" not in by_outcome


def test_bank_page_queries_do_not_grow(client, login, count_queries):
    counts = []
    for n in (2, 12):
        trainer = create_user(trainer=True)
        course = create_course(owners=(trainer,))
        for i in range(n):
            create_question(course, category=f"Cat{i % 3}")
        login(trainer)
        with count_queries() as q:
            assert client.get(f"/teach/{course.slug}/bank").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


BAD_AND_GOOD = """// [tag:LO1]
::Good one:: A statement. {T}

// [tag:LO9]
::Unknown tag:: A statement. {T}

// [tag:LO2]
::Broken:: A statement. {=a
"""


def _upload(client, course, source: str, mode: str):
    url = f"/teach/{course.slug}/bank/import"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "mode": mode, "file": (io.BytesIO(source.encode()), "q.gift")},
        content_type="multipart/form-data",
    )


def test_upload_shows_a_preview_and_saves_nothing_until_confirmed(client, owned):
    response = _upload(client, owned, BAD_AND_GOOD, "valid")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 questions can be imported (1 new, 0 updated, 0 unchanged); 2 cannot." in html
    assert re.search(r"<th scope=\"row\">5</th><td>Unknown tag</td><td>The tag LO9 matches no learning outcome", html)
    assert re.search(r"<th scope=\"row\">8</th><td>Broken</td><td>The braces", html)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    gift = re.search(r'id="gift" name="gift" type="hidden" value="([^"]*)"', html)
    assert gift is not None
    response = client.post(
        f"/teach/{owned.slug}/bank/import/confirm", data={"csrf_token": token, "gift": BAD_AND_GOOD, "mode": "valid"}
    )
    assert response.status_code == 302
    assert [q.current_version.title for q in bank.list_questions(owned)] == ["Good one"]
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: 1 new, 0 updated, 0 unchanged, 2 refused." in flashed


def test_import_nothing_mode_offers_no_confirmation(client, owned):
    html = _upload(client, owned, BAD_AND_GOOD, "all").get_data(as_text=True)
    assert "Fix the file and upload it again." in html
    assert "/bank/import/confirm" not in html
    token = csrf_token(client, f"/teach/{owned.slug}/bank/import")
    response = client.post(
        f"/teach/{owned.slug}/bank/import/confirm", data={"csrf_token": token, "gift": BAD_AND_GOOD, "mode": "all"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/bank/import")
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_upload_without_content_or_not_utf8_is_a_400(client, owned):
    url = f"/teach/{owned.slug}/bank/import"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "mode": "valid"})
    assert response.status_code == 400 and "Choose a GIFT file" in response.get_data(as_text=True)
    response = _upload(client, owned, "", "valid")
    assert response.status_code == 400
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "mode": "valid",
            "file": (io.BytesIO(b"\xff\xfe\x00bad"), "q.gift"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "not UTF-8" in response.get_data(as_text=True)


def test_import_the_example_and_download_the_export(client, owned):
    html = _upload(client, owned, EXAMPLE.read_text(), "all").get_data(as_text=True)
    assert "12 questions can be imported" in html
    token = csrf_token(client, f"/teach/{owned.slug}/bank/import")
    client.post(
        f"/teach/{owned.slug}/bank/import/confirm",
        data={"csrf_token": token, "gift": EXAMPLE.read_text(), "mode": "all"},
    )
    response = client.get(f"/teach/{owned.slug}/bank/export.gift")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{owned.slug}-questions.gift"'
    body = response.get_data(as_text=True)
    assert "// [id:tools-match]" in body and "$CATEGORY: Reporting/Numbers" in body
    only = client.get(f"/teach/{owned.slug}/bank/export.gift?category=Tools").get_data(as_text=True)
    assert "tools-match" in only and "report-lead" not in only


def _quiz_form(**overrides):
    data = {
        "title": "Final check",
        "description": "Covers reporting.",
        "module_key": "m1",
        "published": "y",
        "required": "y",
        "pass_mark": "70",
        "max_attempts": "3",
        "grading_method": "highest",
        "time_limit_minutes": "20",
        "per_page": "1",
        "shuffle_answers": "y",
        "opens_at": "2025-03-01T08:00",
        "closes_at": "2025-04-01T08:00",
        "review_score_after": "y",
        "review_feedback_closed": "y",
    }
    data.update(overrides)
    return data


def test_create_and_edit_a_quiz(client, owned):
    url = f"/teach/{owned.slug}/quizzes/new"
    response = client.post(url, data=_quiz_form(csrf_token=csrf_token(client, url)))
    assert response.status_code == 302
    quiz = db.session.scalar(select(Quiz))
    assert (quiz.title, quiz.module_key, quiz.max_attempts, quiz.time_limit_minutes) == ("Final check", "m1", 3, 20)
    # Typed in the trainer's time zone (Europe/Brussels by default, UTC+1 in March), stored in UTC.
    assert quiz.opens_at == datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
    assert (quiz.review_score_after, quiz.review_answers_after, quiz.review_feedback_closed) == (True, False, True)
    edit = f"/teach/{owned.slug}/quizzes/{quiz.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="2025-03-01T08:00"' in page and "In your time zone, Europe/Brussels" in page
    response = client.post(
        edit, data=_quiz_form(csrf_token=csrf_token(client, edit), max_attempts="", grading_method="last")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert quiz.max_attempts is None and quiz.grading_method == "last"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"closes_at": "2025-02-01T08:00"}, "The quiz must close after it opens."),
        ({"pass_mark": "120"}, "Number must be between 0 and 100."),
        ({"title": ""}, "This field is required."),
        ({"max_attempts": "0"}, "Number must be between 1 and 100."),
    ],
)
def test_invalid_quiz_settings_are_a_400(client, owned, overrides, message):
    url = f"/teach/{owned.slug}/quizzes/new"
    response = client.post(url, data=_quiz_form(csrf_token=csrf_token(client, url), **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_slots_add_move_remove(client, owned):
    question = create_question(owned, title="Fixed one")
    for _ in range(2):
        create_question(owned, outcomes=("LO2",))
    quiz = create_quiz(owned)
    url = f"/teach/{owned.slug}/quizzes/{quiz.id}/slots"
    client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "kind": "question", "question_id": str(question.id), "count": "1"},
    )
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "kind": "outcome",
            "outcome_key": outcome_key("LO2"),
            "count": "2",
        },
    )
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "kind": "outcome",
            "outcome_key": outcome_key("LO3"),
            "count": "1",
        },
    )
    assert response.status_code == 302  # allowed, but flagged as short
    page = client.get(url).get_data(as_text=True)
    assert "Fixed one" in page and "only 0 available" in page
    db.session.expire_all()
    assert [(s.kind, s.count) for s in quiz.slots] == [
        (SlotKind.QUESTION, 1),
        (SlotKind.OUTCOME, 2),
        (SlotKind.OUTCOME, 1),
    ]
    last = quiz.slots[-1]
    token = csrf_token(client, url)
    client.post(f"{url}/{last.id}", data={"csrf_token": token, "action": "up"})
    db.session.expire_all()
    assert [s.id for s in quiz.slots][1] == last.id
    asked = client.post(f"{url}/{last.id}", data={"csrf_token": token, "action": "remove"})
    assert "Remove this slot from the quiz?" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert len(quiz.slots) == 3  # nothing removed before the confirmation
    client.post(f"{url}/{last.id}", data={"csrf_token": token, "action": "remove", "confirmed": "yes"})
    db.session.expire_all()
    assert len(quiz.slots) == 2
    response = client.post(
        url, data={"csrf_token": token, "kind": "question", "question_id": str(question.id), "count": "1"}
    )
    assert response.status_code == 400 and "already in the quiz" in response.get_data(as_text=True)


def test_analysis_page_and_csv(client, owned):
    questions = [create_question(owned, title=f"=Q{i}") for i in range(3)]
    quiz = create_quiz(owned, questions=questions, title="Final")
    for answers in ({1: 0, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 1}, {1: 0, 2: 1, 3: 1}):
        take_attempt(quiz, create_learner(owned), answers, now=T0)
    html = client.get(f"/teach/{owned.slug}/quizzes/{quiz.id}/analysis").get_data(as_text=True)
    assert "3 graded attempts" in html
    assert '<svg class="histogram"' in html and '<title id="hist-title">' in html
    assert "Distribution as a table" in html
    assert "Very easy" in html  # everyone got =Q0 right
    csv_body = client.get(f"/teach/{owned.slug}/quizzes/{quiz.id}/analysis.csv")
    assert csv_body.mimetype == "text/csv"
    assert "'=Q0" in csv_body.get_data(as_text=True)


def test_grading_an_essay_in_the_browser(client, owned):
    essay = create_question(owned, type="essay", points=4)
    quiz = create_quiz(owned, questions=[essay])
    attempt = take_attempt(quiz, create_learner(owned, name="Erik Essayist"), {1: "Visible <b>branding</b>"}, now=T0)
    url = f"/teach/{owned.slug}/grading"
    page = client.get(url).get_data(as_text=True)
    assert "Erik Essayist" in page and "Visible &lt;b&gt;branding&lt;/b&gt;" in page
    response_id = attempt.responses[0].id
    bad = client.post(f"{url}/{response_id}", data={"csrf_token": csrf_token(client, url), "points": "many"})
    assert bad.status_code == 400
    too_many = client.post(
        f"{url}/{response_id}", data={"csrf_token": csrf_token(client, url), "points": "9", "comment": "Clear & short"}
    )
    # Refused on the form itself: what the trainer typed is still there.
    html = too_many.get_data(as_text=True)
    assert too_many.status_code == 400 and "Clear &amp; short</textarea>" in html and 'value="9"' in html
    db.session.expire_all()
    assert attempt.state == AttemptState.SUBMITTED
    client.post(f"{url}/{response_id}", data={"csrf_token": csrf_token(client, url), "points": "3", "comment": "Good"})
    db.session.expire_all()
    assert attempt.state == AttemptState.GRADED and attempt.percent == 75.0
    assert "Nothing waits for grading." in client.get(url).get_data(as_text=True)


def test_grading_a_response_of_another_course_is_404(client, owned):
    other = create_course()
    quiz = create_quiz(other, questions=[create_question(other, type="essay")])
    attempt = take_attempt(quiz, create_learner(other), {1: "text"}, now=T0)
    url = f"/teach/{owned.slug}/grading"
    response = client.post(
        f"{url}/{attempt.responses[0].id}", data={"csrf_token": csrf_token(client, url), "points": "1"}
    )
    assert response.status_code == 404


def test_mastery_table_page(client, owned):
    q1 = create_question(owned, outcomes=("LO1",))
    q2 = create_question(owned, outcomes=("LO2",))
    quiz = create_quiz(owned, questions=[q1, q2])
    take_attempt(quiz, create_learner(owned, name="Ana <Learner>"), {1: 0, 2: 1}, now=T0)
    create_learner(owned, name="Ben Nothing")
    html = client.get(f"/teach/{owned.slug}/mastery").get_data(as_text=True)
    assert "Ana &lt;Learner&gt;" in html and "Ben Nothing" in html
    assert "<strong>100%</strong>" in html  # LO1 mastered (threshold 70%)
    assert "0%" in html
    assert html.count('title="no evidence yet"') == 4  # Ana: LO3; Ben: all three


def test_deleting_a_quiz(client, owned):
    quiz = create_quiz(owned, questions=[create_question(owned)])
    used = create_quiz(owned, questions=[create_question(owned)])
    take_attempt(used, create_learner(owned), {1: 0}, now=T0)
    token = csrf_token(client, f"/teach/{owned.slug}/quizzes/{quiz.id}/edit")
    client.post(f"/teach/{owned.slug}/quizzes/{quiz.id}/delete", data={"csrf_token": token, "confirmed": "yes"})
    response = client.post(
        f"/teach/{owned.slug}/quizzes/{used.id}/delete", data={"csrf_token": token, "confirmed": "yes"}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "unpublish it instead" in page
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 1


def test_analysis_and_grading_pages_queries_do_not_grow(client, login, count_queries):
    counts = []
    for n in (2, 9):
        trainer = create_user(trainer=True)
        course = create_course(owners=(trainer,))
        quiz = create_quiz(course, questions=[create_question(course), create_question(course, type="essay")])
        for i in range(n):
            take_attempt(quiz, create_learner(course), {1: i % 2, 2: f"Essay {i}"}, now=T0)
        other = create_quiz(course, questions=[create_question(course)])
        for i in range(n):
            take_attempt(other, create_learner(course), {1: i % 2}, now=T0)
        login(trainer)
        with count_queries() as q:
            assert client.get(f"/teach/{course.slug}/quizzes/{other.id}/analysis").status_code == 200
            assert client.get(f"/teach/{course.slug}/grading").status_code == 200
            assert client.get(f"/teach/{course.slug}/quizzes").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_quiz_times_follow_the_trainers_time_zone(client, owned):
    trainer = owned.owners[0]
    trainer.timezone = "Europe/Helsinki"  # UTC+2 in winter
    db.session.commit()
    url = f"/teach/{owned.slug}/quizzes/new"
    client.post(url, data=_quiz_form(csrf_token=csrf_token(client, url)))
    quiz = db.session.scalar(select(Quiz))
    assert quiz.opens_at == datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    page = client.get(f"/teach/{owned.slug}/quizzes/{quiz.id}/edit").get_data(as_text=True)
    assert 'value="2025-03-01T08:00"' in page and "Europe/Helsinki" in page
