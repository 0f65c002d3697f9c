"""The compact ES256 JWS carried in the QR code's URL fragment: code, name, course, credits, date.

The fragment never reaches the server; the verification page's script checks the token against
the published P-256 key, so a phone can tell an authentic code even without the live lookup.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from academy.credentials.keys import b64url, b64url_decode


def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(claims: dict[str, Any], *, private_key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """`header.payload.signature`, ES256 with the raw r||s signature of RFC 7518."""
    signing_input = b64url(_compact({"alg": "ES256", "kid": kid})) + "." + b64url(_compact(claims))
    r, s = decode_dss_signature(private_key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def header(token: str) -> dict[str, Any]:
    """The token's protected header, unverified; ValueError if it is not a compact JWS."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS")
    value = json.loads(b64url_decode(parts[0]))
    if not isinstance(value, dict):
        raise ValueError("JWS header is not an object")
    return value


def verify(token: str, *, public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """The claims of a token signed by `public_key`; ValueError otherwise."""
    if header(token).get("alg") != "ES256":
        raise ValueError("not an ES256 token")
    head, payload, signature = token.split(".")
    raw = b64url_decode(signature)
    if len(raw) != 64:
        raise ValueError("bad ES256 signature length")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, f"{head}.{payload}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as err:
        raise ValueError("signature does not match") from err
    return json.loads(b64url_decode(payload))
