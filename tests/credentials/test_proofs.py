"""The signer reproduces the W3C eddsa-rdfc-2022 vector and the OB 3.0 example exactly, offline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from academy.credentials.proofs import eddsa, jsonld, multibase

VECTORS = Path(__file__).parent / "vectors"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _json(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def _w3c_loader():
    return jsonld.local_loader({EXAMPLES_V2: _json("examples-v2.jsonld")})


def _w3c_key() -> Ed25519PrivateKey:
    pair = _json("keyPair.json")
    secret = multibase.decode(pair["privateKeyMultibase"])
    assert secret[:2] == multibase.ED25519_PRIV
    return Ed25519PrivateKey.from_private_bytes(secret[2:])


def test_base58btc_round_trips_and_keeps_leading_zeros():
    for data in (b"", b"\0", b"\0\0\x01", b"hello world", bytes(range(256))):
        assert multibase.b58decode(multibase.b58encode(data)) == data
    assert multibase.b58encode(b"hello world") == "StV1DL6CwTryKyV"
    assert multibase.b58encode(b"\0\0\x01") == "112"
    with pytest.raises(ValueError):
        multibase.decode("z0OIl")
    with pytest.raises(ValueError):
        multibase.decode("mAAAA")


def test_w3c_key_pair_public_key_is_the_published_multikey():
    public = _w3c_key().public_key().public_bytes_raw()
    assert multibase.ed25519_multikey(public) == _json("keyPair.json")["publicKeyMultibase"]


def test_w3c_canonical_forms_match(no_network):
    loader = _w3c_loader()
    canon = jsonld.canonicalize(_json("unsigned.json"), loader=loader)
    assert canon == (VECTORS / "eddsa-rdfc-2022_canonDocDataInt.txt").read_text()
    proof_config = jsonld.canonicalize(_json("eddsa-rdfc-2022_proofConfigDataInt.json"), loader=loader)
    assert proof_config == (VECTORS / "eddsa-rdfc-2022_proofCanonDataInt.txt").read_text()


def test_signer_reproduces_the_w3c_vector_exactly(no_network):
    expected = _json("eddsa-rdfc-2022_signedDataInt.json")
    signed = eddsa.sign(
        _json("unsigned.json"),
        private_key=_w3c_key(),
        verification_method=expected["proof"]["verificationMethod"],
        created=expected["proof"]["created"],
        loader=_w3c_loader(),
    )
    assert signed["proof"]["proofValue"] == expected["proof"]["proofValue"]
    assert signed == expected
    assert not no_network


def test_signer_reproduces_the_ob3_example_exactly(no_network):
    vector = _json("ob3-eddsa-rdfc-2022-vector.json")
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["ed25519_private_key_hex"]))
    canon = jsonld.canonicalize(vector["unsigned"])
    assert canon == (VECTORS / "ob3-document-canon.nq").read_text()
    assert hashlib.sha256(canon.encode()).hexdigest() == vector["expected_document_hash"]
    signed = eddsa.sign(
        vector["unsigned"],
        private_key=key,
        verification_method=vector["verificationMethod"],
        created=vector["created"],
        proof_purpose=vector["proofPurpose"],
    )
    assert signed["proof"]["proofValue"] == vector["expected_proofValue"]
    assert eddsa.verify(signed, public_key=key.public_key()).ok


def test_verify_accepts_the_w3c_signed_credential_and_refuses_a_changed_field(no_network):
    signed = _json("eddsa-rdfc-2022_signedDataInt.json")
    public = _w3c_key().public_key()
    assert eddsa.verify(signed, public_key=public, loader=_w3c_loader()).ok
    signed["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    check = eddsa.verify(signed, public_key=public, loader=_w3c_loader())
    assert not check.ok
    assert "changed" in check.reason


def test_unknown_context_is_refused_not_fetched(no_network):
    document = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"], "name": "x"}
    with pytest.raises(jsonld.ContextNotAvailable):
        jsonld.canonicalize(document)
    assert not no_network


def test_examples_context_served_to_a_test_loader_does_not_leak_into_the_default_loader():
    jsonld.canonicalize(_json("unsigned.json"), loader=_w3c_loader())
    with pytest.raises(jsonld.ContextNotAvailable):
        jsonld.canonicalize(_json("unsigned.json"))


def _credential(**extra) -> dict:
    return {
        "@context": [jsonld.VC_V2],
        "id": "https://academy.example/credentials/1",
        "type": ["VerifiableCredential"],
        "issuer": "https://academy.example/issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://academy.example/people/1"},
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"schoolMotto": "Ad astra"}, "not defined"),
        (
            {"credentialSchema": [{"id": "https://academy.example/s.json", "type": "1EdTechJsonSchemaValidator2019"}]},
            "type",
        ),
        ({"credentialSubject": {"id": "people/1"}}, "relative"),
        ({"type": ["VerifiableCredential", "CourseCertificate"]}, "type"),
    ],
    ids=["undefined term", "undefined schema type", "relative id", "undefined credential type"],
)
def test_safe_mode_refuses_what_the_contexts_do_not_define(extra, message):
    """As jsonld.js in safe mode does: the reference verifier would reject these, so we never sign them."""
    with pytest.raises(jsonld.UndefinedTerm, match=message):
        jsonld.canonicalize(_credential(**extra))
    with pytest.raises(jsonld.UndefinedTerm):
        eddsa.sign(
            _credential(**extra),
            private_key=_w3c_key(),
            verification_method="https://academy.example/issuer#key-1",
            created="2026-01-01T00:00:00Z",
        )


def test_safe_mode_accepts_a_credential_whose_every_term_is_defined():
    schema = [{"id": "https://academy.example/s.json", "type": "JsonSchema"}]
    assert "JsonSchema" in jsonld.canonicalize(_credential(credentialSchema=schema))
    signed = eddsa.sign(
        _credential(credentialSchema=schema),
        private_key=_w3c_key(),
        verification_method="https://academy.example/issuer#key-1",
        created="2026-01-01T00:00:00Z",
    )
    assert eddsa.verify(signed, public_key=_w3c_key().public_key()).ok


def test_a_credential_with_an_undefined_term_is_invalid_with_the_reason():
    signed = eddsa.sign(
        _credential(),
        private_key=_w3c_key(),
        verification_method="https://academy.example/issuer#key-1",
        created="2026-01-01T00:00:00Z",
    )
    signed["schoolMotto"] = "Ad astra"
    check = eddsa.verify(signed, public_key=_w3c_key().public_key())
    assert not check.ok
    assert "term its contexts do not define" in check.reason
