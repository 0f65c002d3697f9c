"""Uploaded files, whatever feature takes them: type detection by content, safe names, and storage
by SHA-256 outside the web root (one blob per content, shared by community files and course files).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from academy.exceptions import NotFound

# Extension -> the MIME type we serve it with.
FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
MAX_FILENAME = 150
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# Images a browser may show inline (detected by content as well; never SVG, which can carry script).
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the sender gave it and its bytes."""

    filename: str
    data: bytes


def storage_dir() -> Path:
    """Where file contents live (COMMUNITY_STORAGE_DIR, default instance/uploads)."""
    configured = current_app.config.get("COMMUNITY_STORAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def safe_filename(name: str) -> str:
    """A display name without folders, control characters or leading dots; keeps accents."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else name[:MAX_FILENAME]
    return name


def extension(name: str) -> str:
    """The lower-case extension of a file name, aliases resolved (jpeg -> jpg)."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    return EXTENSION_ALIASES.get(ext, ext)


def _zip_type(data: bytes) -> str | None:
    """docx/xlsx/pptx by their main part, odt/ods/odp by the mimetype entry; macros are refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            return None
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size > 100:
                return None
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
            for ext in ("odt", "ods", "odp"):
                if mimetype == FILE_TYPES[ext]:
                    return ext
            return None
        if "[Content_Types].xml" in names:
            for ext, part in OOXML_PARTS.items():
                if part in names:
                    return ext
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Markup disguised as text could run in a browser that sniffs; refuse it outright.
    head = data[:1024].lstrip().lower()
    return not head.startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml"))


def detect_type(data: bytes) -> str | None:
    """The file type its content shows (an extension from FILE_TYPES), or None if not allowed."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data and _is_text(data):
        return "text"
    return None


def blob_path(sha256: str) -> Path:
    """The file holding content `sha256`; the name is only ever a hex digest, never user input."""
    if not _SHA256.match(sha256 or ""):
        raise NotFound(_("That file does not exist."))
    return storage_dir() / sha256[:2] / sha256[2:4] / sha256


def write_blob(data: bytes) -> str:
    """Store `data` under its SHA-256 (once, atomically) and return the digest."""
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return sha
