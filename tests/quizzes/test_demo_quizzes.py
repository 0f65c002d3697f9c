"""Every demo course ships a quiz that covers each of its learning outcomes."""

from collections import Counter

from sqlalchemy import select

from academy import demo
from academy.courses.models import Course
from academy.quizzes.models import Question, Quiz


def test_every_demo_course_has_a_final_quiz_covering_each_outcome_twice(app, db):
    list(demo.seed())
    db.session.commit()
    courses = db.session.scalars(select(Course)).all()
    assert len(courses) >= 5
    for course in courses:
        quizzes = db.session.scalars(select(Quiz).where(Quiz.course_id == course.id)).all()
        assert quizzes, f"{course.slug} has no quiz"
        assert all(q.published and q.required for q in quizzes)
        questions = db.session.scalars(select(Question).where(Question.course_id == course.id)).all()
        assert len(questions) >= 8, course.slug
        per_outcome = Counter(key for q in questions for key in q.current_version.outcome_keys)
        for outcome in course.published_version.outcomes:
            assert per_outcome[outcome.key] >= 2, f"{course.slug}: {outcome.code} has {per_outcome[outcome.key]}"
        types = {q.current_version.type for q in questions}
        assert len(types) >= 4, f"{course.slug}: only {types}"
