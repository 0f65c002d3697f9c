"""The folders an instance keeps besides its database, and which of them hold secrets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from academy.certificates import storage
from academy.community.services import files
from academy.credentials import keys


@dataclass(frozen=True)
class Folder:
    """One stored folder: a short name, where it is, whether it holds keys."""

    name: str
    path: Path
    secret: bool


def folders() -> list[Folder]:
    """Certificate PDFs, community uploads, sent mail; signing keys and credential keys (secret)."""
    cfg = current_app.config
    instance = Path(current_app.instance_path)
    signing = Path(cfg.get("CERTIFICATE_KEYS_DIR") or instance / "signing")
    return [
        Folder("certificates", storage.root(), False),
        Folder("uploads", files.storage_dir(), False),
        Folder("mail", Path(cfg.get("MAIL_DIR") or instance / "mail"), False),
        Folder("signing", signing, True),
        Folder("credential-keys", keys.keys_dir(), True),
    ]


def describe_database_url(url: str) -> str:
    """The database URL without its password, to show people."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
