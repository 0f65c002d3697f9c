"""Outgoing e-mail: SMTP when MAIL_SERVER is set, otherwise files under instance/mail/ and the log."""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def build_message(
    *, to: str, subject: str, text: str, html: str | None = None, headers: dict[str, str] | None = None
) -> EmailMessage:
    """A MIME message with a plain-text part and an optional HTML alternative."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="academy.local")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def send(msg: EmailMessage) -> str:
    """Deliver a message; return where it went (an SMTP host or a file path)."""
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 30)) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
        log.info("mail to %s sent via %s: %s", msg["To"], cfg["MAIL_SERVER"], msg["Subject"])
        return cfg["MAIL_SERVER"]
    directory = Path(cfg["MAIL_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(msg))
    log.info("mail to %s written to %s: %s", msg["To"], path, msg["Subject"])
    return str(path)


def send_email(
    *, to: str, subject: str, text: str, html: str | None = None, headers: dict[str, str] | None = None
) -> str:
    """Build and send one message (extra headers such as List-Unsubscribe are added as given)."""
    return send(build_message(to=to, subject=subject, text=text, html=html, headers=headers))
