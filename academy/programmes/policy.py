"""The one rule for who manages a programme and who may see a draft, for pages, API and jobs.

Admins manage every programme; a trainer manages the programmes they own. Owning a programme
without the trainer role grants nothing (the role taken away takes the powers with it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, true

from academy.auth.models import Role, User
from academy.programmes.models import Programme, ProgrammeStatus


def can_manage_programme(user: User | None, programme: Programme) -> bool:
    """True for admins, and for trainers who own the programme (edit it, run its sessions, its certificates)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and any(owner.id == user.id for owner in programme.owners)


def can_view_programme(user: User | None, programme: Programme) -> bool:
    """Published and archived programmes are public; a draft only to those who manage it."""
    return programme.status != ProgrammeStatus.DRAFT or can_manage_programme(user, programme)


def managed_programmes(user: User | None, *, owned_only: bool = False) -> Any:
    """A WHERE clause selecting the programmes `user` manages (every one for an admin unless `owned_only`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.has_role(Role.ADMIN) and not owned_only:
        return true()
    if not user.has_role(Role.TRAINER):
        return false()
    return Programme.owners.any(User.id == user.id)
