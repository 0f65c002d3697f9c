"""Translation set-up: every user-facing string goes through Flask-Babel."""

from __future__ import annotations

from flask import Flask, request

from academy.extensions import babel


def _select_locale() -> str:
    from flask import current_app

    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the catalogues under academy/translations."""
    babel.init_app(app, locale_selector=_select_locale, default_translation_directories="translations")
