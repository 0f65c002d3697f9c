"""Issuer keys: Ed25519 for credential proofs, P-256 for the QR token; published as Multikey and JWKS.

Public halves live in the `credential_keys` table; private halves are PEM files under
CREDENTIAL_KEYS_DIR (default `<instance>/credential-keys`, a shared volume in production), named
after the key id. When no active key of an algorithm exists, the first signature creates one, so
the embedded default works without a setup step. Retired keys stay published: what they signed
still verifies, but they sign nothing new.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import func, select

from academy.credentials.models import Credential, IssuerKey, KeyAlgorithm, KeyStatus
from academy.credentials.proofs import multibase
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound
from academy.extensions import db

_CACHE = "academy_credential_private_keys"


def b64url(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Bytes of unpadded base64url; ValueError if it is not."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as err:
        raise ValueError("not base64url") from err


def base_url() -> str:
    """The public address of the site, without a trailing slash."""
    return current_app.config["BASE_URL"].rstrip("/")


def issuer_url() -> str:
    """The issuer's id: its profile document, which lists the verification methods."""
    return f"{base_url()}/issuer"


def verification_method(key: IssuerKey) -> str:
    """The key's id in the issuer profile (what proofs name as verificationMethod)."""
    return f"{issuer_url()}#{key.kid}"


def keys_dir() -> Path:
    """Where private keys are kept."""
    configured = current_app.config.get("CREDENTIAL_KEYS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "credential-keys"


def _key_file(kid: str) -> Path:
    return keys_dir() / f"{hashlib.sha256(kid.encode()).hexdigest()[:24]}.pem"


def _thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint (base64url SHA-256 of the required members in order)."""
    members = {k: jwk[k] for k in sorted(("crv", "kty", "x", "y")) if k in jwk}
    return b64url(hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest())


def _describe(private) -> tuple[str, dict, str]:  # noqa: ANN001
    """(kid, public JWK, public Multikey) of a private key."""
    if isinstance(private, Ed25519PrivateKey):
        raw = private.public_key().public_bytes_raw()
        multikey = multibase.ed25519_multikey(raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "alg": "EdDSA", "use": "sig"}
        return multikey, {**jwk, "kid": multikey}, multikey
    numbers = private.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
        "alg": "ES256",
        "use": "sig",
    }
    kid = _thumbprint(jwk)[:10]  # short: the kid travels inside the QR code
    compressed = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return kid, {**jwk, "kid": kid}, multibase.p256_multikey(compressed)


def create_key(algorithm: KeyAlgorithm | str) -> IssuerKey:
    """Generate a key pair, write the private half (mode 0600) and record the public half; flushes."""
    algorithm = KeyAlgorithm(algorithm)
    if algorithm == KeyAlgorithm.ED25519:
        private = Ed25519PrivateKey.generate()
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    kid, jwk, multikey = _describe(private)
    path = _key_file(kid)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    key = IssuerKey(kid=kid, algorithm=algorithm, public_jwk=jwk, public_multibase=multikey, status=KeyStatus.ACTIVE)
    db.session.add(key)
    db.session.flush()
    return key


def all_keys() -> list[IssuerKey]:
    """Every key, active and retired, oldest first."""
    return list(db.session.scalars(select(IssuerKey).order_by(IssuerKey.created_at, IssuerKey.id)))


def find(kid: str) -> IssuerKey | None:
    """The key with this id (active or retired), or None."""
    return db.session.scalar(select(IssuerKey).where(IssuerKey.kid == kid))


def signing_key(algorithm: KeyAlgorithm) -> IssuerKey:
    """The newest active key of `algorithm` whose private half is here; creates one if there is none."""
    candidates = db.session.scalars(
        select(IssuerKey)
        .where(IssuerKey.algorithm == algorithm, IssuerKey.status == KeyStatus.ACTIVE)
        .order_by(IssuerKey.created_at.desc(), IssuerKey.id.desc())
    )
    for key in candidates:
        if _key_file(key.kid).exists():
            return key
    return create_key(algorithm)


def retire(kid: str) -> IssuerKey:
    """Stop signing with a key; it stays published so earlier signatures still verify; flushes."""
    key = find(kid)
    if key is None:
        raise NotFound(f"No key {kid}.")
    if key.status == KeyStatus.RETIRED:
        raise Conflict(f"Key {kid} is already retired.")
    # Locked so that two admins retiring the last two keys at once cannot both succeed (PostgreSQL).
    others = db.session.scalars(
        select(IssuerKey.id)
        .where(IssuerKey.algorithm == key.algorithm, IssuerKey.status == KeyStatus.ACTIVE, IssuerKey.id != key.id)
        .with_for_update()
    ).all()
    if not others:
        raise Conflict(
            f"Key {kid} is the last active {key.algorithm.value} key. "
            f"Create a new {key.algorithm.value} key first, then retire this one."
        )
    key.status = KeyStatus.RETIRED
    key.retired_at = utcnow()
    db.session.flush()
    return key


def signed_counts() -> dict[str, int]:
    """How many credentials each key id signed, in one query (keys that signed none are absent)."""
    rows = db.session.execute(select(Credential.key_id, func.count()).group_by(Credential.key_id))
    return {kid: count for kid, count in rows}


def has_private(kid: str) -> bool:
    """Whether this host holds the key's private half (an active key without it cannot sign here)."""
    return _key_file(kid).exists()


def discard_private(kid: str) -> None:
    """Delete the private half of a key whose row was never committed (an aborted creation)."""
    _key_file(kid).unlink(missing_ok=True)


def private_key(key: IssuerKey):  # noqa: ANN201
    """The key's private half, read once per process."""
    cache = current_app.extensions.setdefault(_CACHE, {})
    path = _key_file(key.kid)
    cache_key = (str(path), key.kid)
    if cache_key not in cache:
        cache[cache_key] = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return cache[cache_key]


def ed25519_public(key: IssuerKey) -> Ed25519PublicKey:
    """The public Ed25519 key of a recorded key."""
    return Ed25519PublicKey.from_public_bytes(multibase.ed25519_from_multikey(key.public_multibase))


def p256_public(jwk: dict) -> ec.EllipticCurvePublicKey:
    """The public P-256 key of a JWK."""
    x = int.from_bytes(b64url_decode(jwk["x"]), "big")
    y = int.from_bytes(b64url_decode(jwk["y"]), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def jwks() -> dict:
    """The JSON Web Key Set of every key, active and retired."""
    return {"keys": [dict(key.public_jwk) for key in all_keys()]}
