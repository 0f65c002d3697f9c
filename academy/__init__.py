"""Academy: learning, certification and community for the Interreg world."""

from __future__ import annotations

from typing import Any

from flask import Flask

import config as config_module


def create_app(config: str | object | dict[str, Any] | None = None) -> Flask:
    """Build the application from small register steps.

    `config` is a config name ("testing"), a config object, or a dict of overrides
    applied on top of the environment's config.
    """
    app = Flask(__name__, instance_relative_config=False)
    _load_config(app, config)
    for step in (
        register_logging,
        register_extensions,
        register_security,
        register_i18n,
        register_blueprints,
        register_errors,
        register_template_helpers,
        register_jobs,
        register_feature_hooks,
        register_ops,
        register_cli,
    ):
        step(app)
    return app


def _load_config(app: Flask, config: str | object | dict[str, Any] | None) -> None:
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = dict(config)
        config = overrides.pop("ENV_NAME", None)
    obj = config_module.load(config) if config is None or isinstance(config, str) else config
    app.config.from_object(obj)
    app.config.update(overrides)
    app.instance_path = str(app.config["INSTANCE_PATH"])


def register_logging(app: Flask) -> None:
    """Log to stderr at the configured level, as text or JSON (LOG_FORMAT), with request and job ids."""
    from academy.ops import logs

    logs.configure(app)


def register_extensions(app: Flask) -> None:
    """Bind database, migrations, login, CSRF and rate limiting to the app."""
    from academy.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from academy import engine, models  # noqa: F401  (models: every table on the metadata)

    engine.configure_engines(app)
    from academy.core import data_version

    data_version.init_app(app)  # before the features: they may track versions of their own


def register_security(app: Flask) -> None:
    """Sessions checked on the server, security headers on every response, shared input checks."""
    from academy import inputs, security

    security.init_app(app)
    inputs.init_app(app)


def register_i18n(app: Flask) -> None:
    """Flask-Babel with the English catalogue."""
    from academy import i18n

    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount each feature package's blueprint."""
    from academy.admin.views import bp as admin_bp
    from academy.api.endpoints import bp as api_bp
    from academy.api.views import bp as api_pages_bp
    from academy.auth.views import bp as auth_bp
    from academy.certificates.views import bp as certificates_bp
    from academy.community.views import bp as community_bp
    from academy.core.views import bp as core_bp
    from academy.courses.views import bp as courses_bp
    from academy.credentials.views import bp as credentials_bp
    from academy.notifications.views import bp as notifications_bp
    from academy.programmes.views import bp as programmes_bp
    from academy.quizzes.views import bp as quizzes_bp

    for bp in (
        core_bp,
        auth_bp,
        admin_bp,
        api_bp,
        api_pages_bp,
        certificates_bp,
        credentials_bp,
        community_bp,
        courses_bp,
        quizzes_bp,
        notifications_bp,
        programmes_bp,
    ):
        app.register_blueprint(bp)


def register_errors(app: Flask) -> None:
    """Friendly error pages for 400, 403, 404, 405, 413, 429, 500 and 503."""
    from academy import errors

    errors.init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Globals and filters shared by every template."""
    from academy import templating

    templating.init_app(app)


def register_jobs(app: Flask) -> None:
    """Run queued work after the commit: in-process by default, RQ with REDIS_URL."""
    from academy import jobs, retries

    jobs.init_app(app)
    retries.init_app(app)


def register_feature_hooks(app: Flask) -> None:
    """Let features extend each other's pages and listen to each other's events (academy.core.events)."""
    from academy.certificates import integration as certificates_integration
    from academy.community import integration as community_integration
    from academy.credentials import integration as credentials_integration
    from academy.notifications import events as notification_events
    from academy.programmes import integration as programme_integration
    from academy.quizzes import integration as quiz_integration

    notification_events.init_app(app)
    certificates_integration.init_app(app)
    quiz_integration.init_app(app)
    community_integration.init_app(app)
    credentials_integration.init_app(app)
    programme_integration.init_app(app)


def register_ops(app: Flask) -> None:
    """Health and readiness probes, request logs with ids, Prometheus metrics."""
    from academy.ops import health, logs, metrics

    health.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)

    from academy.core import private_cache, public_cache

    public_cache.init_app(app)  # after ProxyFix (register_security): it goes inside it
    private_cache.init_app(app)


def register_cli(app: Flask) -> None:
    """`flask academy ...` commands."""
    from academy.cli import academy_cli

    app.cli.add_command(academy_cli)
