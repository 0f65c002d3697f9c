"""The revocation status list, the issuer profile and the JWKS, as verifiers read them."""

from __future__ import annotations

from academy.certificates import services as certificate_services
from academy.credentials import keys, services, statuslist
from academy.credentials.models import KeyAlgorithm, KeyStatus
from academy.credentials.proofs import eddsa, multibase
from tests.credentials.factories import create_certificate, document_of


def _status_of(client, document: dict) -> bool:
    """Read the credential's bit the way a verifier does: fetch the list, check its proof, decode."""
    entry = document["credentialStatus"]
    response = client.get(entry["statusListCredential"].removeprefix("http://localhost"))
    assert response.status_code == 200
    assert "max-age=300" in response.headers["Cache-Control"]
    status_list = response.get_json()
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    method = status_list["proof"]["verificationMethod"]
    jwk_key = keys.find(method.split("#", 1)[1])
    assert eddsa.verify(status_list, public_key=keys.ed25519_public(jwk_key)).ok
    bits = statuslist.decode(status_list["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072
    return statuslist.bit(bits, int(entry["statusListIndex"]))


def test_revoking_a_certificate_flips_its_bit_in_the_status_list(app, db, client):
    certificate = create_certificate()
    other = create_certificate()
    document = document_of(certificate)
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert _status_of(client, document) is False
    certificate_services.revoke(certificate, actor=None, reason="issued_in_error")
    db.session.commit()
    assert _status_of(client, document) is True
    assert _status_of(client, document_of(other)) is False


def test_encoded_list_round_trips():
    encoded = statuslist.encode(131_072, [0, 7, 8, 131_071])
    bits = statuslist.decode(encoded)
    assert [i for i in (0, 1, 7, 8, 9, 131_071) if statuslist.bit(bits, i)] == [0, 7, 8, 131_071]
    assert bits[0] == 0b1000_0001


def test_unknown_status_list_is_404(app, db, client):
    assert client.get("/credentials/status/999").status_code == 404


def test_issuer_profile_and_jwks_list_every_key(app, db, client):
    document = document_of(create_certificate())
    profile = client.get("/issuer")
    assert profile.status_code == 200 and profile.mimetype == "application/ld+json"
    body = profile.get_json()
    method = document["proof"][0]["verificationMethod"]
    listed = {m["id"]: m for m in body["verificationMethod"]}
    assert listed[method]["type"] == "Multikey"
    assert listed[method]["publicKeyMultibase"] == method.split("#")[1]
    assert method in body["assertionMethod"]
    jwks = client.get("/.well-known/jwks.json").get_json()
    kinds = {(k["kty"], k["crv"]) for k in jwks["keys"]}
    assert kinds == {("OKP", "Ed25519"), ("EC", "P-256")}
    assert all(k["kid"] for k in jwks["keys"])


def test_a_retired_key_still_verifies_what_it_signed(app, db):
    first = document_of(create_certificate())
    old_kid = first["proof"][0]["verificationMethod"].split("#")[1]
    keys.create_key(KeyAlgorithm.ED25519)
    keys.retire(old_kid)
    db.session.commit()
    second = document_of(create_certificate())
    new_kid = second["proof"][0]["verificationMethod"].split("#")[1]
    assert new_kid != old_kid
    assert keys.find(old_kid).status == KeyStatus.RETIRED
    assert services.verify(first).verdict == "valid"
    assert services.verify(second).verdict == "valid"
    assert old_kid in {k["kid"] for k in keys.jwks()["keys"]}


def test_private_keys_are_files_readable_only_by_their_owner(app, db):
    key = keys.create_key(KeyAlgorithm.ED25519)
    files = list(keys.keys_dir().glob("*.pem"))
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o077 == 0
    assert key.kid.startswith("z6Mk") and multibase.ed25519_from_multikey(key.kid)


def test_issuer_profile_validates_against_the_1edtech_profile_schema(app, db, client):
    import json
    from pathlib import Path

    import jsonschema

    create_certificate()
    schema = json.loads((Path(__file__).parent / "vectors" / "profile.schema.json").read_text())
    profile = client.get("/issuer").get_json()
    jsonschema.validators.validator_for(schema)(schema).validate(profile)
    assert profile["id"] == document_of(create_certificate())["issuer"]["id"]


def test_a_suspended_certificate_makes_its_credential_suspended_until_lifted(app, db):
    certificate = create_certificate()
    document = document_of(certificate)
    certificate_services.suspend(certificate, actor=None)
    verdict = services.verify(document)
    assert verdict.verdict == "suspended"
    assert verdict.reasons == ["The issuer has suspended this credential for now."]
    certificate_services.lift_suspension(certificate, actor=None)
    assert services.verify(document).verdict == "valid"
