"""Alembic environment, driven by Flask-Migrate inside the app context."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from academy.db import include_name

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_metadata():
    return target_db.metadata


def _options(connection_or_url) -> dict:
    is_sqlite = str(getattr(connection_or_url, "dialect", None) and connection_or_url.dialect.name) == "sqlite"
    return {
        "target_metadata": get_metadata(),
        "compare_type": True,
        "include_name": include_name,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        "render_as_batch": is_sqlite,
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline():
    url = target_db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, literal_binds=True, **{k: v for k, v in _options(None).items()})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    with target_db.engine.connect() as connection:
        options = _options(connection)
        options.setdefault("process_revision_directives", process_revision_directives)
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
