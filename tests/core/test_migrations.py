"""The migrations are the schema: one head, and the models match it on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from academy import create_app
from academy.db import include_name
from academy.extensions import db
from config import ROOT
from tests import services


def _script() -> ScriptDirectory:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(cfg)


def test_there_is_exactly_one_head():
    assert len(_script().get_heads()) == 1


def _diff_after_upgrade(url: str, tmp_path) -> list:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp_path})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    return diff


def test_models_match_the_head_on_sqlite(tmp_path):
    assert _diff_after_upgrade(f"sqlite:///{tmp_path / 'm.sqlite'}", tmp_path) == []


def test_models_match_the_head_on_postgresql(tmp_path):
    base = services.postgres_base_url()
    if base is None:
        services.skip_or_fail("PostgreSQL not configured (ACADEMY_TEST_DATABASE_URL)")
    url = services.create_postgres_database(base, "migrations")
    try:
        assert _diff_after_upgrade(url, tmp_path) == []
    finally:
        services.drop_postgres_database(url)


def test_downgrade_to_base_and_back_up(tmp_path):
    from flask_migrate import downgrade

    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.sqlite'}",
            "INSTANCE_PATH": tmp_path,
        }
    )
    directory = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=directory)
        downgrade(directory=directory, revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=directory)
        assert "users" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
