"""Where sealed PDFs and ZIP exports live: files under CERTIFICATE_STORAGE_DIR, written once.

PDFs are named by their SHA-256, so a file is never overwritten and a crash between writing
and committing leaves at most an unreferenced file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def root() -> Path:
    """The storage folder (CERTIFICATE_STORAGE_DIR, or certificates/ under the instance path)."""
    configured = current_app.config.get("CERTIFICATE_STORAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "certificates"


def store_pdf(data: bytes) -> tuple[str, str]:
    """Write a sealed PDF once; return (path relative to the storage folder, SHA-256 hex)."""
    sha = hashlib.sha256(data).hexdigest()
    relative = f"pdf/{sha[:2]}/{sha}.pdf"
    path = root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return relative, sha  # same bytes, same name: already stored
    # Write a temporary file and rename it: a disk that fails halfway leaves no partial file under
    # the final name (which a later store of the same bytes would take for complete).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        if fd != -1:
            os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return relative, sha


def path_of(relative: str) -> Path:
    """The absolute path of a stored file; refuses paths that leave the storage folder."""
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError(f"{relative!r} is outside the certificate storage")
    return path


def read(relative: str) -> bytes:
    """The bytes of a stored file."""
    return path_of(relative).read_bytes()


def export_path(export_id: int) -> tuple[str, Path]:
    """(relative, absolute) path for a bulk ZIP export."""
    relative = f"exports/certificates-{export_id}.zip"
    path = root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return relative, path
