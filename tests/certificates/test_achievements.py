"""Certificates know "an achievement" (kind + id): any higher feature plugs in, none is named here."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from academy import create_app
from academy.certificates import achievements, policy, services
from academy.certificates.achievements import Achievement, AchievementKind
from academy.certificates.models import Certificate
from academy.extensions import db as _db
from tests import services as test_services
from tests.factories import create_user

ROOT = Path(__file__).resolve().parents[2]


def _workshops(owner_id: int) -> AchievementKind:
    return AchievementKind(
        name="workshop",
        label="Workshop series",
        parts_heading="Workshops attended",
        manager=lambda user, certificate: user.id == owner_id,
        list_url=lambda certificate: "/workshops/certificates",
        page_path=lambda certificate: f"/workshops/{certificate.achievement_id}",
    )


def _achievement(achievement_id: int = 7) -> Achievement:
    return Achievement(
        kind="workshop",
        id=achievement_id,
        title="Audit basics workshops",
        hours=Decimal("4.5"),
        credits=Decimal("0"),
        validity_months=None,
        outcomes=(("W1", "Plans an audit"),),
        parts=(("session", "Day one", "Attended in Lille"),),
    )


def test_certificates_source_never_names_programmes():
    files = [*(ROOT / "academy" / "certificates").rglob("*.py"), *(ROOT / "academy/templates/certificates").rglob("*")]
    naming = [
        str(path.relative_to(ROOT))
        for path in files
        if path.is_file() and re.search(r"programme", path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert naming == []


def test_a_registered_kind_issues_verifies_and_guards_its_certificates(app, db, client):
    owner, other, learner = create_user(), create_user(), create_user(name="Ana Pérez")
    achievements.register_achievement_kind(app, _workshops(owner.id))
    certificate = services.issue_for_achievement(learner, _achievement())
    _db.session.commit()
    # Issuing again returns the current one (one per learner and achievement).
    assert services.issue_for_achievement(learner, _achievement()).id == certificate.id
    assert achievements.current_achievement_certificate(learner.id, "workshop", 7).id == certificate.id
    assert achievements.current_achievement_certificates(learner.id, "workshop", [7, 8]) == {7: certificate}
    assert services.achievement_path(certificate) == "/workshops/7"
    assert policy.can_manage_certificate(owner, certificate)
    assert not policy.can_manage_certificate(other, certificate)

    code = services.stored_code(certificate)
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Workshop series" in html and "Workshops attended" in html and "Day one" in html
    body = client.get(f"/verify/{code}.json").get_json()
    assert body["achievement"]["workshop"] == "Audit basics workshops"
    assert body["achievement"]["parts"] == [{"title": "Day one", "detail": "Attended in Lille"}]


def test_reissuing_keeps_the_achievement(app, db):
    owner, learner = create_user(), create_user()
    achievements.register_achievement_kind(app, _workshops(owner.id))
    certificate = services.issue_for_achievement(learner, _achievement())
    replacement = services.reissue(certificate, actor=owner, holder_name="A. Learner")
    _db.session.commit()
    fresh = _db.session.get(Certificate, replacement.id)
    assert (fresh.achievement_kind, fresh.achievement_id, fresh.holder_name) == ("workshop", 7, "A. Learner")
    assert achievements.achievement_of(fresh).parts == _achievement().parts


def _dummy(column: sa.Column) -> object:
    """A value of the column's type for a NOT NULL column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if isinstance(kind, sa.JSON):
        return []
    if getattr(kind, "enums", None):
        return kind.enums[0]
    return f"x-{column.name}"


def _insert(conn: sa.Connection, table: sa.Table, **values: object) -> None:
    row = {c.name: _dummy(c) for c in table.columns if not c.nullable and c.name not in values}
    conn.execute(table.insert().values(**row, **values))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_keeps_programme_certificates_as_achievements(tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    else:
        base = test_services.postgres_base_url()
        if base is None:
            test_services.skip_or_fail("PostgreSQL not configured (ACADEMY_TEST_DATABASE_URL)")
        url = test_services.create_postgres_database(base, "achievements")
    try:
        _upgrade_keeps_programme_certificates(url, tmp_path)
    finally:
        if backend == "postgresql":
            test_services.drop_postgres_database(url)


def _upgrade_keeps_programme_certificates(url: str, tmp_path: Path) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp_path})
    directory = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=directory, revision="a7c3e9d21f50")
        tables = sa.MetaData()
        tables.reflect(bind=_db.engine, only=["programmes", "certificates"])
        with _db.engine.begin() as conn:
            _insert(conn, tables.tables["programmes"], id=5, slug="pm-track", status="published")
            _insert(conn, tables.tables["certificates"], id=1, code_hash="a" * 64, programme_id=5, status="valid")
            _insert(conn, tables.tables["certificates"], id=2, code_hash="b" * 64, programme_id=None, status="valid")
        upgrade(directory=directory)
        with _db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, achievement_kind, achievement_id FROM certificates ORDER BY id"))
            assert [tuple(r) for r in rows] == [(1, "programme", 5), (2, None, None)]
        downgrade(directory=directory, revision="a7c3e9d21f50")
        with _db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, programme_id FROM certificates ORDER BY id"))
            assert [tuple(r) for r in rows] == [(1, 5), (2, None)]
        _db.engine.dispose()
