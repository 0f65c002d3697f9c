"""Quiz pages: learners under /courses/<slug>/quiz/..., trainers under /teach/<slug>/... (blueprint in common)."""

from __future__ import annotations

from academy.quizzes.views import (  # noqa: F401  (routes register on bp)
    accommodations,
    bank,
    gradebook,
    learner,
    preview,
    teach,
)
from academy.quizzes.views.common import bp

__all__ = ["bp"]
