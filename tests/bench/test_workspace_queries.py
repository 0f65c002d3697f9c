"""The trainer's course workspace and dashboard run as many statements on a small course as on a big one.

Each tab is measured on a generated course (published, then with a draft open, whose Content and
Settings tabs run the publish checks), after one warm-up request, as the trainer who owns it.
Before #24 round 2 a draft's Content tab ran a statement per module and per lesson (size M: 147).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from academy.auth.models import User
from academy.bench.generate import Generator
from academy.bench.sizes import SIZES
from academy.courses.models import Course
from academy.courses.services import versioning
from academy.extensions import db
from tests.bench.test_queries import _reset

SMALL = SIZES["XS"]
# More modules and lessons per course, more learners, attempts and certificates, more courses owned.
LARGE = replace(
    SMALL, users=90, courses=5, modules=6, lessons=4, questions=80, attempts=400, certificates=25,
    enrolments_per_user=3,
)  # fmt: skip

TABS = {
    "content": "/trainer/courses/{slug}",
    "settings": "/trainer/courses/{slug}/settings",
    "bank": "/teach/{slug}/bank",
    "quizzes": "/teach/{slug}/quizzes",
    "grading": "/teach/{slug}/grading",
    "learners": "/teach/{slug}/learners",
    "analytics": "/teach/{slug}/mastery",
    "certificates": "/certificates/course/{slug}",
    "courses": "/trainer/courses",
    "dashboard": "/",
}
# Statements per page (session look-up and the unread count included), on SQLite and PostgreSQL.
# A draft's Content and Settings tabs read its outcomes, modules, lessons, lesson outcomes and
# prerequisites in five statements (outlines.load_content) and review the quizzes once.
BUDGET = {
    "content": 7, "settings": 6, "bank": 12, "quizzes": 11, "grading": 8, "learners": 13, "analytics": 12,
    "certificates": 10, "courses": 7, "dashboard": 18, "draft content": 15, "draft settings": 15,
}  # fmt: skip


def _measure(client, login, count_queries, size) -> dict[str, int]:
    """Statements per workspace page for trainer 0 on the first generated course."""
    Generator(size, seed=5).run(pdfs=False)
    course = db.session.scalar(select(Course).order_by(Course.id).limit(1))
    login(db.session.scalar(select(User).where(User.email.like("trainer0@%"))))
    counts = {}

    def measure(name: str, url: str) -> None:
        assert client.get(url).status_code == 200, url
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts[name] = q.count

    for tab, url in TABS.items():
        measure(tab, url.format(slug=course.slug))
    versioning.ensure_draft(course)
    db.session.commit()
    for tab in ("content", "settings"):
        measure(f"draft {tab}", TABS[tab].format(slug=course.slug))
    return counts


def test_every_workspace_tab_runs_the_same_statements_on_a_small_and_a_large_course(app, client, login, count_queries):
    small = _measure(client, login, count_queries, SMALL)
    _reset()
    large = _measure(client, login, count_queries, LARGE)
    assert small == large
    assert small == BUDGET
