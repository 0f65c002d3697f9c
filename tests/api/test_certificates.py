"""My certificates and public verification through the API, with the verification page's states."""

from __future__ import annotations

from datetime import timedelta

import pytest

from academy.certificates import services
from academy.db import utcnow
from academy.extensions import db
from tests.api.factories import bearer, create_token
from tests.certificates.factories import create_certificate, create_course
from tests.factories import create_user


def _headers(user) -> dict[str, str]:
    _row, raw = create_token(user=user)
    return bearer(raw)


def test_my_certificates_with_their_state(client):
    user = create_user(name="Jana Novák")
    kept = create_certificate(user=user, course=create_course(title="Jems reporting", slug="jems"))
    revoked = create_certificate(user=user, course=create_course(title="HIT"))
    services.revoke(revoked, actor=None, reason="issued_in_error")
    db.session.commit()
    body = client.get("/api/v1/certificates", headers=_headers(user)).json
    assert body["total"] == 2
    by_id = {c["id"]: c for c in body["items"]}
    assert by_id[kept.id]["state"] == "valid"
    assert by_id[kept.id]["course"] == "jems"
    assert by_id[kept.id]["course_title"] == "Jems reporting"
    assert by_id[kept.id]["holder_name"] == "Jana Novák"
    assert (by_id[kept.id]["hours"], by_id[kept.id]["credits"]) == (6.0, 0.5)
    assert [o["code"] for o in by_id[kept.id]["outcomes"]] == ["LO1", "LO2"]
    assert (by_id[revoked.id]["state"], by_id[revoked.id]["revocation_reason"]) == ("revoked", "issued_in_error")
    only = client.get("/api/v1/certificates?state=revoked", headers=_headers(user)).json["items"]
    assert [c["id"] for c in only] == [revoked.id]


def test_certificate_detail_gives_the_code_to_share(client):
    user = create_user()
    certificate = create_certificate(user=user)
    body = client.get(f"/api/v1/certificates/{certificate.id}", headers=_headers(user)).json
    code = services.stored_code(certificate)
    assert body["code"] == code
    assert body["verify_url"].endswith(f"/verify/{code}")


def test_a_token_cannot_read_another_users_certificates(client):
    alice, bob = create_user(name="Alice"), create_user(name="Bob")
    bobs = create_certificate(user=bob)
    headers = _headers(alice)
    assert client.get("/api/v1/certificates", headers=headers).json["items"] == []
    response = client.get(f"/api/v1/certificates/{bobs.id}", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_verification_is_public_and_says_what_the_page_says(client):
    certificate = create_certificate(name="Petra Peer")
    code = services.stored_code(certificate)
    response = client.get(f"/api/v1/verify/{code}")
    assert response.status_code == 200
    assert response.json["state"] == "valid"
    assert response.json["holder"] == {"name": "Petra Peer"}
    assert response.json == client.get(f"/verify/{code}.json").json


@pytest.mark.parametrize("state", ["revoked", "superseded", "expired"])
def test_verification_states(client, state):
    certificate = create_certificate()
    code = services.stored_code(certificate)
    if state == "revoked":
        services.revoke(certificate, actor=None, reason="misconduct", note="private")
    elif state == "superseded":
        services.reissue(certificate, actor=None, holder_name="Corrected Name")
    else:
        certificate.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    body = client.get(f"/api/v1/verify/{code}").json
    assert body["state"] == state
    assert body == client.get(f"/verify/{code}.json").json
    assert "private" not in str(body)
    if state == "revoked":
        assert body["revocation"]["reason"] == "misconduct"
    if state == "superseded":
        assert body["superseded"]["replacement_url"].startswith("http")


def test_hidden_details_show_the_state_only(client):
    user = create_user(name="Private Person")
    certificate = create_certificate(user=user)
    services.set_details_hidden(certificate, actor=user, hidden=True)
    db.session.commit()
    body = client.get(f"/api/v1/verify/{services.stored_code(certificate)}").json
    assert (body["state"], body["holder"], body["achievement"]) == ("valid", None, None)
    assert "Private Person" not in str(body)


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN-PQRS-TVWX", "nonsense", "0000"])
def test_unknown_codes_are_404_problems(client, code):
    response = client.get(f"/api/v1/verify/{code}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_typed_variant_of_the_code_verifies(client):
    code = services.stored_code(create_certificate())
    assert client.get(f"/api/v1/verify/{code.lower()}").json["state"] == "valid"


def test_list_queries_do_not_grow(client, count_queries):
    small_user, large_user = create_user(), create_user()
    create_certificate(user=small_user)
    for _i in range(4):
        create_certificate(user=large_user)
    small, large = _headers(small_user), _headers(large_user)
    for headers in (small, large):
        client.get("/api/v1/me", headers=headers)  # the token's first use writes once
    with count_queries() as q_small:
        assert client.get("/api/v1/certificates", headers=small).status_code == 200
    with count_queries() as q_large:
        assert client.get("/api/v1/certificates", headers=large).status_code == 200
    # The token, its user, and the certificates with their courses.
    assert q_small.count == q_large.count == 3


def test_verification_shares_the_pages_rate_limit(tmp_path):
    # Guessing codes through the API costs the same budget as guessing them on the page.
    from academy import create_app

    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "RATELIMIT_ENABLED": True,
            "CERTIFICATE_VERIFY_RATE_LIMIT": "3 per minute",
        }
    )
    with app.app_context():
        db.create_all()
        client = app.test_client()
        statuses = [client.get(f"/verify/ABCD-EFGH-JKMN-PQRS-TV{i}X.json").status_code for i in range(2)]
        statuses += [client.get(f"/api/v1/verify/ABCD-EFGH-JKMN-PQRS-TV{i}X").status_code for i in range(2)]
        assert statuses == [404, 404, 404, 429]
        response = client.get("/api/v1/verify/ABCD-EFGH-JKMN-PQRS-TVWX")
        assert response.status_code == 429
        assert response.mimetype == "application/problem+json"
        db.session.remove()
