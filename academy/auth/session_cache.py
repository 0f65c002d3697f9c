"""The per-request login check without a query: signed-in users kept per process under the "auth" version.

Every request of a signed-in user used to join user_sessions and users (about 1 ms of CPU on a page
budget of a few ms). Here the columns of that pair are kept per process, keyed by the token's hash,
with the "auth" data version (academy.core.data_version) read before the query that filled them.
That version changes after any commit that deletes a login session (logout, "log out everywhere",
a password change) or updates an account (deactivation, a role granted or removed), so the next
request of anyone, in any process, goes back to the database: logout stays immediate. A session is
also re-read from the database when it is due for its last-seen touch (every few minutes), so the
idle limit and the touch work as before.

The kept rows come back as ORM objects merged into the request's session without SQL
(`merge(load=False)`): relationships still load lazily from the database as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from academy.auth.models import User, UserSession
from academy.core import data_version
from academy.extensions import db

MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class _Kept:
    version: str
    session: dict
    user: dict


class SessionCache:
    """Token hash to the columns of its session and user, least recently used first out."""

    def __init__(self) -> None:
        self.kept: OrderedDict[str, _Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, token_hash: str, version: str) -> tuple[UserSession, User] | None:
        """The session and user as ORM objects of this request's session, if kept under `version`."""
        with self.lock:
            kept = self.kept.get(token_hash)
            if kept is not None:
                self.kept.move_to_end(token_hash)
        if kept is None or kept.version != version:
            return None
        return _attach(UserSession, kept.session), _attach(User, kept.user)

    def put(self, token_hash: str, version: str, sess: UserSession, user: User) -> None:
        """Keep the pair's columns as read under `version` (read before the query)."""
        kept = _Kept(version, _columns(sess), _columns(user))
        with self.lock:
            self.kept[token_hash] = kept
            self.kept.move_to_end(token_hash)
            while len(self.kept) > MAX_SESSIONS:
                self.kept.popitem(last=False)


def _columns(obj: UserSession | User) -> dict:
    return {attr.key: getattr(obj, attr.key) for attr in type(obj).__mapper__.column_attrs}


def _attach(model: type, columns: dict):
    obj = model.__mapper__.class_manager.new_instance()
    for key, value in columns.items():
        set_committed_value(obj, key, value)
    make_transient_to_detached(obj)
    return db.session.merge(obj, load=False)


def enabled() -> bool:
    """LOGIN_CACHE is on (tests turn it on where they check it)."""
    return bool(current_app.config.get("LOGIN_CACHE", True))


def of_app() -> SessionCache:
    """This app's cache in this process."""
    return current_app.extensions.setdefault("academy_session_cache", SessionCache())


def auth_version() -> str | None:
    """The version sessions are kept under; None when unknown (Redis away)."""
    return data_version.of(current_app, "auth").current()
