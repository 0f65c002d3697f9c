"""The one rule for who manages a course, used by every page, API endpoint and job that changes one.

Managing a course means editing its content, co-owners, question bank, quizzes, grades, learners'
essays and mastery, and its certificates. Admins manage every course; a trainer manages the courses
they own. Owning a course without the trainer role grants nothing: taking someone's trainer role
away takes every trainer power with it, without touching the owner lists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, true

from academy.auth.models import Role, User
from academy.courses.models import Course


def _signed_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def can_manage_course(user: User | None, course: Course) -> bool:
    """True for admins, and for trainers who own the course."""
    if not _signed_in(user):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and any(owner.id == user.id for owner in course.owners)


def managed_courses(user: User, *, owned_only: bool = False) -> Any:
    """A WHERE clause selecting the courses `user` manages (every course for an admin unless `owned_only`)."""
    if not _signed_in(user):
        return false()
    if user.has_role(Role.ADMIN) and not owned_only:
        return true()
    if not user.has_role(Role.TRAINER):
        return false()
    return Course.owners.any(User.id == user.id)
