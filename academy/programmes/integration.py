"""How programmes plug into the rest: their achievement kind, notification kinds, the CertificateIssued event."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from academy.auth.models import User
from academy.certificates.achievements import AchievementKind, register_achievement_kind
from academy.certificates.events import CertificateIssued
from academy.certificates.models import Certificate
from academy.core import events as core_events
from academy.extensions import db
from academy.notifications import events
from academy.programmes import jobs
from academy.programmes.models import CERTIFICATE_KIND, Programme
from academy.programmes.policy import can_manage_programme
from academy.templating import register_template_slot


def _on_certificate_issued(event: CertificateIssued) -> None:
    # A course certificate may complete a programme: check once the issuing transaction commits.
    if event.course_id is not None and event.user_id is not None:
        jobs.queue_check(event.user_id)


def _programme(certificate: Certificate) -> Programme | None:
    return db.session.get(Programme, certificate.achievement_id) if certificate.achievement_id else None


def _manages(user: User, certificate: Certificate) -> bool:
    programme = _programme(certificate)
    return programme is not None and can_manage_programme(user, programme)


def _list_url(certificate: Certificate) -> str:
    programme = _programme(certificate)
    return url_for("programmes.certificates", slug=programme.slug) if programme else url_for("certificates.mine")


def _page_path(certificate: Certificate) -> str:
    programme = _programme(certificate)
    return f"/programmes/{programme.slug}" if programme else "/programmes"


CERTIFICATES = AchievementKind(
    name=CERTIFICATE_KIND,
    label=_l("Training programme"),
    parts_heading=_l("Programme components completed"),
    manager=_manages,
    list_url=_list_url,
    page_path=_page_path,
    # The PDF says "has successfully completed the training programme" and leaves out the version.
    pdf_options={
        "completed_phrase": "has successfully completed the training programme",
        "parts_heading": "Programme components completed",
        "show_version": False,  # programmes have no versions
    },
)


def init_app(app: Flask) -> None:
    """Connect programmes to certificates and notifications (receivers are module functions: connected once)."""
    register_template_slot(app, "courses.catalogue.switch", "programmes/_catalogue_switch.html")
    register_template_slot(app, "courses.my_learning.end", "programmes/_my_programmes.html")
    events.register(
        app,
        events.EventKind(
            "programme.seat_confirmed",
            _l("Seat confirmed from the waiting list"),
            _l("A seat at %(session)s is now yours: you moved up from the waiting list."),
        ),
    )
    events.register(
        app,
        events.EventKind(
            "programme.session_changed",
            _l("A session I registered for changed"),
            # The message is the e-mail's subject too: short, with what changed and the new details.
            _l("%(session)s has changed (%(changes)s): now %(when)s, %(where)s."),
        ),
    )
    events.register(
        app,
        events.EventKind(
            "programme.session_cancelled",
            _l("A session I registered for is cancelled"),
            # The reason travels as the excerpt, quoted in the e-mail and shown on the programme page.
            _l("%(session)s on %(when)s is cancelled."),
        ),
    )
    core_events.listen(app, CertificateIssued, _on_certificate_issued)
    register_achievement_kind(app, CERTIFICATES)
