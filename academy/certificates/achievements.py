"""Certificates of "an achievement": something other than a course, named by kind and id.

Certificates sit below the features that build on them and never name them. A higher feature
registers its kind once per app (`register_achievement_kind(app, AchievementKind(...))` from its
integration) and says who manages those certificates, where they are listed, what page describes
the achievement and how it is worded; it then issues with `services.issue_for_achievement()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import select

from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateStatus
from academy.extensions import db

_KEY = "academy_certificate_achievement_kinds"


@dataclass(frozen=True)
class AchievementKind:
    """How certificates present and guard the certificates of one kind of achievement."""

    name: str  # stored in Certificate.achievement_kind, e.g. the registering feature's noun
    label: Any  # lazy string: what the achievement is called on the record ("Training course"...)
    parts_heading: Any  # lazy string: the heading above the parts that made it up
    manager: Callable[[User, Certificate], bool]  # may this (non-admin) user manage the certificate?
    list_url: Callable[[Certificate], str]  # where a manager returns to after revoking or re-issuing
    page_path: Callable[[Certificate], str]  # the public page of the achievement (a path)
    # Extra fields of pdf.CertificateContent for this kind (how the PDF words it).
    pdf_options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Achievement:
    """What an achievement certificate says, computed by the feature that registered its kind."""

    kind: str
    id: int
    title: str
    hours: Decimal
    credits: Decimal
    validity_months: int | None
    outcomes: tuple[tuple[str, str], ...]
    parts: tuple[tuple[str, str, str], ...]  # (kind, title, detail) of every part that counted


def register_achievement_kind(app: Flask, kind: AchievementKind) -> None:
    """Let a higher feature issue certificates for its achievements in this app."""
    app.extensions.setdefault(_KEY, {})[kind.name] = kind


def kind_of(certificate: Certificate) -> AchievementKind | None:
    """The registered kind of an achievement certificate (None for a course certificate or an unknown kind)."""
    if certificate.achievement_kind is None or not has_app_context():
        return None
    return current_app.extensions.get(_KEY, {}).get(certificate.achievement_kind)


def current_achievement_certificate(user_id: int, kind: str, achievement_id: int) -> Certificate | None:
    """The learner's valid or revoked certificate for an achievement (superseded ones step aside)."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.achievement_kind == kind,
            Certificate.achievement_id == achievement_id,
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
    )


def current_achievement_certificates(user_id: int, kind: str, achievement_ids: list[int]) -> dict[int, Certificate]:
    """`current_achievement_certificate()` for several achievements of a kind in one query: id -> certificate."""
    if not achievement_ids:
        return {}
    return {
        c.achievement_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.user_id == user_id,
                Certificate.achievement_kind == kind,
                Certificate.achievement_id.in_(achievement_ids),
                Certificate.status != CertificateStatus.SUPERSEDED,
            )
        )
    }


def achievement_of(certificate: Certificate) -> Achievement:
    """The facts an achievement certificate was issued with (to re-issue it unchanged but for the name)."""
    return Achievement(
        kind=certificate.achievement_kind or "",
        id=certificate.achievement_id or 0,
        title=certificate.course_title,
        hours=certificate.hours,
        credits=certificate.credits,
        validity_months=None,
        outcomes=tuple((o.get("code", ""), o.get("text", "")) for o in certificate.outcomes or []),
        parts=tuple((p.get("kind", ""), p.get("title", ""), p.get("detail", "")) for p in certificate.parts or []),
    )


def manages(user: User, certificate: Certificate) -> bool:
    """The registered kind's answer to "may this user manage the certificate?" (False if none)."""
    kind = kind_of(certificate)
    return kind is not None and kind.manager(user, certificate)
