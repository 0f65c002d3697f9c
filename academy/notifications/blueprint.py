"""The notifications blueprint; its routes live in views (people) and admin (job queues)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__)
