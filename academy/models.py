"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from academy.auth.models import Role, User, UserSession  # noqa: F401
from academy.jobs import JobFailure  # noqa: F401
from academy.notifications.models import Delivery, DigestRun, Notification, Preference  # noqa: F401
