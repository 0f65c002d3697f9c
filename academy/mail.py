"""Outgoing e-mail: SMTP when MAIL_SERVER is set, otherwise files under instance/mail/ and the log."""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

# Set inside `connection()`: the SMTP connection shared by the sends of one batch.
_shared: ContextVar[dict | None] = ContextVar("academy_mail_shared", default=None)


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


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 30))
    try:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    except Exception:
        smtp.close()
        raise
    return smtp


@contextmanager
def connection() -> Iterator[None]:
    """Reuse one SMTP connection for every send() inside the block (a batch job sends many mails)."""
    holder: dict = {"smtp": None}
    token = _shared.set(holder)
    try:
        yield
    finally:
        _shared.reset(token)
        if holder["smtp"] is not None:
            try:
                holder["smtp"].quit()
            except (smtplib.SMTPException, OSError):
                holder["smtp"].close()


def send(msg: EmailMessage) -> str:
    """Deliver a message; return where it went (an SMTP host or a file path)."""
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        holder = _shared.get()
        if holder is None:
            with _connect() as smtp:
                smtp.send_message(msg)
        else:
            if holder["smtp"] is None:
                holder["smtp"] = _connect()
            try:
                holder["smtp"].send_message(msg)
            except Exception:
                # Start the next message on a fresh connection: this one may be broken.
                holder["smtp"].close()
                holder["smtp"] = None
                raise
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
