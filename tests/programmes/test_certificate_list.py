"""The programme's certificates page and the CSV of its holders."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from academy.certificates import services as certificate_services
from academy.courses.models import Enrolment
from academy.extensions import db
from academy.programmes.services import certification
from tests.certificates.factories import complete_lessons, create_course
from tests.factories import create_user
from tests.programmes.factories import create_programme, enrol

# Login session and user, the programme with owners, parts (courses, versions, sessions), outcomes and
# sessions, the certificates, and the layout's badge and bell.
CERTIFICATES_PAGE_QUERIES = 11
# The same without the layout; the holders' accounts come joined to the certificates.
CERTIFICATES_CSV_QUERIES = 9


def _holders(programme, names):
    """Learners who completed the programme's course and hold its programme certificate."""
    course = programme.parts[0].course
    out = []
    for name in names:
        user = create_user(name=name, email=f"{name.replace(' ', '.').lower().lstrip('=')}@example.org")
        enrol(user, programme)
        row = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))
        complete_lessons(row, commit=False)
        certificate_services.issue_for_enrolment(row)
        out.append(certification.certify(programme, user))
    db.session.commit()
    return out


def test_the_owner_downloads_the_holders_without_their_codes(client, login, db):
    owner = create_user(trainer=True)
    programme = create_programme(owner=owner, courses=[create_course()])
    first, second = _holders(programme, ["Ana Ionescu", "=HYPERLINK Tester"])
    certificate_services.revoke(second, actor=owner, reason="issued_in_error", note="")
    db.session.commit()
    login(owner)

    page = client.get(f"/teach/programmes/{programme.slug}/certificates").get_data(as_text=True)
    assert f"/teach/programmes/{programme.slug}/certificates.csv" in page
    response = client.get(f"/teach/programmes/{programme.slug}/certificates.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["name", "email", "issued", "status"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["ana.ionescu@example.org"] == [
        "Ana Ionescu",
        "ana.ionescu@example.org",
        first.issued_at.date().isoformat(),
        "valid",
    ]
    assert by_email["hyperlink.tester@example.org"][0] == "'=HYPERLINK Tester"  # defused for spreadsheets
    assert by_email["hyperlink.tester@example.org"][3] == "revoked"
    body = response.get_data(as_text=True)
    for certificate in (first, second):
        assert certificate_services.stored_code(certificate) not in body


def test_only_the_programme_s_trainers_get_the_csv(client, login, db):
    programme = create_programme(courses=[create_course()])
    login(create_user(trainer=True))
    assert client.get(f"/teach/programmes/{programme.slug}/certificates.csv").status_code == 403
    login(create_user())
    assert client.get(f"/teach/programmes/{programme.slug}/certificates.csv").status_code == 403


def test_the_certificates_page_and_csv_queries_do_not_grow(client, login, db, count_queries):
    owner = create_user(trainer=True)
    small = create_programme(owner=owner, courses=[create_course()])
    large = create_programme(owner=owner, courses=[create_course()])
    _holders(small, ["Only One"])
    _holders(large, [f"Holder {i}" for i in range(5)])
    login(owner)
    counts = {}
    for name, programme in (("small", small), ("large", large)):
        for suffix in ("", ".csv"):
            url = f"/teach/programmes/{programme.slug}/certificates{suffix}"
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts[name, suffix] = counter.count
    assert counts["small", ""] == counts["large", ""] == CERTIFICATES_PAGE_QUERIES
    assert counts["small", ".csv"] == counts["large", ".csv"] == CERTIFICATES_CSV_QUERIES
