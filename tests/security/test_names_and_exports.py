"""Names and text others see: no control, bidi or invisible characters in names; .ics by the library; safe CSVs."""

from __future__ import annotations

import csv
import io
import zipfile

import icalendar
import pytest

from academy.auth import services as auth_services
from academy.certificates import jobs as certificate_jobs
from academy.certificates import services as certificate_services
from academy.certificates.models import CertificateExport
from academy.csvutil import rows_to_csv, safe_cell
from academy.exceptions import ServiceError
from academy.programmes import ics
from academy.textcheck import forbidden_characters
from tests.api.factories import bearer, create_token
from tests.certificates.factories import create_certificate, create_course
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session

SPOOFS = {
    "crlf": "Eve\r\nBcc: everyone@example.org",
    "lone-cr": "Eve\rX",
    "bidi-override": "Anna \u202egreB",
    "bidi-isolate": "Anna \u2067Berg\u2069",
    "zero-width-space": "An\u200bna Berg",
    "zero-width-joiner": "An\u200dna Berg",
    "bom": "\ufeffAnna Berg",
    "line-separator": "Anna\u2028Berg",
    "nul": "Anna\x00Berg",
}


@pytest.mark.parametrize("name", sorted(SPOOFS))
def test_the_rule_finds_each_spoofing_character(name):
    assert forbidden_characters(SPOOFS[name])


@pytest.mark.parametrize("name", ["Θεοδώρα 🇬🇷 Ñúñez", "Łukasz Żółć", "O'Brien-Smith, Jr.", "محمد", "李小龍"])
def test_real_names_pass(name):
    assert forbidden_characters(name) == []


@pytest.mark.parametrize("name", sorted(SPOOFS))
def test_registration_refuses_spoofed_names(client, name):
    token = csrf_token(client, "/register")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "name": SPOOFS[name],
            "email": "new@example.org",
            "password": "a long passphrase 42",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # NUL never reaches the form: the input guard refuses any request carrying it (academy/inputs.py).
    message = (
        "not accepted in a form field" if "\x00" in SPOOFS[name] else "invisible characters or text-direction marks"
    )
    assert message in html


def test_services_refuse_them_too(db):
    with pytest.raises(ServiceError):
        auth_services.register_user(name=SPOOFS["crlf"], email="x@example.org", password="a long passphrase 42")
    user = create_user(name="Anna Berg")
    with pytest.raises(ServiceError):
        auth_services.update_profile(user, name=SPOOFS["bidi-override"], organisation="", country="")


def test_the_profile_form_refuses_a_bidi_override(client, login, db):
    user = create_user(name="Anna Berg")
    login(user)
    token = csrf_token(client, "/account")
    response = client.post(
        "/account", data={"csrf_token": token, "name": SPOOFS["bidi-override"], "organisation": "", "country": ""}
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.name == "Anna Berg"


def test_the_api_refuses_a_zero_width_name(client, db):
    user = create_user(name="Anna Berg")
    _token, raw = create_token(user=user, scopes=("write",))
    response = client.patch("/api/v1/me", json={"name": SPOOFS["zero-width-space"]}, headers=bearer(raw))
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    db.session.refresh(user)
    assert user.name == "Anna Berg"


def test_a_reissued_certificate_refuses_a_spoofed_holder_name(db):
    certificate = create_certificate()
    with pytest.raises(ServiceError) as caught:
        certificate_services.reissue(certificate, actor=None, holder_name=SPOOFS["bidi-isolate"])
    assert caught.value.field == "holder_name"


# ---------------------------------------------------------------------------- .ics


def _calendar(session, registration) -> str:
    return ics.calendar(session, registration, url="https://academy.example/s", domain="academy.example")


def test_a_lone_cr_in_a_title_cannot_start_a_new_calendar_line(app, db):
    session = create_session(programme=create_programme(courses=[create_course()]))
    session.title = "Kick-off\rATTENDEE:mailto:evil@example.org"
    session.description = "Line one\r\nLine two\rLine three"
    text = _calendar(session, create_registration(session=session))
    assert "\rATTENDEE" not in text and "\nATTENDEE" not in text
    assert all("\r" not in line for line in text.split("\r\n"))
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert "ATTENDEE" not in event
    assert str(event["SUMMARY"]) == "Kick-off\nATTENDEE:mailto:evil@example.org"


def test_only_people_with_a_seat_get_the_join_link(app, db):
    session = create_session(programme=create_programme(courses=[create_course()]), online=True, capacity=1)
    seated = create_registration(session=session)
    waiting = create_registration(session=session)
    assert waiting.status.value == "waitlisted"
    assert "meet.example.org/kick-off" in _calendar(session, seated)
    waiting_text = _calendar(session, waiting)
    assert "meet.example.org" not in waiting_text
    (event,) = icalendar.Calendar.from_ical(waiting_text).walk("VEVENT")
    assert str(event["STATUS"]) == "TENTATIVE" and str(event["LOCATION"]) == "Online"


# ---------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("Plain", "Plain"),
        ("ok;=HYPERLINK(1)", "ok;'=HYPERLINK(1)"),
        ("ok; -2+3", "ok; '-2+3"),
        ("a,@SUM(A1)", "a,'@SUM(A1)"),
        ("\rcmd", "'\rcmd"),
        (-0.25, "-0.2500"),
        (3, "3"),
    ],
)
def test_cells_are_defused_at_the_start_and_after_separators(value, cell):
    assert safe_cell(value) == cell


def test_every_cell_is_quoted():
    text = rows_to_csv(["name", "n"], [["Anna", 1]])
    assert text == '"name","n"\r\n"Anna","1"\r\n'


def _defused(rows: list[list[str]]) -> bool:
    for row in rows:
        for cell in row:
            for part in cell.replace(",", ";").split(";"):
                if part.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    return False
    return True


def test_the_roster_csv_quotes_and_defuses_every_cell(client, login, db):
    owner = create_user(trainer=True)
    programme = create_programme(courses=[create_course()], owner=owner)
    session = create_session(programme=programme)
    create_registration(session=session, user=create_user(name="Eve;=cmd|' /C calc'!A0", organisation="@org"))
    login(owner)
    text = client.get(f"/teach/sessions/{session.id}/roster.csv").get_data(as_text=True)
    assert text.startswith('"name","email"')
    rows = list(csv.reader(io.StringIO(text)))
    assert _defused(rows)
    assert rows[1][0] == "Eve;'=cmd|' /C calc'!A0" and rows[1][2] == "'@org"


def test_the_programme_certificates_csv_defuses_holder_names(client, login, db):
    owner = create_user(trainer=True)
    programme = create_programme(courses=[create_course()], owner=owner)
    certificate = create_certificate(user=create_user(name="Ann;+1"))
    certificate.achievement_kind, certificate.achievement_id = "programme", programme.id
    db.session.commit()
    login(owner)
    text = client.get(f"/teach/programmes/{programme.slug}/certificates.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "Ann;'+1" and _defused(rows)


def test_the_certificate_zip_index_is_quoted_and_defused(app, db):
    owner = create_user(trainer=True)
    course = create_course(owners=[owner])  # the export job checks the requester still manages the course
    create_certificate(course=course, user=create_user(name="Bo,-2"))
    export = CertificateExport(course_id=course.id, requested_by_id=owner.id)
    db.session.add(export)
    db.session.commit()
    certificate_jobs.build_export(export.id)
    db.session.refresh(export)
    from academy.certificates import storage

    with zipfile.ZipFile(storage.path_of(export.file_path)) as archive:
        text = archive.read("index.csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert text.startswith('"file","holder"')
    assert rows[1][1] == "Bo,'-2" and _defused(rows)
