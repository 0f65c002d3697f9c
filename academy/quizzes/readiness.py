"""Is a course's assessment ready for learners? Quizzes that cannot start, outcomes nothing evidences.

Used by the publish check (blocking problems and warnings the trainer must confirm), by the quiz
slot page (a warning at the slot) and by the trainer's start page (quizzes not ready).
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from academy import formats, request_memo
from academy.auth.models import User
from academy.courses.models import Course, CourseVersion
from academy.courses.services import outlines
from academy.extensions import db
from academy.quizzes.models import Question, Quiz
from academy.quizzes.services import bank
from academy.quizzes.services.quizzes import matches_slot, slot_status


def quiz_problems(quiz: Quiz, questions: list[Question]) -> list[str]:
    """Why a learner could not start this quiz (empty when every slot can be filled)."""
    if not quiz.slots:
        return [_("Quiz “%(quiz)s” has no questions.", quiz=quiz.title)]
    out = []
    for number, status in enumerate(slot_status(quiz, questions), start=1):
        if status.ok:
            continue
        if status.wanted == 1 and status.available == 0 and status.slot.question_id is not None:
            out.append(_("Quiz “%(quiz)s”, slot %(n)d: its question is archived or gone.", quiz=quiz.title, n=number))
        else:
            out.append(
                _(
                    "Quiz “%(quiz)s”, slot %(n)d asks for %(wanted)d questions "
                    "but the bank holds %(available)d that fit.",
                    quiz=quiz.title,
                    n=number,
                    wanted=status.wanted,
                    available=status.available,
                )
            )
    return out


def _drawable(quiz: Quiz, questions: list[Question]) -> list[Question]:
    """Questions an attempt of this quiz may hold."""
    return [q for q in questions if any(matches_slot(slot, q) for slot in quiz.slots)]


def course_review(version: CourseVersion) -> tuple[list[str], list[str]]:
    """(problems that block publishing, warnings the trainer must confirm) for this version's assessment."""
    return request_memo.remember("course_review", version.id, lambda: _course_review(version))


def _course_review(version: CourseVersion) -> tuple[list[str], list[str]]:
    course = version.course
    outlines.load_content(version)  # lessons' outcomes below, without a statement per lesson
    questions = bank.list_questions(course)
    quizzes = list(
        db.session.scalars(select(Quiz).where(Quiz.course_id == course.id).options(selectinload(Quiz.slots)))
    )
    problems: list[str] = []
    warnings: list[str] = []
    for quiz in quizzes:
        trouble = quiz_problems(quiz, questions)
        if quiz.published and quiz.required:
            problems.extend(trouble)
        elif quiz.published:
            warnings.extend(trouble)
    lesson_keys = {o.key for module in version.modules for lesson in module.lessons for o in lesson.outcomes}
    question_keys = {key for q in questions for key in (q.current_version.outcome_keys or [])}
    reachable: set[str] = set()
    for quiz in quizzes:
        if quiz.published:
            for q in _drawable(quiz, questions):
                reachable.update(q.current_version.outcome_keys or [])
    # Without any published quiz the course certifies on lessons alone: mastery plays no part.
    assessed = any(quiz.published for quiz in quizzes)
    for outcome in version.outcomes:
        if outcome.key not in lesson_keys and outcome.key not in question_keys:
            warnings.append(_("Learning outcome %(code)s: no lesson and no question evidences it.", code=outcome.code))
        elif assessed and outcome.threshold > 0 and outcome.key not in reachable:
            warnings.append(
                _(
                    "Learning outcome %(code)s: no published quiz asks a question about it, so no learner can reach "
                    "its mastery threshold of %(threshold)s.",
                    code=outcome.code,
                    threshold=formats.percent(outcome.threshold),
                )
            )
    return problems, warnings


def publish_problems(version: CourseVersion) -> list[str]:
    """The blocking half of course_review, for the courses publish check."""
    return course_review(version)[0]


def publish_warnings(version: CourseVersion) -> list[str]:
    """The warning half of course_review, for the courses publish warnings."""
    return course_review(version)[1]


def not_ready_counts(user: User) -> list[tuple[Course, int]]:
    """Courses the user owns with published quizzes a learner could not start, and how many (two queries)."""
    quizzes = list(
        db.session.scalars(
            select(Quiz)
            .join(Course, Course.id == Quiz.course_id)
            .where(Course.owners.any(User.id == user.id), Quiz.published.is_(True))
            .options(selectinload(Quiz.slots), joinedload(Quiz.course).joinedload(Course.published_version))
        ).unique()
    )
    if not quizzes:
        return []
    by_course: dict[int, list[Question]] = defaultdict(list)
    course_ids = {quiz.course_id for quiz in quizzes}
    for question in db.session.scalars(
        select(Question)
        .where(Question.course_id.in_(course_ids), Question.archived.is_(False))
        .options(joinedload(Question.current_version))
    ).unique():
        if question.current_version is not None:
            by_course[question.course_id].append(question)
    counts: dict[int, int] = defaultdict(int)
    courses: dict[int, Course] = {}
    for quiz in quizzes:
        if quiz_problems(quiz, by_course[quiz.course_id]):
            counts[quiz.course_id] += 1
            courses[quiz.course_id] = quiz.course
    return sorted(((courses[cid], n) for cid, n in counts.items()), key=lambda row: (-row[1], row[0].slug))
