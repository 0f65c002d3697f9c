"""The demo programmes: two, built from the demo courses, one past session with attendance, one upcoming."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.cli import academy_cli
from academy.db import utcnow
from academy.programmes.models import Attendance, Programme, ProgrammeStatus, SessionRegistration, TrainingSession
from academy.programmes.services import seats


def test_seed_demo_adds_two_programmes_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(academy_cli, ["seed-demo"])
    second = runner.invoke(academy_cli, ["seed-demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "programme-management-track: 3 courses" in first.output
    assert "financial-management-track: already there" in second.output

    programmes = db.session.scalars(select(Programme).order_by(Programme.slug)).all()
    assert [p.slug for p in programmes] == ["financial-management-track", "programme-management-track"]
    assert all(p.status == ProgrammeStatus.PUBLISHED and p.outcomes for p in programmes)
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 3

    past, *upcoming = db.session.scalars(select(TrainingSession).order_by(TrainingSession.starts_at)).all()
    assert all(past.starts_at < utcnow() < later.starts_at for later in upcoming)
    assert all(seats.registration_open(later) for later in upcoming)
    # The past session runs again: its part has a second, future date a newcomer can still attend.
    (again,) = [later for later in upcoming if later.part_id is not None]
    assert again.title == past.title and again.programme_id == past.programme_id
    assert {d.id for d in seats.part_of(past).dates} == {past.id, again.id}
    marks = db.session.scalars(
        select(SessionRegistration.attendance).where(SessionRegistration.session_id == past.id)
    ).all()
    assert sorted(marks) == sorted([Attendance.PRESENT, Attendance.PRESENT, Attendance.EXCUSED])
    assert past.seats_taken == 3
