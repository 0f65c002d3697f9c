"""Hostile text in every field a user types and the app shows back is inert on every page showing it.

Community fields (titles, bodies, mentions, reasons, file names) are covered by
tests/community/test_xss.py; this module covers accounts, API tokens, course authoring (course,
outcome, module and lesson text, Markdown bodies), the question bank, quizzes, quiz answers and
certificates. The oracle is the same audit: no script, event handler, inline style, or
javascript:/data: URL anywhere in the page, whatever the payload.
"""

from __future__ import annotations

import random

import pytest

from academy.certificates import services as certificate_services
from academy.courses.services import authoring, content, versioning
from academy.extensions import db
from academy.quizzes.models import QuestionType
from academy.quizzes.services import attempts as attempt_services
from academy.quizzes.services import bank
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.spec import QuestionSpec
from tests.certificates.factories import complete_lessons, create_enrolment
from tests.community.test_xss import PAYLOADS, _Audit
from tests.conftest import csrf_token
from tests.factories import create_user

# A few more that target attribute and URL contexts rather than element content.
MORE = (
    '" autofocus onfocus=alert(10) x="',
    "javascript:alert(11)",
    "</textarea><script>alert(12)</script>",
    "{{ 7*7 }}{% raw %}",  # template injection must stay text too
)
ALL = PAYLOADS + MORE


class _PageAudit(_Audit):
    """The community audit, allowing only the app's own external scripts (<script src="/static/...">)."""

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src") or ""
        if tag == "script" and src.startswith("/static/"):
            attrs = [(k, v) for k, v in attrs if k != "src"]
            tag = "static-script"
        super().handle_starttag(tag, attrs)


def assert_inert(html: str, where: str = "") -> None:
    audit = _PageAudit()
    audit.feed(html)
    assert not audit.problems, (where, audit.problems)


def _pages(client, paths: list[str]) -> None:
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.get_data(as_text=True)
        assert_inert(html, path)


@pytest.mark.parametrize("payload", ALL)
def test_account_fields_are_inert(client, login, payload):
    user = login(create_user())
    token = csrf_token(client, "/account")
    response = client.post(
        "/account", data={"csrf_token": token, "name": payload[:100], "organisation": payload[:100], "country": ""}
    )
    assert response.status_code in (302, 400)
    token = csrf_token(client, "/account/tokens")
    client.post("/account/tokens", data={"csrf_token": token, "name": payload[:80], "scope": "read", "expires": "30"})
    _pages(client, ["/account", "/account/tokens", "/my-learning", "/certificates", "/notifications/"])
    db.session.refresh(user)
    if payload.startswith("{{"):
        assert user.name == payload and "{{ 7*7 }}" in client.get("/account").get_data(as_text=True)


# Building a course, an attempt and a sealed certificate costs seconds: payloads go in three groups.
GROUPS = [" ".join(ALL[i::3]) for i in range(3)]


@pytest.mark.parametrize("payload", GROUPS, ids=["group-1", "group-2", "group-3"])
def test_course_authoring_text_is_inert_for_trainers_and_learners(client, login, payload):
    owner = create_user(trainer=True, name=payload[:100])
    course = authoring.create_course(
        slug="hostile",
        owner=owner,
        title=f"Course {payload}"[:200],
        summary=payload,
        description=f"{payload}\n\n{payload}",
    )
    outcome = content.add_outcome(course, code="LO1", text=f"Explain {payload}")
    module = content.add_module(course, title=f"Module {payload}"[:200], summary=payload)
    lesson = content.add_lesson(
        course, module.key, title=f"Lesson {payload}"[:200], body=f"# {payload}\n\n{payload}\n\n[link]({payload})"
    )
    question = bank.create_question(
        course,
        QuestionSpec(
            type=QuestionType.SINGLE,
            title=f"Q {payload}"[:200],
            text=payload,
            text_format="markdown",
            general_feedback=payload,
            data={
                "choices": [
                    {"text": payload, "weight": 100.0, "feedback": payload},
                    {"text": "Other", "weight": 0.0, "feedback": ""},
                ]
            },
        ),
        [outcome.key],
    )
    quiz = quiz_services.create_quiz(course, title=f"Quiz {payload}"[:200], published=True)
    quiz_services.add_slot(quiz, "question", question=question)
    versioning.publish(course)
    db.session.commit()

    login(owner)
    slug, key = course.slug, lesson.key
    _pages(
        client,
        [
            f"/trainer/courses/{slug}",
            f"/trainer/courses/{slug}/preview",
            f"/trainer/courses/{slug}/preview/lessons/{key}",
            f"/trainer/courses/{slug}/lessons/{key}/edit",
            f"/teach/{slug}/bank",
            f"/teach/{slug}/bank/{question.id}",
            f"/teach/{slug}/quizzes",
            f"/teach/{slug}/quizzes/{quiz.id}/analysis",
            "/trainer/courses",
        ],
    )

    learner = create_user(name=payload[:100])
    enrolment = create_enrolment(user=learner, course=course)
    attempt = attempt_services.start_attempt(quiz, learner, rng=random.Random(1))
    attempt_services.submit_attempt(attempt)
    complete_lessons(enrolment)
    certificate = certificate_services.issue_for_enrolment(enrolment, force=True)
    db.session.commit()
    code = certificate_services.stored_code(certificate)
    learner_client = client.application.test_client()
    login(learner, on=learner_client)
    _pages(
        learner_client,
        [
            "/courses",
            f"/courses/{slug}",
            f"/courses/{slug}/lessons/{key}",
            f"/courses/{slug}/quiz/{quiz.id}",
            f"/courses/{slug}/quiz/{quiz.id}/attempts/{attempt.id}/result",
            "/my-learning",
            "/certificates",
            f"/certificates/{certificate.id}",
            f"/verify/{code}",
        ],
    )
    assert_inert(client.application.test_client().get(f"/verify/{code}").get_data(as_text=True))
