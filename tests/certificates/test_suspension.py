"""A trainer suspends a certificate from the course's certificate page and lifts the suspension again."""

from __future__ import annotations

import pytest

from academy.certificates import services
from academy.certificates.models import State
from academy.exceptions import Conflict
from tests.certificates.factories import create_certificate, create_course
from tests.conftest import csrf_token
from tests.factories import create_user


@pytest.fixture
def owned(login, db):
    """(trainer, course, certificate) with the trainer logged in."""
    trainer = create_user(trainer=True)
    course = create_course(owners=(trainer,))
    certificate = create_certificate(course=course, user=create_user(name="Lena Fischer"))
    login(trainer)
    return trainer, course, certificate


def _press(client, course, certificate, action: str):
    page = f"/certificates/course/{course.slug}"
    html = client.get(page).get_data(as_text=True)
    assert f'value="{action}"' in html  # the button is on the page the trainer works from
    token = csrf_token(client, page)
    return client.post(f"/certificates/{certificate.id}/suspension", data={"csrf_token": token, "action": action})


def test_the_trainer_suspends_and_lifts_and_the_public_page_follows(client, owned, db):
    _, course, certificate = owned
    code = services.stored_code(certificate)

    response = _press(client, course, certificate, "suspend")
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.state() == State.SUSPENDED
    public = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Suspended" in public and "not valid while the suspension lasts" in public
    assert client.get(f"/verify/{code}.json").get_json()["state"] == "suspended"
    assert "Lift suspension" in client.get(f"/certificates/course/{course.slug}").get_data(as_text=True)

    response = _press(client, course, certificate, "lift")
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.state() == State.VALID
    assert "is valid" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_suspension_needs_the_form_and_a_manager(client, login, db):
    certificate = create_certificate()
    stranger = login(create_user())  # neither a trainer of the course nor an admin
    token = csrf_token(client, f"/certificates/{create_certificate(user=stranger).id}")
    response = client.post(
        f"/certificates/{certificate.id}/suspension", data={"csrf_token": token, "action": "suspend"}
    )
    assert response.status_code == 404  # someone else's certificate: not even whether it exists
    assert certificate.suspended_at is None


def test_only_a_valid_certificate_is_suspended_and_only_a_suspended_one_lifted(db):
    certificate = create_certificate()
    with pytest.raises(Conflict):
        services.lift_suspension(certificate, actor=None)
    services.suspend(certificate, actor=None)
    with pytest.raises(Conflict):
        services.suspend(certificate, actor=None)
    services.lift_suspension(certificate, actor=None)
    services.revoke(certificate, actor=None, reason="issued_in_error")
    with pytest.raises(Conflict):
        services.suspend(certificate, actor=None)
