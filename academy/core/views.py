"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from academy.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home():  # noqa: ANN201
    """The landing page."""
    return render_template("core/home.html")


@bp.get("/healthz")
def health():  # noqa: ANN201
    """Liveness and database check for load balancers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
