"""Password hashing with argon2id and the password policy."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).with_name("data") / "common-passwords.txt.gz"


def hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost (defaults meet OWASP ASVS 5: t=1, 46 MiB, p=1)."""
    cfg = current_app.config
    return _hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"])


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password against its stored hash without raising."""
    try:
        return hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # Django's list of 20,000 common passwords (BSD licence), see data/NOTICE.
    with gzip.open(_COMMON_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def policy_errors(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Reasons the password is refused, in plain language; empty when it is acceptable."""
    from flask_babel import gettext as _

    errors: list[str] = []
    if len(password) < MIN_LENGTH:
        errors.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        errors.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords():
        errors.append(_("This password is too common; choose one that is harder to guess."))
    elif email and lowered == email.lower().split("@")[0]:
        errors.append(_("Do not use your e-mail address as a password."))
    elif name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        errors.append(_("Do not use your name as a password."))
    return errors
