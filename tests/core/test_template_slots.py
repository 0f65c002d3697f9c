"""Higher features fill the places lower pages offer (templating.register_template_slot), and they show."""

from __future__ import annotations

from academy.certificates import services
from tests.certificates.factories import create_certificate


def test_the_catalogue_offers_the_programmes_switch(client, db):
    html = client.get("/courses").get_data(as_text=True)
    assert "Certified training programmes" in html  # programmes' slot on the courses catalogue


def test_certificate_pages_show_what_credentials_add(client, db, login):
    certificate = create_certificate()
    login(certificate.user)
    detail = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "Download the verifiable credential" in detail  # credentials' slot on the certificate page
    assert "certificates.css" in client.get(f"/courses/{certificate.course.slug}").get_data(as_text=True)
    verify = client.get(f"/verify/{services.stored_code(certificate)}").get_data(as_text=True)
    assert "data-qr-check" in verify  # credentials' QR check on the verification page of a valid certificate


def test_an_app_without_registrations_renders_the_pages_without_the_slots(app, client, db):
    slots = app.extensions.pop("academy_template_slots")
    try:
        html = client.get("/courses").get_data(as_text=True)
    finally:
        app.extensions["academy_template_slots"] = slots
    assert "Certified training programmes" not in html
