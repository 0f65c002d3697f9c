"""Personal access tokens: create, authenticate, revoke. Services flush; callers commit."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import zlib
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from academy.api.models import ApiToken, Scope
from academy.auth import services as auth_services
from academy.auth.models import User
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, ServiceError
from academy.extensions import db

TOKEN_PREFIX = "acd_"
_ALPHABET = string.digits + string.ascii_letters
_BODY_LENGTH = 36  # 36 base62 characters carry about 214 random bits
_CHECK_LENGTH = 6
TOKEN_PATTERN = re.compile(rf"^{TOKEN_PREFIX}[0-9A-Za-z]{{{_BODY_LENGTH + _CHECK_LENGTH}}}$")
MAX_ACTIVE_TOKENS = 20
LAST_USED_INTERVAL = timedelta(minutes=1)
EXPIRY_CHOICES_DAYS = (30, 90, 365)


def _base62(number: int, width: int) -> str:
    out = []
    for _i in range(width):
        number, rest = divmod(number, 62)
        out.append(_ALPHABET[rest])
    return "".join(reversed(out))


def _checksum(body: str) -> str:
    # A check code lets clients, secret scanners and we ourselves reject a mistyped token without a lookup.
    return _base62(zlib.crc32(body.encode()), _CHECK_LENGTH)


def generate_token() -> str:
    """A new random token: the `acd_` prefix, 36 random base62 characters and a 6-character check code."""
    body = "".join(secrets.choice(_ALPHABET) for _i in range(_BODY_LENGTH))
    return f"{TOKEN_PREFIX}{body}{_checksum(body)}"


def is_well_formed(raw: str) -> bool:
    """True if `raw` has the shape of one of our tokens and its check code matches."""
    if not TOKEN_PATTERN.match(raw or ""):
        return False
    body, check = raw[len(TOKEN_PREFIX) : -_CHECK_LENGTH], raw[-_CHECK_LENGTH:]
    return secrets.compare_digest(_checksum(body), check)


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest stored in place of the token (the token is random, so no salt is needed)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def normalise_scopes(scopes: list[str] | tuple[str, ...] | set[str]) -> str:
    """Space-separated known scopes; write implies read."""
    chosen = {Scope(s).value for s in scopes}
    if Scope.WRITE in chosen:
        chosen.add(Scope.READ.value)
    return " ".join(s.value for s in Scope if s.value in chosen)


def active_tokens_query(user: User):  # noqa: ANN201
    """Select the user's tokens that are neither revoked nor expired, newest first."""
    now = utcnow()
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .where((ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def list_tokens(user: User) -> list[ApiToken]:
    """Every token of the user, usable ones first, newest first within each group."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    now = utcnow()
    return sorted(tokens, key=lambda t: not t.is_usable(now))


def create_token(
    user: User, *, name: str, scopes: list[str] | tuple[str, ...], expires_in_days: int | None
) -> ApiToken:
    """Create a token; its clear value is on `.token` of the returned row, and nowhere else, ever."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give the token a name."), field="name")
    if not scopes:
        raise ServiceError(_("Choose what the token may do."), field="scope")
    active = db.session.scalar(select(func.count()).select_from(active_tokens_query(user).order_by(None).subquery()))
    if active >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            _("You already have %(n)d active tokens. Revoke one you no longer use first.", n=MAX_ACTIVE_TOKENS)
        )
    raw = generate_token()
    now = utcnow()
    row = ApiToken(
        user=user,
        name=name[:80],
        scopes=normalise_scopes(scopes),
        token_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    row.token = raw
    db.session.add(row)
    db.session.flush()
    return row


def authenticate(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token (with its active user) behind `raw`, or None; notes the time of use once a minute."""
    if not is_well_formed(raw):
        return None
    row = db.session.execute(
        select(ApiToken, User).join(User, ApiToken.user_id == User.id).where(ApiToken.token_hash == hash_token(raw))
    ).first()
    if row is None:
        return None
    token, user = row
    now = now or utcnow()
    if not token.is_usable(now) or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
        token.last_used_at = now
        db.session.flush()
    return token


def revoke_all_tokens(user: User) -> int:
    """Revoke every active token of `user` (after a password change or reset); return how many."""
    now = utcnow()
    tokens = db.session.scalars(active_tokens_query(user)).all()
    for token in tokens:
        token.revoked_at = now
    db.session.flush()
    return len(tokens)


def _on_password_changed(user: User) -> str | None:
    count = revoke_all_tokens(user)
    if not count:
        return None
    return ngettext(
        "Your API token was revoked because the password changed; create a new one on the API tokens page.",
        "Your %(num)d API tokens were revoked because the password changed; create new ones on the API tokens page.",
        count,
    )


auth_services.password_changed.connect(_on_password_changed, weak=False)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens at once; revoking twice is harmless. NotFound for others' tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token
