"""Apps on a real, migrated SQLite file: what `dev run` and `dev serve` start from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from academy import create_app
from academy.extensions import db


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app with overrides; its own instance folder and (by default) a SQLite file."""
    made: list[Flask] = []

    def make(**overrides: object) -> Flask:
        folder = tmp_path / f"instance-{len(made)}"
        config = {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'academy.sqlite'}",
            "INSTANCE_PATH": folder,
            "MAIL_DIR": folder / "mail",
            **overrides,
        }
        folder.mkdir(parents=True, exist_ok=True)
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def migrated_app(make_app: Callable[..., Flask]) -> Flask:
    """An app whose SQLite file is upgraded to the migrations' head."""
    app = make_app()
    with app.app_context():
        upgrade()
    return app


from tests.ops.redis_server import redis_server  # noqa: E402, F401  (the fixture, for every test here)
