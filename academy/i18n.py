"""Translation set-up: every user-facing string goes through Flask-Babel."""

from __future__ import annotations

from flask import Flask, has_request_context, request

from academy.extensions import babel


def _select_locale() -> str:
    from flask import current_app

    if not has_request_context():  # CLI commands and jobs: services still translate their messages
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the catalogues under academy/translations."""
    babel.init_app(app, locale_selector=_select_locale, default_translation_directories="translations")
