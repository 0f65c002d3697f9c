"""Account services: registration, login sessions, passwords and roles. They flush; callers commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select

from academy.auth import passwords, session_cache
from academy.auth.models import Role, User, UserSession
from academy.core.timezones import zone
from academy.db import utcnow
from academy.exceptions import Conflict, ServiceError
from academy.extensions import db
from academy.textcheck import clean_name

SESSION_TOUCH_INTERVAL = timedelta(minutes=5)
SESSION_IDLE_LIMIT = timedelta(hours=12)
RESET_RESEND_INTERVAL = timedelta(minutes=2)
_RESET_SALT = "academy.password-reset"

# Sent inside the transaction that sets a new password (change or reset): `password_changed(user)`.
# Higher features end what the old password let people create (API tokens); a receiver returns a
# sentence to tell the user, or None.
password_changed = Namespace().signal("auth.password-changed")


def normalise_email(email: str) -> str:
    """Trim and lower-case an e-mail address so uniqueness ignores case."""
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    """The user with this e-mail address, compared case-insensitively."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_user(*, name: str, email: str, password: str, organisation: str = "", country: str = "") -> User:
    """Create an account; raise Conflict if the e-mail is taken, ServiceError if the password is weak."""
    email = normalise_email(email)
    name = clean_name(name)
    if get_user_by_email(email) is not None:
        raise Conflict(_("An account with this e-mail address already exists."), field="email")
    problems = passwords.policy_errors(password, email=email, name=name)
    if problems:
        raise ServiceError(" ".join(problems), field="password")
    user = User(
        name=name.strip(),
        email=email,
        organisation=(organisation or "").strip(),
        country=(country or "").upper(),
        password_hash=passwords.hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; costs the same whether or not the e-mail exists."""
    user = get_user_by_email(email)
    if user is None:
        passwords.verify_password(_dummy_hash(), password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("academy_dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = passwords.hash_password(secrets.token_hex(16))
    return cache["hash"]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remember: bool = False, user_agent: str = "") -> UserSession:
    """Open a new server-side login session for `user` and attach it as the current one."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user=user,
        token_hash=_token_hash(token),
        remember=remember,
        user_agent=(user_agent or "")[:255],
    )
    row.token = token
    db.session.add(row)
    user.last_login_at = utcnow()
    user.current_session = row
    db.session.flush()
    return row


def load_session_user(token: str) -> User | None:
    """The user behind a session token, if the session is still open and not idle too long.

    Kept per process between requests (academy/auth/session_cache.py) until a logout or an account
    change anywhere, or the session's next last-seen touch.
    """
    if not token:
        return None
    token_hash = _token_hash(token)
    cache = session_cache.of_app() if session_cache.enabled() else None
    version = session_cache.auth_version() if cache is not None else None  # read before the query
    if version is None:  # off, or Redis away: the database decides
        cache = None
    row = cache.get(token_hash, version) if cache is not None else None
    now = utcnow()
    if row is not None and now - row[0].last_seen_at > SESSION_TOUCH_INTERVAL:
        row = None  # due for its touch: read it again
    kept = row is not None
    if row is None:
        row = db.session.execute(
            select(UserSession, User)
            .join(User, UserSession.user_id == User.id)
            .where(UserSession.token_hash == token_hash)
        ).first()
        if row is None:
            return None
    sess, user = row
    limit = timedelta(days=current_app.config["REMEMBER_COOKIE_DURATION_DAYS"]) if sess.remember else SESSION_IDLE_LIMIT
    if now - sess.last_seen_at > limit or not user.is_active:
        return None
    if now - sess.last_seen_at > SESSION_TOUCH_INTERVAL:
        sess.last_seen_at = now
    if cache is not None and not kept:
        cache.put(token_hash, version, sess, user)
    sess.token = token
    user.current_session = sess
    return user


def end_session(user: User) -> None:
    """Close the user's current login session on the server."""
    if user.current_session is not None:
        db.session.delete(user.current_session)
        user.current_session = None
        db.session.flush()


def end_other_sessions(user: User) -> int:
    """Close every login session of `user` except the current one; return how many."""
    keep = user.current_session.id if user.current_session is not None else None
    query = db.delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep)
    result = db.session.execute(query.execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0


def set_password(user: User, new_password: str) -> list[str]:
    """Set a new password after checking the policy; invalidates reset links.

    Returns what other features did about it (e.g. API tokens revoked), as sentences for the user.
    """
    problems = passwords.policy_errors(new_password, email=user.email, name=user.name)
    if problems:
        raise ServiceError(" ".join(problems), field="new_password")
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    db.session.flush()
    return [str(notice) for _receiver, notice in password_changed.send(user) if notice]


def change_password(user: User, *, current_password: str, new_password: str) -> list[str]:
    """Change the password when the current one is right; other browsers are logged out.

    Returns the sentences of `set_password` for the user.
    """
    if not passwords.verify_password(user.password_hash, current_password):
        raise ServiceError(_("Your current password is not right."), field="current_password")
    notices = set_password(user, new_password)
    end_other_sessions(user)
    return notices


def update_profile(user: User, *, name: str, organisation: str, country: str, timezone: str | None = None) -> None:
    """Change the name, organisation and country shown on the profile, and the time zone (when given)."""
    user.name = clean_name(name)
    user.organisation = (organisation or "").strip()
    user.country = (country or "").upper()
    if timezone:
        if timezone != zone(timezone).key:
            raise ServiceError(_("Choose a time zone from the list."), field="timezone")
        user.timezone = timezone
    db.session.flush()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _reset_fingerprint(user: User) -> str:
    # Changes whenever the password does, so a used link stops working.
    material = f"{user.id}:{user.password_hash}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:32]


def make_reset_token(user: User) -> str:
    """A signed, expiring token that resets this user's password once."""
    return _reset_serializer().dumps({"u": user.id, "f": _reset_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token belongs to, or None if it is forged, expired or already used."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(data.get("f", "")), _reset_fingerprint(user)):
        return None
    return user


def reset_password(user: User, new_password: str) -> list[str]:
    """Set the password from a reset link and log out every browser; returns the notices for the user."""
    notices = set_password(user, new_password)
    user.current_session = None
    end_other_sessions(user)
    return notices


def request_password_reset(email: str) -> User | None:
    """Note a reset request; return the user to e-mail, or None (unknown, or asked moments ago)."""
    user = get_user_by_email(email)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if user.reset_requested_at and now - user.reset_requested_at < RESET_RESEND_INTERVAL:
        return None
    user.reset_requested_at = now
    db.session.flush()
    return user


def set_role(user: User, role: str, granted: bool, *, actor: User) -> None:
    """Grant or remove trainer or admin; an admin cannot remove their own admin role."""
    if role not in Role.GRANTABLE:
        raise ServiceError(_("Unknown role."))
    if role == Role.ADMIN and not granted and user.id == actor.id:
        raise ServiceError(_("You cannot remove your own admin role."))
    setattr(user, f"is_{role}", granted)
    db.session.flush()


def search_users(query: str = "", *, role: str = "", page: int = 1, per_page: int = 25) -> Pagination:
    """Users matching a name, e-mail or organisation fragment, newest first, paginated."""
    stmt = select(User)
    if query:
        needle = query.strip().lower()
        stmt = stmt.where(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                User.email.contains(needle, autoescape=True),
                func.lower(User.organisation).contains(needle, autoescape=True),
            )
        )
    if role == Role.TRAINER:
        stmt = stmt.where(User.is_trainer.is_(True))
    elif role == Role.ADMIN:
        stmt = stmt.where(User.is_admin.is_(True))
    stmt = stmt.order_by(User.created_at.desc(), User.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (cannot sign in; every session ends) or reactivate an account; not one's own."""
    if user.id == actor.id:
        raise ServiceError(_("You cannot deactivate your own account."))
    user.is_active_account = active
    if not active:
        db.session.execute(
            db.delete(UserSession).where(UserSession.user_id == user.id).execution_options(synchronize_session=False)
        )
    db.session.flush()


def admin_password_reset(user: User) -> None:
    """Note that an admin sent a reset link; refuse for a deactivated account."""
    if not user.is_active:
        raise ServiceError(_("This account is deactivated: reactivate it before sending a reset link."))
    user.reset_requested_at = utcnow()
    db.session.flush()
