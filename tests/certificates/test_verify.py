"""The public verification page and its JSON: five states, privacy, caching and rate limits."""

from datetime import timedelta

import pytest

from academy import create_app
from academy.certificates import codes, services
from academy.certificates.models import RevocationReason
from academy.db import utcnow
from academy.extensions import db as _db
from tests.certificates.factories import create_certificate, create_course
from tests.factories import create_user


def _code(certificate) -> str:
    code = services.stored_code(certificate)
    assert code
    return code


def _json(client, code):
    return client.get(f"/verify/{code}.json")


def _unknown_code() -> str:
    return codes.generate()


def _bad_check_code(code: str) -> str:
    compact = code.replace("-", "")
    last = codes.ALPHABET[(codes.ALPHABET.index(compact[-1]) + 1) % 32]
    return codes.group(compact[:-1] + last)


def test_a_valid_certificate_shows_holder_and_achievement(client, db):
    certificate = create_certificate(
        user=create_user(name="Łukasz Żółć", email="lukasz@example.org"),
        course=create_course(title="Simplified cost options in Interreg", outcomes=2),
    )
    code = _code(certificate)
    response = client.get(f"/verify/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Valid" in html
    assert "Łukasz Żółć" in html
    assert "Simplified cost options in Interreg" in html
    assert "LO2" in html
    assert "0.5 ECTS credits" in html  # the record says it in words, as the course page and the PDF do
    assert "lukasz@example.org" not in html

    body = _json(client, code).get_json()
    assert body["state"] == "valid"
    assert body["code"] == code
    assert body["holder"] == {"name": "Łukasz Żółć"}
    assert body["achievement"]["course"] == "Simplified cost options in Interreg"
    assert body["achievement"]["version"] == 1
    assert body["achievement"]["hours"] == "6"
    assert body["achievement"]["ects_credits"] == "0.5"
    assert [o["code"] for o in body["achievement"]["learning_outcomes"]] == ["LO1", "LO2"]
    assert body["issued_on"] == certificate.issued_at.date().isoformat()
    assert body["expires_on"] is None
    assert body["revocation"] is None and body["superseded"] is None
    assert "lukasz@example.org" not in str(body)


def test_an_expired_certificate_says_so(client, db):
    certificate = create_certificate(course=create_course(validity_months=12))
    certificate.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    code = _code(certificate)
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Expired" in html
    assert "Its validity period has ended." in html
    body = _json(client, code).get_json()
    assert body["state"] == "expired"
    assert body["expires_on"] == certificate.expires_at.date().isoformat()


def test_a_revoked_certificate_shows_the_date_and_reason_but_not_the_note(client, db):
    certificate = create_certificate()
    services.revoke(certificate, actor=None, reason=RevocationReason.MISCONDUCT, note="Copied the final quiz")
    db.session.commit()
    code = _code(certificate)
    response = client.get(f"/verify/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Revoked" in html
    assert "Academic misconduct" in html
    assert "Copied the final quiz" not in html
    body = _json(client, code).get_json()
    assert body["state"] == "revoked"
    assert body["revocation"] == {
        "revoked_on": certificate.revoked_at.date().isoformat(),
        "reason": "misconduct",
        "reason_label": "Academic misconduct",
    }
    assert "Copied" not in str(body)


def test_a_superseded_certificate_links_to_its_replacement(client, db):
    old = create_certificate(user=create_user(name="Lukas Zolc"))
    new = services.reissue(old, actor=None, holder_name="Łukasz Żółć")
    db.session.commit()
    old_code, new_code = _code(old), _code(new)
    html = client.get(f"/verify/{old_code}").get_data(as_text=True)
    assert "Superseded" in html
    assert f'href="http://localhost/verify/{new_code}"' in html
    body = _json(client, old_code).get_json()
    assert body["state"] == "superseded"
    assert body["superseded"]["replacement_url"] == f"http://localhost/verify/{new_code}"
    new_body = _json(client, new_code).get_json()
    assert new_body["state"] == "valid"
    assert new_body["holder"]["name"] == "Łukasz Żółć"


@pytest.mark.parametrize("kind", ["unknown", "bad check character", "garbage"])
def test_not_found_is_a_uniform_404(client, db, kind):
    real = _code(create_certificate())
    code = {"unknown": _unknown_code(), "bad check character": _bad_check_code(real), "garbage": "hello"}[kind]
    reference = client.get(f"/verify/{_unknown_code()}")
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "Certificate not found" in response.get_data(as_text=True)
    assert response.get_data() == reference.get_data()
    json_response = _json(client, code)
    assert json_response.status_code == 404
    assert json_response.get_json() == {"state": "not_found"}


def test_content_negotiation_and_the_json_address(client, db):
    code = _code(create_certificate())
    as_json = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json"
    assert as_json.get_json()["state"] == "valid"
    as_html = client.get(f"/verify/{code}", headers={"Accept": "text/html,application/json;q=0.9"})
    assert as_html.mimetype == "text/html"
    assert "Accept" in as_html.headers["Vary"]
    missing = client.get(f"/verify/{_unknown_code()}", headers={"Accept": "application/json"})
    assert (missing.status_code, missing.get_json()) == (404, {"state": "not_found"})


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_verification_answers_are_not_indexed_or_cached(client, db, suffix):
    for code in (_code(create_certificate()), _unknown_code()):
        response = client.get(f"/verify/{code}{suffix}")
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
        if not suffix:
            assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


def test_a_sloppily_typed_code_redirects_to_the_canonical_address(client, db):
    code = _code(create_certificate())
    sloppy = code.lower().replace("-", "").replace("0", "o").replace("1", "i")
    response = client.get(f"/verify/{sloppy}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{code}")


def test_the_code_form_goes_to_the_certificate(client, db):
    code = _code(create_certificate())
    assert client.get("/verify").status_code == 200
    response = client.get("/verify", query_string={"code": " " + code.lower() + " "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{code}")
    bad = client.get("/verify", query_string={"code": "not a code/../x"})
    assert bad.status_code == 404
    assert "Certificate not found" in bad.get_data(as_text=True)
    empty = client.get("/verify", query_string={"code": ""})
    assert empty.status_code == 400


def test_hidden_details_show_the_status_only(client, db):
    certificate = create_certificate(user=create_user(name="Maja Novak"), course=create_course(title="Jems basics"))
    certificate.details_hidden = True
    db.session.commit()
    code = _code(certificate)
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Valid" in html
    assert "Maja Novak" not in html
    assert "Jems basics" not in html
    assert "status of this certificate only" in html
    body = _json(client, code).get_json()
    assert body["state"] == "valid"
    assert body["holder"] is None and body["achievement"] is None
    assert body["issued_on"] is None
    assert body["details_hidden"] is True


def test_names_are_escaped(client, db):
    certificate = create_certificate(user=create_user(name="<script>alert(1)</script>"))
    html = client.get(f"/verify/{_code(certificate)}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_verification_page_loads_in_constant_queries(client, db, count_queries):
    small = _code(create_certificate(course=create_course(outcomes=1)))
    large = _code(create_certificate(course=create_course(outcomes=3)))
    with count_queries() as q_small:
        client.get(f"/verify/{small}")
    with count_queries() as q_large:
        client.get(f"/verify/{large}")
    assert q_small.count == q_large.count


@pytest.fixture
def limited_client(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "RATELIMIT_ENABLED": True,
            "CERTIFICATE_VERIFY_RATE_LIMIT": "3 per minute",
            "CERTIFICATE_UPLOAD_RATE_LIMIT": "2 per minute",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        _db.create_all()
        yield app.test_client()
        _db.session.remove()


def test_verification_is_rate_limited(limited_client):
    statuses = [limited_client.get(f"/verify/{_unknown_code()}").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert limited_client.get(f"/verify/{_unknown_code()}.json").status_code == 429


def test_uploads_are_rate_limited(limited_client):
    from io import BytesIO

    statuses = [
        limited_client.post(
            "/verify/upload", data={"pdf": (BytesIO(b"%PDF-1.4 nothing"), "c.pdf")}, content_type="multipart/form-data"
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]  # the file is no readable PDF (422) until the limit says 429
    assert limited_client.get("/verify/upload").status_code == 200
