"""The pages of the performance issue, and what a generated learner looks at on each (tests and bench/)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from academy.auth.models import User
from academy.bench.content import certificate_code
from academy.bench.generate import learner_email
from academy.community.models import Community, Membership, Thread
from academy.courses.models import Course, Enrolment
from academy.extensions import db
from academy.quizzes.models import Question, QuestionType, QuestionVersion, Quiz, QuizSlot

# The pages measured, in the order bench/pages.py prints them.
GET_PAGES = ("catalogue", "course", "lesson", "quiz", "thread", "verify_html", "verify_json", "api_courses")


@dataclass
class Targets:
    """What learner `index` of a generated data set looks at."""

    user: User
    course_slug: str
    quiz_id: int
    community_slug: str
    thread_id: int
    code: str

    def url(self, page: str) -> str:
        """The address of a GET page."""
        course = f"/courses/{self.course_slug}"
        return {
            "catalogue": "/courses",
            "course": course,
            "lesson": f"{course}/lessons/m2-l1",
            "quiz": f"{course}/quiz/{self.quiz_id}",
            "thread": f"/c/{self.community_slug}/t/{self.thread_id}",
            "verify_html": f"/verify/{self.code}",
            "verify_json": f"/verify/{self.code}.json",
            "api_courses": "/api/v1/courses",
        }[page]

    def quiz_url(self) -> str:
        """Where the quiz starts."""
        return f"/courses/{self.course_slug}/quiz/{self.quiz_id}"


def targets(index: int = 0, *, seed: int = 2027) -> Targets:
    """Pick the learner's first course, its final quiz, a thread of their community, a certificate code."""
    user = db.session.scalar(select(User).where(User.email == learner_email(index)))
    course = db.session.scalar(
        select(Course).join(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.id).limit(1)
    )
    quiz = db.session.scalar(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.published.is_(True)).order_by(Quiz.position.desc())
    )
    community = db.session.scalar(
        select(Community).join(Membership).where(Membership.user_id == user.id).order_by(Community.id).limit(1)
    )
    thread = db.session.scalar(
        select(Thread).where(Thread.community_id == community.id).order_by(Thread.id.desc()).limit(1)
    )
    return Targets(user, course.slug, quiz.id, community.slug, thread.id, certificate_code(seed, index))


def answers_for(quiz_id: int, first: int, last: int) -> dict[str, str]:
    """Form fields answering positions first..last of a quiz made of fixed slots (first choice, or true)."""
    kinds = db.session.execute(
        select(QuizSlot.position, QuestionVersion.type)
        .join(Question, Question.id == QuizSlot.question_id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(QuizSlot.quiz_id == quiz_id)
    ).all()
    # Generated quizzes draw fixed slots in order, so slot position p is attempt position p + 1.
    return {
        f"q{position + 1}": "true" if kind == QuestionType.TRUEFALSE else "0"
        for position, kind in kinds
        if first <= position + 1 <= last
    }
