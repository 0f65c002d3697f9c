"""Trainer pages: create and edit courses, outcomes, modules and lessons; order; publish; co-owners.

Every route under /trainer/courses/<slug> answers 404 for an unknown course and 403 to anyone who
is not an owner (a trainer) or an admin. Content changes go to the draft of the next version.
"""

from academy.courses.views.trainer import content, courses, uploads  # noqa: F401  (routes register on bp)
