"""The `eddsa-rdfc-2022` cryptosuite of W3C Data Integrity (Ed25519 over RDFC-1.0 canonical forms).

Signing: canonicalise the proof options (with the document's @context) and the document without
its proof, hash each with SHA-256, sign proofHash || documentHash with Ed25519, and write the
signature as base58btc multibase in `proofValue`.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from academy.credentials.proofs import jsonld, multibase

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any], loader) -> bytes:  # noqa: ANN001
    config = dict(proof_options)
    config.pop("proofValue", None)
    config["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_hash = hashlib.sha256(jsonld.canonicalize(config, loader=loader).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(jsonld.canonicalize(unsecured, loader=loader).encode("utf-8")).digest()
    return proof_hash + doc_hash


def sign(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
    as_list: bool = False,
    loader=None,  # noqa: ANN001
) -> dict[str, Any]:
    """A copy of `document` with an eddsa-rdfc-2022 DataIntegrityProof added.

    `as_list` writes `proof` as a one-element array, the form 1EdTech's JSON Schema requires; the
    RDF (and so the signature) is the same either way.
    """
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(document, options, loader))
    signed = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    proof = {**options, "proofValue": multibase.encode(signature)}
    signed["proof"] = [proof] if as_list else proof
    return signed


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking a document's proof: ok, or the reason it failed."""

    ok: bool
    reason: str = ""
    verification_method: str = ""


def single_proof(document: dict[str, Any]) -> dict[str, Any] | None:
    """The document's one proof (an object, or an array of one), or None."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def verification_method_of(document: dict[str, Any]) -> str:
    """The proof's verificationMethod, or '' when there is no single proof."""
    proof = single_proof(document)
    if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str):
        return proof["verificationMethod"]
    return ""


def verify(document: dict[str, Any], *, public_key: Ed25519PublicKey, loader=None) -> ProofCheck:  # noqa: ANN001
    """Check the document's single eddsa-rdfc-2022 proof against `public_key`."""
    proof = single_proof(document)
    if not isinstance(proof, dict):
        return ProofCheck(False, "The credential has no proof (or more than one).")
    method = proof.get("verificationMethod", "")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(False, f"The proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}.", method)
    value = proof.get("proofValue")
    if not isinstance(value, str):
        return ProofCheck(False, "The proof has no proofValue.", method)
    try:
        signature = multibase.decode(value)
    except ValueError:
        return ProofCheck(False, "The proofValue is not base58btc multibase.", method)
    if "@context" not in document:
        return ProofCheck(False, "The credential has no @context.", method)
    try:
        data = _hash_data(document, proof, loader)
    except jsonld.ContextNotAvailable as err:
        return ProofCheck(False, str(err), method)
    except jsonld.UndefinedTerm as err:
        return ProofCheck(False, f"The credential uses a term its contexts do not define: {err}.", method)
    except Exception as err:  # untrusted input: whatever PyLD trips over makes the credential invalid
        return ProofCheck(False, f"The credential is not valid JSON-LD ({type(err).__name__}).", method)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return ProofCheck(False, "The signature does not match: the credential was changed after signing.", method)
    return ProofCheck(True, "", method)
