"""`/healthz` (the process answers) and `/readyz` (what a request needs answers too)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from academy.certificates import keys as seal_keys
from academy.extensions import db, limiter
from academy.jobs import redis_connection

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process answers; nothing else is checked (a liveness probe must not restart on a database outage)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready when the database answers at the migrations' head, Redis answers (if used) and the seal key loads."""
    checks: dict[str, str] = {}
    for name, check in CHECKS:
        try:
            problem = check()
        except Exception as exc:
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}".rstrip(": ")
        checks[name] = problem or "ok"
    failed = {name: state for name, state in checks.items() if state != "ok"}
    if failed:
        db.session.rollback()
        log.warning("not ready: %s", failed)
        reason = "; ".join(f"{name}: {state}" for name, state in failed.items())
        return jsonify(status="unavailable", reason=reason, checks=checks), 503
    return jsonify(status="ok", checks=checks)


def _database() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def _migrations() -> str | None:
    from alembic.runtime.migration import MigrationContext

    heads = _script_heads(current_app)
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current != heads:
        return f"database at {', '.join(sorted(current)) or 'no revision'}, code at {', '.join(sorted(heads))}"
    return None


def _script_heads(app: Flask) -> set[str]:
    cached = app.extensions.get("academy_migration_heads")
    if cached is None:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        from config import ROOT

        config = Config()
        config.set_main_option("script_location", str(ROOT / "migrations"))
        cached = app.extensions["academy_migration_heads"] = set(ScriptDirectory.from_config(config).get_heads())
    return cached


def _redis() -> str | None:
    if not current_app.config.get("REDIS_URL"):
        return None

    redis_connection().ping()
    return None


def _signing_key() -> str | None:
    seal_keys.seal_key()
    return None


CHECKS: list[tuple[str, Callable[[], str | None]]] = [
    ("database", _database),
    ("migrations", _migrations),
    ("redis", _redis),
    ("signing_key", _signing_key),
]


def init_app(app: Flask) -> None:
    """Mount the probes (GET only, so CSRF never applies); no rate limit: load balancers call them often."""
    limiter.exempt(bp)
    app.register_blueprint(bp)
