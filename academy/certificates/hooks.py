"""Extension points of issuing and revoking, so other features build on certificates without
certificates importing them (the credentials feature registers here from create_app).

- An issue hook runs after the certificate row exists and before its PDF is drawn and sealed; it
  may return files to embed in the PDF (covered by the seal) and the address the QR code carries.
- A status hook runs whenever a certificate stops being valid (revoked or superseded), in the
  same transaction.

Hooks are kept per app (`app.extensions`), registered from the higher feature's integration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from academy.certificates.models import Certificate


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the certificate PDF before it is sealed."""

    name: str
    data: bytes
    mime_type: str
    description: str = ""


@dataclass
class IssueExtras:
    """What issue hooks add to a certificate's PDF."""

    attachments: list[Attachment] = field(default_factory=list)
    qr_url: str = ""


IssueHook = Callable[["Certificate", str], "IssueExtras | None"]
StatusHook = Callable[["Certificate"], None]

_ISSUE = "academy_certificate_issue_hooks"
_STATUS = "academy_certificate_status_hooks"


def register_issue_hook(app: Flask, name: str, hook: IssueHook) -> None:
    """Call `hook(certificate, code)` before each certificate's PDF is rendered in this app."""
    app.extensions.setdefault(_ISSUE, {})[name] = hook


def register_status_hook(app: Flask, name: str, hook: StatusHook) -> None:
    """Call `hook(certificate)` when a certificate is revoked or superseded in this app."""
    app.extensions.setdefault(_STATUS, {})[name] = hook


def before_render(certificate: Certificate, code: str) -> IssueExtras:
    """Run the issue hooks; their attachments together, the last QR address given."""
    extras = IssueExtras()
    for hook in list(current_app.extensions.get(_ISSUE, {}).values()):
        result = hook(certificate, code)
        if result is not None:
            extras.attachments.extend(result.attachments)
            extras.qr_url = result.qr_url or extras.qr_url
    return extras


def status_changed(certificate: Certificate) -> None:
    """Run the status hooks."""
    for hook in list(current_app.extensions.get(_STATUS, {}).values()):
        hook(certificate)
