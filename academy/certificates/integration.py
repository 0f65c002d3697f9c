"""How certificates plug into the features below them: one place for every receiver of their events."""

from __future__ import annotations

from flask import Flask

from academy.certificates import answers, completion
from academy.certificates.jobs import notify_progress
from academy.core import events
from academy.courses.events import LessonsCompleted
from academy.jobs import QUEUE_CERTIFICATES, enqueue_after_commit
from academy.quizzes.events import AttemptGraded
from academy.templating import register_template_slot


def _check_enrolment(event: LessonsCompleted | AttemptGraded) -> None:
    """Every lesson read, or an attempt graded: check the completion rule once this commits."""
    enqueue_after_commit(notify_progress, event.enrolment_id, queue=QUEUE_CERTIFICATES)


def init_app(app: Flask) -> None:
    """Register the completion rule's requirements; listen to courses and quizzes (either may complete it)."""
    completion.init_app(app)
    register_template_slot(app, "courses.course.head", "certificates/_styles.html")
    register_template_slot(app, "courses.course.requirements", "certificates/_requirements.html")
    events.listen(app, LessonsCompleted, _check_enrolment)
    events.listen(app, AttemptGraded, _check_enrolment)
    answers.init_app(app)
