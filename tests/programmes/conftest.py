"""Fixtures shared by the programme tests."""

from __future__ import annotations

import pytest

from tests.certificates.factories import create_course
from tests.programmes.factories import create_programme, create_session


@pytest.fixture
def track(app):
    """Two required courses and a required session."""
    first = create_course(title="Interreg programme management basics")
    second = create_course(title="Jems for joint secretariats")
    programme = create_programme(title="Programme management track", courses=[first, second])
    session = create_session(programme=programme, title="Kick-off workshop in Vienna")
    return programme, first, second, session
