"""The one rule for who manages a certificate (revoke, re-issue, download, export), for pages, API and jobs.

A course certificate follows its course's rule (`academy.courses.policy.can_manage_course`). An
achievement certificate follows the rule its kind's feature registers (certificates must not name
the higher feature): `achievements.register_achievement_kind(app, AchievementKind(manager=...))`.
"""

from __future__ import annotations

from academy.auth.models import Role, User
from academy.certificates import achievements
from academy.certificates.models import Certificate
from academy.courses.models import Course
from academy.courses.policy import can_manage_course


def can_manage_course_certificates(user: User | None, course: Course) -> bool:
    """May `user` list, export, revoke and re-issue the certificates of this course?"""
    return can_manage_course(user, course)


def can_manage_certificate(user: User | None, certificate: Certificate) -> bool:
    """May `user` revoke, re-issue or download this certificate as its manager?"""
    if certificate.course is not None:
        return can_manage_course(user, certificate.course)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return achievements.manages(user, certificate)
