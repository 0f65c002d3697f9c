"""Quiz pages: learners under /courses/<slug>/quiz/..., trainers under /teach/<slug>/... (blueprint in common)."""

from __future__ import annotations

from academy.quizzes.views import bank, gradebook, learner, preview, teach  # noqa: F401  (routes register on bp)
from academy.quizzes.views.common import bp

__all__ = ["bp"]
