"""The admin blueprint; its routes live in views, accounts, communities and start."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
