"""The workspace's Learners tab: the gradebook, sortable, and its CSV export."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import render_template, request
from flask_login import login_required

from academy.quizzes import gradebook
from academy.quizzes.views.common import bp, managed_course_or_abort


def _book(slug: str):
    course = managed_course_or_abort(slug)
    sort = request.args.get("sort", "name")
    descending = request.args.get("order") == "desc"
    return course, gradebook.build(course, sort=sort, descending=descending)


@bp.get("/teach/<slug>/learners")
@login_required
def gradebook_page(slug: str):  # noqa: ANN201
    """Per learner: lessons done per module, mastery per outcome; any column sorts."""
    course, book = _book(slug)
    return render_template("quizzes/teach/gradebook.html", course=course, book=book)


@bp.get("/teach/<slug>/learners.csv")
@login_required
def gradebook_csv(slug: str):  # noqa: ANN201
    """The gradebook as CSV, in the order shown."""
    course, book = _book(slug)
    return HttpResponse(
        gradebook.to_csv(book),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}-learners.csv"'},
    )
