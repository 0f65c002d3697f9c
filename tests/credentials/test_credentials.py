"""Every certificate carries a signed, schema-valid OpenBadgeCredential that verifies offline."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import jsonschema
from pyhanko.pdf_utils.reader import PdfFileReader

from academy.certificates import services as certificate_services
from academy.certificates import storage
from academy.credentials import services
from academy.db import utcnow
from tests.credentials.factories import create_certificate, create_course, create_user, credential_of, document_of

SCHEMA = json.loads((Path(__file__).parent / "vectors" / "achievementcredential.schema.json").read_text())


def _validate(document: dict) -> None:
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


def test_issued_credential_validates_against_the_1edtech_schema(app, db):
    certificate = create_certificate(user=create_user(name="Ana Kovač", email="ana@example.eu"))
    _validate(document_of(certificate))


def test_schema_valid_without_outcomes_and_with_expiry(app, db):
    course = create_course(outcomes=0, validity_months=24, credits="5")
    document = document_of(create_certificate(course=course))
    _validate(document)
    assert document["validUntil"] > document["validFrom"]
    assert document["credentialSubject"]["creditsEarned"] == 5


def test_credential_names_holder_hashes_email_and_describes_the_course(app, db):
    user = create_user(name="Ana Kovač", email="ana@example.eu")
    certificate = create_certificate(user=user, course=create_course(title="Simplified cost options", credits="0.5"))
    document = document_of(certificate)
    text = json.dumps(document)
    assert "ana@example.eu" not in text
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = document["credentialSubject"]
    name, email = subject["identifier"]
    assert name == {"type": "IdentityObject", "identityHash": "Ana Kovač", "identityType": "ext:name", "hashed": False}
    assert email["identityType"] == "emailAddress" and email["hashed"] is True
    import hashlib

    assert email["identityHash"] == "sha256$" + hashlib.sha256(("ana@example.eu" + email["salt"]).encode()).hexdigest()
    achievement = subject["achievement"]
    assert achievement["name"] == "Simplified cost options"
    assert achievement["creditsAvailable"] == 0.5 and subject["creditsEarned"] == 0.5
    assert achievement["inLanguage"] == "en"
    assert [a["targetCode"] for a in achievement["alignment"]] == [o["code"] for o in certificate.outcomes]
    assert "narrative" in achievement["criteria"]
    assert document["proof"][0]["verificationMethod"].startswith("http://localhost/issuer#z6Mk")


def test_credential_is_served_at_its_stable_url(app, db, client):
    document = document_of(create_certificate())
    path = document["id"].removeprefix("http://localhost")
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.get_json() == document
    assert client.get("/credentials/00000000-0000-0000-0000-000000000000").status_code == 404


def test_hidden_details_hide_the_credential_from_others(app, db, client, login):
    user = create_user()
    certificate = create_certificate(user=user)
    certificate.details_hidden = True
    db.session.commit()
    path = document_of(certificate)["id"].removeprefix("http://localhost")
    assert client.get(path).status_code == 404
    login(user)
    assert client.get(path).status_code == 200


def test_issued_credential_verifies_and_a_changed_field_does_not(app, db, no_network):
    document = document_of(create_certificate(user=create_user(name="Ana Kovač")))
    assert services.verify(document).verdict == "valid"
    for path, value in (
        (("credentialSubject", "identifier", 0, "identityHash"), "Someone Else"),
        (("credentialSubject", "creditsEarned"), 30),
        (("credentialSubject", "achievement", "name"), "Another course"),
        (("validFrom",), "2001-01-01T00:00:00Z"),
    ):
        changed = copy.deepcopy(document)
        target = changed
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        result = services.verify(changed)
        assert result.verdict == "invalid", path
        assert "changed" in result.reasons[0]
    assert not no_network


def test_a_foreign_key_or_no_proof_is_invalid(app, db):
    document = document_of(create_certificate())
    forged = copy.deepcopy(document)
    forged["proof"][0]["verificationMethod"] = (
        "https://evil.example/issuer#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    )
    assert services.verify(forged).verdict == "invalid"
    del forged["proof"]
    assert services.verify(forged).reasons == ["The credential has no proof."]
    assert services.verify([1, 2]).verdict == "invalid"


def test_revoked_and_expired_credentials(app, db):
    certificate = create_certificate()
    document = document_of(certificate)
    later = utcnow() + timedelta(days=3650)
    certificate_services.revoke(certificate, actor=None, reason="misconduct")
    db.session.commit()
    assert credential_of(certificate).revoked
    assert services.verify(document).verdict == "revoked"
    expiring = document_of(create_certificate(course=create_course(validity_months=12)))
    assert services.verify(expiring).verdict == "valid"
    assert services.verify(expiring, now=later).verdict == "expired"


def test_reissue_sets_the_old_credentials_bit(app, db):
    certificate = create_certificate()
    old = document_of(certificate)
    replacement = certificate_services.reissue(certificate, actor=None, holder_name="Ana Kovač-Horvat")
    db.session.commit()
    assert services.verify(old).verdict == "revoked"
    assert services.verify(old).reasons == ["The issuer has replaced this credential with a corrected one."]
    new = document_of(replacement)
    assert services.verify(new).verdict == "valid"
    assert new["credentialSubject"]["identifier"][0]["identityHash"] == "Ana Kovač-Horvat"


def test_status_indexes_are_random_and_distinct(app, db):
    indexes = [credential_of(create_certificate()).status_index for _ in range(4)]
    assert len(set(indexes)) == 4
    assert indexes != sorted(indexes) or max(indexes) > 1000


def test_pdf_embeds_the_credential_under_the_seal(app, db):
    certificate = create_certificate()
    data = storage.read(certificate.pdf_path)
    reader = PdfFileReader(BytesIO(data))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "credential.jsonld"
    spec = names[1]
    embedded = spec["/EF"]["/F"].data
    assert json.loads(embedded) == document_of(certificate)
    # The seal covers the whole file, attachment included.
    from academy.certificates import signing

    assert signing.check_seal(data).ok


def test_issue_and_verify_touch_no_network(app, db, no_network):
    certificate = create_certificate()
    assert services.verify(document_of(certificate)).verdict == "valid"
    assert not no_network


def test_every_term_of_the_credential_is_defined_by_its_contexts(app, db):
    from academy.credentials.proofs import jsonld

    document = document_of(create_certificate(course=create_course(validity_months=12)))
    canon = jsonld.canonicalize(document)
    # VC 2.0 maps unknown terms to an "issuer-dependent" vocabulary rather than dropping them.
    assert "issuer-dependent" not in canon
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsEarned" in canon


def test_a_status_index_taken_meanwhile_is_drawn_again(app, db, monkeypatch):
    from academy.credentials import statuslist

    taken = credential_of(create_certificate()).status_index
    draws = iter([taken, taken + 1 if taken + 1 < statuslist.LIST_SIZE else taken - 1])
    # As if another process had claimed `taken` between our look-up and our insert.
    monkeypatch.setattr(statuslist, "free_index", lambda status_list: next(draws))
    certificate = create_certificate()
    assert credential_of(certificate).status_index != taken
    assert services.verify(document_of(certificate)).verdict == "valid"
