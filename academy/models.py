"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from academy.auth.models import Role, User, UserSession  # noqa: F401
from academy.community import models as community_models  # noqa: F401
