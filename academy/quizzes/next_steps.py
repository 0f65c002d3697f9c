"""What a learner still has to do in the quizzes of a course: the steps the course page leads to.

Requirements, in the order the certificate rule checks them: every published required quiz
passed, then every learning outcome at or above its mastery threshold (only when a published
quiz assesses the outcomes). Each open requirement becomes a `NextStep` linking to the quiz to
take or retake; the course page makes the first one its primary action once the lessons are read.
"""

from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from academy import formats
from academy.auth.models import User
from academy.courses.hooks import CoursePageExtras, LearningExtras, NextStep
from academy.courses.models import Course, Enrolment
from academy.courses.services import outlines
from academy.extensions import db
from academy.quizzes.completion import (
    OutcomeMastery,
    learner_standings,
    mastery_by_course,
    outcome_report,
    published_quizzes,
)
from academy.quizzes.models import Attempt, Question, QuestionVersion, Quiz, QuizSlot, SlotKind
from academy.quizzes.services import results


def quizzes_by_outcome(quizzes: list[Quiz]) -> dict[str, list[int]]:
    """Per outcome key, the ids of the quizzes (in order) whose slots draw questions of it (one query)."""
    order = {quiz.id: i for i, quiz in enumerate(quizzes)}
    found: dict[str, set[int]] = defaultdict(set)
    for quiz in quizzes:
        for slot in quiz.slots:
            if slot.kind == SlotKind.OUTCOME and slot.outcome_key:
                found[slot.outcome_key].add(quiz.id)
    rows = db.session.execute(
        select(QuizSlot.quiz_id, QuestionVersion.outcome_keys)
        .join(Question, Question.id == QuizSlot.question_id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(QuizSlot.quiz_id.in_(list(order)), QuizSlot.kind == SlotKind.QUESTION)
    )
    for quiz_id, keys in rows:
        for key in keys or []:
            found[key].add(quiz_id)
    return {key: sorted(ids, key=order.__getitem__) for key, ids in found.items()}


def _quiz_step(course: Course, quiz: Quiz, standing: results.Standing) -> NextStep:
    url = url_for("quizzes.quiz", slug=course.slug, quiz_id=quiz.id)
    if standing.in_progress:
        return NextStep(_("Continue your attempt at “%(quiz)s”", quiz=quiz.title), url)
    if standing.waiting and standing.grade is None:
        return NextStep(_("“%(quiz)s” is waiting for a trainer to grade it", quiz=quiz.title), url)
    if not standing.attempts:
        return NextStep(_("Take the assessment “%(quiz)s”", quiz=quiz.title), url)
    if standing.left == 0:
        return NextStep(_("“%(quiz)s”: no attempts left, see what you can do", quiz=quiz.title), url)
    return NextStep(
        _(
            "Retake “%(quiz)s” to reach the pass mark of %(mark)s",
            quiz=quiz.title,
            mark=formats.percent(quiz.pass_mark),
        ),
        url,
    )


def _outcome_step(course: Course, row: OutcomeMastery, quiz: Quiz, standing: results.Standing) -> NextStep:
    url = url_for("quizzes.quiz", slug=course.slug, quiz_id=quiz.id)
    values = {"threshold": formats.percent(row.outcome.threshold), "code": row.outcome.code, "quiz": quiz.title}
    if standing.attempts:
        return NextStep(_("Reach %(threshold)s on %(code)s: retake “%(quiz)s”", **values), url)
    return NextStep(_("Reach %(threshold)s on %(code)s: take “%(quiz)s”", **values), url)


def course_page_steps(course: Course, enrolment: Enrolment) -> CoursePageExtras:
    """The learner's open quiz requirements as next steps, and how many of them are met."""
    quizzes = published_quizzes(course)
    if not quizzes:
        return CoursePageExtras()
    standings = learner_standings(course, enrolment.user)
    required = [q for q in quizzes if q.required]
    extras = CoursePageExtras(total=len(required))
    for quiz in required:
        if standings[quiz.id].passed:
            extras.done += 1
        else:
            extras.next_steps.append(_quiz_step(course, quiz, standings[quiz.id]))
    report = outcome_report(enrolment)
    extras.total += len(report)
    extras.done += sum(1 for row in report if row.mastered)
    open_rows = [row for row in report if not row.mastered]
    if report:
        # Looked up whenever outcomes are assessed, met or not, so the page's queries do not depend on progress.
        by_id = {quiz.id: quiz for quiz in quizzes}
        assessing = quizzes_by_outcome(quizzes)
        for row in open_rows:
            ids = assessing.get(row.outcome.key) or [quizzes[0].id]
            quiz = by_id[ids[0]]
            extras.next_steps.append(_outcome_step(course, row, quiz, standings[quiz.id]))
    return extras


def learning_extras(user: User, enrolments: list[Enrolment]) -> dict[int, LearningExtras]:
    """My learning: per enrolment, required quizzes passed and outcomes mastered (a fixed number of queries)."""
    course_ids = [e.course_id for e in enrolments]
    quizzes = list(
        db.session.scalars(
            select(Quiz).where(Quiz.course_id.in_(course_ids), Quiz.published.is_(True)).order_by(Quiz.position)
        )
    )
    if not quizzes:
        return {}
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id.in_([q.id for q in quizzes]))
    ):
        attempts[attempt.quiz_id].append(attempt)
    by_course: dict[int, list[Quiz]] = defaultdict(list)
    for quiz in quizzes:
        by_course[quiz.course_id].append(quiz)
    with_quizzes = [cid for cid in course_ids if by_course.get(cid)]
    mastery = mastery_by_course(user.id, with_quizzes)
    # Published versions' outcomes come from the outline cache (no query once a worker knows them).
    versions = [e.course.published_version for e in enrolments if e.course_id in with_quizzes]
    known = outlines.versions_data([v for v in versions if v is not None and outlines.is_frozen(v)])
    outcomes_of = {version_id: list(data.outcomes) for version_id, data in known.items()}
    out: dict[int, LearningExtras] = {}
    for enrolment in enrolments:
        course_quizzes = by_course.get(enrolment.course_id)
        if not course_quizzes:
            continue
        required = [q for q in course_quizzes if q.required]
        passed = sum(1 for q in required if results.standing(q, attempts[q.id]).passed)
        outcomes = outcomes_of.get(enrolment.course.published_version_id or 0, [])
        scores = mastery.get(enrolment.course_id, {})
        mastered = sum(1 for o in outcomes if scores.get(o.key) is not None and scores[o.key] >= o.threshold)
        out[enrolment.id] = LearningExtras(done=passed + mastered, total=len(required) + len(outcomes))
    return out
