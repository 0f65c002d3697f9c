"""Personal access tokens for the JSON API."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.db import UTCDateTime, utcnow
from academy.extensions import db


class Scope(enum.StrEnum):
    """What a token may do: read lets it GET, write lets it change data too."""

    READ = "read"
    WRITE = "write"


class ApiToken(db.Model):
    """A named, scoped bearer token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # Space-separated scope names, as in OAuth ("read" or "read write").
    scopes: Mapped[str] = mapped_column(String(40), default=Scope.READ.value)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, shown in lists so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()

    # The clear token exists only on the request that created the row.
    token = ""

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())

    def allows(self, scope: str) -> bool:
        """True if the token carries `scope`."""
        return scope in self.scope_set

    def is_usable(self, now: datetime | None = None) -> bool:
        """Not revoked and not expired."""
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
