"""Registration confirmed by e-mail, so the form never tells whether an address already has an account.

Whatever address is typed, the answer is "check your inbox". A new address receives a link that
creates the account; an address that already has one receives a note saying so, with links to log
in or reset the password. The form's values (the password already hashed) travel inside the link,
encrypted and authenticated with a key derived from SECRET_KEY, so no row exists until the owner
of the mailbox clicks: nobody can hold an address they do not control.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _

from academy.auth import passwords
from academy.auth.models import User
from academy.auth.services import get_user_by_email, normalise_email
from academy.exceptions import Conflict, ServiceError
from academy.extensions import db
from academy.textcheck import clean_name


@dataclass(frozen=True)
class Pending:
    """A registration waiting for its e-mail: the link token, or the account the address already has."""

    email: str
    token: str | None
    existing_user_id: int | None


@dataclass(frozen=True)
class Details:
    """What a confirmation link holds."""

    name: str
    email: str
    organisation: str
    country: str
    password_hash: str


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"academy registration link").derive(
        secret.encode() if isinstance(secret, str) else secret
    )
    return Fernet(base64.urlsafe_b64encode(key))


def start(*, name: str, email: str, password: str, organisation: str = "", country: str = "") -> Pending:
    """Check the form's values and prepare the e-mail; the same work whether or not the address is taken."""
    email = normalise_email(email)
    name = clean_name(name)
    problems = passwords.policy_errors(password, email=email, name=name)
    if problems:
        raise ServiceError(" ".join(problems), field="password")
    # Hash first in both cases, so the answer takes as long for a taken address as for a new one.
    details = {
        "n": name.strip(),
        "e": email,
        "o": (organisation or "").strip(),
        "c": (country or "").upper(),
        "h": passwords.hash_password(password),
    }
    token = _fernet().encrypt(json.dumps(details, separators=(",", ":")).encode()).decode()
    existing = get_user_by_email(email)
    if existing is not None:
        return Pending(email=email, token=None, existing_user_id=existing.id)
    return Pending(email=email, token=token, existing_user_id=None)


def read(token: str, *, now: float | None = None) -> Details | None:
    """The details in a confirmation link, or None if it is forged or older than REGISTRATION_MAX_AGE."""
    try:
        raw = _fernet().decrypt_at_time(
            token.encode(), ttl=current_app.config["REGISTRATION_MAX_AGE"], current_time=int(now or time.time())
        )
        data = json.loads(raw)
        return Details(
            name=data["n"], email=data["e"], organisation=data["o"], country=data["c"], password_hash=data["h"]
        )
    except (InvalidToken, ValueError, KeyError, TypeError):
        return None


def complete(details: Details) -> User:
    """Create the account a confirmation link describes; Conflict if the address has one by now."""
    if get_user_by_email(details.email) is not None:
        raise Conflict(_("An account with this e-mail address exists already. Log in, or reset its password."))
    user = User(
        name=clean_name(details.name),
        email=details.email,
        organisation=details.organisation,
        country=details.country,
        password_hash=details.password_hash,
    )
    db.session.add(user)
    db.session.flush()
    return user
