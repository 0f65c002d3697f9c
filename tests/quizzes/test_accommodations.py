"""Time accommodations (WCAG 2.2.1): a trainer gives one learner extra time or no limit on a quiz.

The learner sees it on the quiz page; attempts get the longer deadline, in HTML and the API; every
change is in the quiz's history.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from academy.exceptions import PermissionDenied, ServiceError
from academy.extensions import db
from academy.quizzes.models import AccommodationChange, Attempt, AttemptState
from academy.quizzes.services import accommodations
from academy.quizzes.services import attempts as attempt_services
from tests.api.factories import bearer, create_token
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.quizzes.factories import create_course, create_learner, create_question, create_quiz

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The quizzes package's clock, stopped at T0."""
    monkeypatch.setattr("academy.quizzes.clock.now", lambda: T0)


@pytest.fixture
def setting(db):
    """A course with its trainer, a 30-minute quiz and two learners."""
    trainer = create_user(name="Tina Trainer", trainer=True)
    course = create_course(owners=(trainer,))
    quiz = create_quiz(course, questions=[create_question(course)], time_limit_minutes=30, title="Final check")
    asha = create_learner(course, name="Asha Learner")
    ben = create_learner(course, name="Ben Learner")
    return course, quiz, trainer, asha, ben


@pytest.mark.parametrize(
    ("kind", "amount", "minutes"),
    [("percent", 50, 45), ("percent", 25, 38), ("minutes", 15, 45), ("no_limit", None, None)],
)
def test_an_accommodated_attempt_gets_the_longer_deadline(setting, clock, kind, amount, minutes):
    _course, quiz, trainer, asha, ben = setting
    accommodations.grant(quiz, asha, kind=kind, amount=amount, by=trainer)
    db.session.commit()
    mine = attempt_services.start_attempt(quiz, asha, now=T0)
    theirs = attempt_services.start_attempt(quiz, ben, now=T0)
    assert mine.deadline == (T0 + timedelta(minutes=minutes) if minutes else None)
    assert theirs.deadline == T0 + timedelta(minutes=30)


def test_the_close_date_still_ends_an_accommodated_attempt(setting, clock):
    _course, quiz, trainer, asha, _ben = setting
    quiz.closes_at = T0 + timedelta(minutes=40)
    accommodations.grant(quiz, asha, kind="no_limit", amount=None, by=trainer)
    assert attempt_services.start_attempt(quiz, asha, now=T0).deadline == T0 + timedelta(minutes=40)


def test_granting_extends_the_attempt_in_progress_and_removing_never_shortens_it(setting, clock):
    _course, quiz, trainer, asha, _ben = setting
    attempt = attempt_services.start_attempt(quiz, asha, now=T0)
    db.session.commit()
    accommodations.grant(quiz, asha, kind="minutes", amount=20, by=trainer, now=T0 + timedelta(minutes=5))
    assert attempt.deadline == T0 + timedelta(minutes=50)
    accommodations.remove(quiz, asha, by=trainer, now=T0 + timedelta(minutes=6))
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline == T0 + timedelta(minutes=50)
    # The time the learner was promised holds: a save at minute 45 still counts.
    attempt_services.save_answers(attempt, {1: 0}, now=T0 + timedelta(minutes=45))
    assert attempt.state == AttemptState.IN_PROGRESS


def test_every_change_is_audited(setting):
    _course, quiz, trainer, asha, _ben = setting
    accommodations.grant(quiz, asha, kind="percent", amount=50, by=trainer)
    accommodations.grant(quiz, asha, kind="no_limit", amount=None, by=trainer)
    accommodations.remove(quiz, asha, by=trainer)
    db.session.commit()
    rows = db.session.query(AccommodationChange).order_by(AccommodationChange.id).all()
    assert [(r.action, r.kind, r.amount, r.changed_by_id, r.user_id) for r in rows] == [
        ("granted", "percent", 50, trainer.id, asha.id),
        ("changed", "no_limit", 0, trainer.id, asha.id),
        ("removed", "no_limit", 0, trainer.id, asha.id),
    ]
    assert accommodations.accommodation_for(quiz, asha) is None


def test_refusals_say_why(setting):
    course, quiz, trainer, asha, _ben = setting
    stranger = create_user(name="Not Enrolled")
    with pytest.raises(ServiceError, match="enrolled in this course"):
        accommodations.grant(quiz, stranger, kind="percent", amount=50, by=trainer)
    with pytest.raises(ServiceError, match="between 1 and 400"):
        accommodations.grant(quiz, asha, kind="percent", amount=900, by=trainer)
    with pytest.raises(ServiceError, match="Give the extra time"):
        accommodations.grant(quiz, asha, kind="minutes", amount=None, by=trainer)
    with pytest.raises(PermissionDenied):
        accommodations.grant(quiz, asha, kind="percent", amount=50, by=asha)
    untimed = create_quiz(course, questions=[create_question(course)])
    with pytest.raises(ServiceError, match="no time limit"):
        accommodations.grant(untimed, asha, kind="no_limit", amount=None, by=trainer)


def _page(course, quiz) -> str:
    return f"/teach/{course.slug}/quizzes/{quiz.id}/accommodations"


def test_trainer_grants_from_the_workspace_and_the_learner_sees_it(client, login, setting, clock):
    course, quiz, trainer, asha, ben = setting
    login(trainer)
    quizzes_page = client.get(f"/teach/{course.slug}/quizzes").get_data(as_text=True)
    assert f'href="{_page(course, quiz)}"' in quizzes_page
    form = client.get(_page(course, quiz)).get_data(as_text=True)
    assert "Asha Learner" in form and "No learner has an accommodation on this quiz." in form
    token = csrf_token(client, _page(course, quiz))
    response = client.post(
        _page(course, quiz), data={"csrf_token": token, "learner": str(asha.id), "kind": "percent", "amount": "50"}
    )
    assert response.status_code == 302
    html = client.get(_page(course, quiz)).get_data(as_text=True)
    assert "Asha Learner now has: 50% extra time." in html
    assert "45 minutes" in html and "Tina Trainer granted Asha Learner: 50% extra time" in html

    login(asha)
    page = client.get(f"/courses/{course.slug}/quiz/{quiz.id}").get_data(as_text=True)
    assert "45 minutes for you" in page
    assert "Your trainer granted you an accommodation: 50% extra time (the quiz's limit is 30 minutes)." in page
    assert "If you start now, you must submit by 1 March 2025, 09:45 UTC." in page
    token = csrf_token(client, f"/courses/{course.slug}/quiz/{quiz.id}")
    started = client.post(f"/courses/{course.slug}/quiz/{quiz.id}/start", data={"csrf_token": token})
    attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
    assert db.session.get(Attempt, attempt_id).deadline == T0 + timedelta(minutes=45)

    login(ben)
    page = client.get(f"/courses/{course.slug}/quiz/{quiz.id}").get_data(as_text=True)
    assert "accommodation" not in page and "you must submit by 1 March 2025, 09:30 UTC." in page


def test_bad_input_is_explained_and_kept(client, login, setting):
    course, quiz, trainer, asha, _ben = setting
    login(trainer)
    token = csrf_token(client, _page(course, quiz))
    response = client.post(
        _page(course, quiz), data={"csrf_token": token, "learner": str(asha.id), "kind": "minutes", "amount": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the extra time." in html
    assert re.search(rf'<option selected value="{asha.id}">|<option value="{asha.id}" selected>', html)
    assert re.search(r'<input checked[^>]*value="minutes"', html)


def test_others_may_not_see_or_change_accommodations(client, login, setting):
    course, quiz, _trainer, asha, _ben = setting
    login(asha)
    assert client.get(_page(course, quiz)).status_code == 403


def test_the_api_shows_my_accommodation_and_deadline(client, setting, clock):
    _course, quiz, trainer, asha, _ben = setting
    accommodations.grant(quiz, asha, kind="minutes", amount=15, by=trainer)
    attempt_services.start_attempt(quiz, asha, now=T0)
    db.session.commit()
    _row, raw = create_token(user=asha, scopes=("read",))
    result = client.get("/api/v1/quiz-results", headers=bearer(raw)).json["items"][0]
    assert result["quiz"]["time_limit_minutes"] == 30
    assert result["my_time_limit_minutes"] == 45
    assert result["accommodation"] == {"kind": "minutes", "amount": 15, "description": "15 minutes extra time"}
    assert result["attempts"][0]["deadline"].startswith("2025-03-01T09:45:00")
