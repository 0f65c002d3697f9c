"""The trainer's course workspace: tabs on every page, the Learners gradebook, safe publishing, quiz preview."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from academy.courses.models import VersionStatus
from academy.extensions import db
from academy.quizzes import readiness
from academy.quizzes.models import Attempt, QuestionType, Response
from academy.quizzes.services import bank
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.spec import QuestionSpec
from tests.conftest import csrf_token
from tests.courses.factories import create_course as create_full_course
from tests.factories import create_user
from tests.quizzes.factories import (
    DATA,
    create_course,
    create_learner,
    create_question,
    create_quiz,
    enrol,
    outcome_key,
    take_attempt,
)

TABS = ["Content", "Assessment", "Grading", "Learners", "Analytics", "Certificates", "Settings"]


@pytest.fixture
def owner(login):
    trainer = create_user(name="Olga Owner", trainer=True)
    login(trainer)
    return trainer


def _tagged(course, *keys: str, title: str = "Who reports?"):
    """A single-choice question of a course built by the courses factory (outcome keys lo1, lo2...)."""
    spec = QuestionSpec(type=QuestionType.SINGLE, title=title, text="Who submits the report?", data=DATA["single"])
    question = bank.create_question(course, spec, list(keys))
    db.session.commit()
    return question


def _tabs(html: str) -> list[str]:
    nav = html.split('aria-label="Course workspace"', 1)[1].split("</nav>", 1)[0]
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


def _current(html: str) -> str:
    nav = html.split('aria-label="Course workspace"', 1)[1].split("</nav>", 1)[0]
    return re.search(r'aria-current="(?:page|true)">([^<]+)<', nav).group(1)


@pytest.mark.parametrize(
    ("path", "tab"),
    [
        ("/trainer/courses/{slug}", "Content"),
        ("/trainer/courses/{slug}/modules/new", "Content"),
        ("/teach/{slug}/bank", "Assessment"),
        ("/teach/{slug}/quizzes", "Assessment"),
        ("/teach/{slug}/bank/import", "Assessment"),
        ("/teach/{slug}/grading", "Grading"),
        ("/teach/{slug}/learners", "Learners"),
        ("/teach/{slug}/mastery", "Analytics"),
        ("/certificates/course/{slug}", "Certificates"),
        ("/trainer/courses/{slug}/settings", "Settings"),
        ("/trainer/courses/{slug}/edit", "Settings"),
    ],
)
def test_every_workspace_page_shows_the_same_tabs_with_its_own_marked(client, owner, path, tab):
    course = create_full_course(owner=owner, title="Simplified cost options")
    html = client.get(path.format(slug=course.slug)).get_data(as_text=True)
    assert _tabs(html) == TABS
    assert _current(html) == tab
    # Breadcrumbs lead back to the list and to the course.
    crumbs = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/trainer/courses"' in crumbs and f'href="/trainer/courses/{course.slug}"' in crumbs


def test_a_page_below_a_tab_names_it_in_the_breadcrumbs(client, owner):
    course = create_course(owners=(owner,))
    quiz = create_quiz(course, questions=[create_question(course)], title="Check on SCOs")
    html = client.get(f"/teach/{course.slug}/quizzes/{quiz.id}/analysis").get_data(as_text=True)
    crumbs = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="/teach/{course.slug}/mastery">Analytics</a>' in crumbs and "Item analysis" in crumbs


def test_the_workspace_is_for_owners_only(client, login):
    course = create_course(owners=(create_user(trainer=True),))
    login(create_user(trainer=True))
    assert client.get(f"/teach/{course.slug}/learners").status_code == 403
    assert client.get(f"/teach/{course.slug}/learners.csv").status_code == 403


# --- Learners: the gradebook ------------------------------------------------------------------


def _gradebook_course(owner):
    course = create_full_course(owner=owner, modules=2, lessons=2, outcomes=2)
    quiz = create_quiz(course, questions=[_tagged(course, "lo1")])
    ann = create_user(name="Ann Able", commit=False)
    bob = create_user(name="Bob Best", commit=False)
    enrol(ann, course, commit=False)
    enrolment = enrol(bob, course, commit=False)
    from academy.courses.models import LessonProgress

    for key in ("m1-l1", "m1-l2", "m2-l1"):
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=key))
    db.session.commit()
    take_attempt(quiz, ann, {1: 1})  # a wrong answer: 0 % on LO1
    take_attempt(quiz, bob, {1: 0})  # right: 100 %
    return course


def test_gradebook_shows_progress_per_module_and_mastery_per_outcome(client, owner):
    course = _gradebook_course(owner)
    html = client.get(f"/teach/{course.slug}/learners").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    assert [re.match(r"[^<]+", r).group(0) for r in rows] == ["Ann Able", "Bob Best"]
    bob = rows[1]
    assert "75%" in bob and "2/2" in bob and "1/2" in bob and "<strong>100%</strong>" in bob


def test_gradebook_sorts_by_any_column_and_exports_that_order(client, owner):
    course = _gradebook_course(owner)
    html = client.get(f"/teach/{course.slug}/learners?sort=progress&order=desc").get_data(as_text=True)
    assert html.index("Bob Best") < html.index("Ann Able")
    assert 'aria-sort="descending"' in html
    html = client.get(f"/teach/{course.slug}/learners?sort=outcome:lo1").get_data(as_text=True)
    assert html.index("Ann Able") < html.index("Bob Best")
    # An unknown column falls back to names.
    assert client.get(f"/teach/{course.slug}/learners?sort=password").status_code == 200
    response = client.get(f"/teach/{course.slug}/learners.csv?sort=progress&order=desc")
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:3] == ["name", "email", "organisation"] and "LO1 mastery %" in table[0]
    assert [row[0] for row in table[1:]] == ["Bob Best", "Ann Able"]
    assert table[1][6] == "75" and table[1][table[0].index("LO1 mastery %")] == "100"


def test_gradebook_takes_a_constant_number_of_queries(client, owner, count_queries):
    small = _gradebook_course(owner)
    large = _gradebook_course(owner)
    for n in range(5):
        create_learner(large, name=f"Extra {n}")
    with count_queries() as q_small:
        client.get(f"/teach/{small.slug}/learners")
    with count_queries() as q_large:
        client.get(f"/teach/{large.slug}/learners")
    assert q_small.count == q_large.count


# --- safe to publish --------------------------------------------------------------------------


def _draft(owner):
    course = create_full_course(owner=owner, modules=1, lessons=1, outcomes=1, published=False)
    return course, course.versions[0]


def test_a_required_quiz_that_cannot_start_blocks_publishing(client, owner):
    course, version = _draft(owner)
    _tagged(course, "lo1")
    quiz = create_quiz(course, title="Final check")
    quiz_services.add_slot(quiz, "outcome", outcome_key="lo1", count=3)
    db.session.commit()
    problems, _warnings = readiness.course_review(version)
    assert problems == ["Quiz “Final check”, slot 1 asks for 3 questions but the bank holds 1 that fit."]
    page = f"/trainer/courses/{course.slug}"
    response = client.post(f"{page}/publish", data={"csrf_token": csrf_token(client, page), "confirm_warnings": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert course.versions[0].status == VersionStatus.DRAFT
    follow = client.get(response.location).get_data(as_text=True)
    assert "slot 1 asks for 3 questions but the bank holds 1 that fit" in follow
    # Fixed: the slot asks for one question; publishing goes through.
    quiz.slots[0].count = 1
    db.session.commit()
    client.post(f"{page}/publish", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert course.versions[0].status == VersionStatus.PUBLISHED


def test_an_empty_required_quiz_blocks_and_an_optional_one_warns(owner):
    course, version = _draft(owner)
    create_quiz(course, title="Empty")
    create_quiz(course, title="Optional", required=False)
    problems, warnings = readiness.course_review(version)
    assert problems == ["Quiz “Empty” has no questions."]
    assert "Quiz “Optional” has no questions." in warnings


def test_an_unevidenced_outcome_needs_a_confirmation(client, owner):
    course, version = _draft(owner)
    version.modules[0].lessons[0].outcomes = []
    db.session.commit()
    problems, warnings = readiness.course_review(version)
    assert problems == [] and warnings == ["Learning outcome LO1: no lesson and no question evidences it."]
    page = f"/trainer/courses/{course.slug}"
    settings = client.get(f"{page}/settings").get_data(as_text=True)
    assert "I have read the warnings and want to publish anyway" in settings
    client.post(f"{page}/publish", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert course.versions[0].status == VersionStatus.DRAFT
    client.post(f"{page}/publish", data={"csrf_token": csrf_token(client, page), "confirm_warnings": "yes"})
    db.session.expire_all()
    assert course.versions[0].status == VersionStatus.PUBLISHED


def test_a_threshold_no_published_quiz_can_reach_warns(owner):
    course = create_full_course(owner=owner, modules=1, lessons=1, outcomes=2, published=False)
    create_quiz(course, questions=[_tagged(course, "lo2")])
    _problems, warnings = readiness.course_review(course.versions[0])
    assert warnings == [
        "Learning outcome LO1: no published quiz asks a question about it, so no learner can reach its mastery "
        "threshold of 70%."
    ]


def test_adding_a_slot_the_bank_cannot_fill_warns_at_once(client, owner):
    course = create_course(owners=(owner,))
    create_question(course, outcomes=("LO1",))
    quiz = create_quiz(course)
    page = f"/teach/{course.slug}/quizzes/{quiz.id}/slots"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "kind": "outcome",
            "outcome_key": outcome_key("LO1"),
            "count": "4",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "it asks for 4 questions and the bank holds only 1 that fit" in html


def test_start_page_counts_quizzes_learners_cannot_start(client, owner):
    course = create_course(owners=(owner,), title="Jems for controllers")
    create_quiz(course, title="Empty")
    html = client.get("/").get_data(as_text=True)
    assert f'href="/teach/{course.slug}/quizzes">Jems for controllers: 1 quiz learners cannot start</a>' in html


# --- preview as a learner ---------------------------------------------------------------------


def test_preview_takes_a_quiz_without_recording_anything(client, owner):
    course = create_course(owners=(owner,))
    quiz = create_quiz(
        course, questions=[create_question(course), create_question(course, type="essay")], shuffle_questions=False
    )
    page = f"/teach/{course.slug}/quizzes/{quiz.id}/preview"
    html = client.get(page).get_data(as_text=True)
    assert "Nothing is recorded" in html and "Who submits the progress report" in html
    seed = re.search(r'name="seed" value="(\d+)"', html).group(1)
    response = client.post(
        page, data={"csrf_token": csrf_token(client, page), "seed": seed, "q1": "0", "q2": "Lead partner."}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Score: 1 of 2 points (50%)" in html and "1 essay would wait for a trainer" in html
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_preview_of_a_quiz_that_cannot_start_says_why(client, owner):
    course = create_course(owners=(owner,))
    quiz = create_quiz(course, title="Empty")
    html = client.get(f"/teach/{course.slug}/quizzes/{quiz.id}/preview").get_data(as_text=True)
    assert "Learners could not start this quiz" in html and "Quiz “Empty” has no questions." in html


def test_preview_is_for_owners_only(client, login):
    course = create_course(owners=(create_user(trainer=True),))
    quiz = create_quiz(course, questions=[create_question(course)])
    login(create_learner(course))
    assert client.get(f"/teach/{course.slug}/quizzes/{quiz.id}/preview").status_code == 403


def test_the_course_preview_links_each_quiz_to_its_preview(client, owner):
    course = create_full_course(owner=owner)
    quiz = create_quiz(course, questions=[_tagged(course, "lo1")], title="Check")
    html = client.get(f"/trainer/courses/{course.slug}/preview").get_data(as_text=True)
    assert f'<a href="/teach/{course.slug}/quizzes/{quiz.id}/preview">Check</a>' in html
