"""Plug credentials into the certificates feature (called from create_app's register_feature_hooks)."""

from __future__ import annotations

from flask import Flask

from academy.certificates import hooks
from academy.credentials import services
from academy.templating import register_template_slot


def init_app(app: Flask) -> None:
    """Every certificate issued gets its credential; revoking or superseding it sets its status bit."""
    register_template_slot(app, "certificates.verify.valid", "credentials/_qr_check.html")
    register_template_slot(app, "certificates.detail.downloads", "credentials/_download.html")
    hooks.register_issue_hook(app, "credentials", services.prepare)
    hooks.register_status_hook(app, "credentials", services.status_changed)
