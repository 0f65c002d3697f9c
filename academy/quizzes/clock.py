"""The one place quizzes read the time, so tests can move it."""

from __future__ import annotations

from datetime import datetime

from academy.db import utcnow


def now() -> datetime:
    """The current time in UTC; tests patch this function to control deadlines."""
    return utcnow()
