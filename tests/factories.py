"""Keyword-only factories: a test names only what matters to it."""

from __future__ import annotations

import itertools
from functools import lru_cache

from academy.auth import passwords
from academy.auth.models import User
from academy.extensions import db

DEFAULT_PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    # argon2id at full cost is ~50 ms; most tests share one hash.
    return passwords.hash_password(password)


def create_user(
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    organisation: str = "Joint Secretariat Interreg Test",
    country: str = "AT",
    trainer: bool = False,
    admin: bool = False,
    active: bool = True,
    commit: bool = True,
) -> User:
    """A user with the default password unless another is given."""
    n = next(_seq)
    user = User(
        email=(email or f"user{n}@example.org").lower(),
        name=name or f"Test User {n}",
        organisation=organisation,
        country=country,
        password_hash=_hash(password),
        is_trainer=trainer,
        is_admin=admin,
        is_active_account=active,
    )
    db.session.add(user)
    db.session.flush()
    if commit:
        db.session.commit()
    return user
