"""The QR code's seal: an ES256 JWS over the certificate code, signed and checked by joserfc.

The QR code carries `/verify/<code>#<signature>`. The JWS's header (`{"alg":"ES256"}`) and payload
(the compact code, already in the address) are detached, RFC 7515 appendix F style: only the 86
characters of the signature travel, which keeps the symbol small enough to scan from paper. A
verifier rebuilds `header.payload.signature` from the address and checks it against each published
P-256 key (there are few). The fragment never reaches the server; the verification page's script
does the same check with WebCrypto, offline too.

Certificates printed before this carried a full compact token (`#header.payload.signature`, with
a `kid` and the holder's name, course, credits and date); `verify_token` still checks those.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from academy.credentials.keys import b64url, b64url_decode

ALGORITHM = "ES256"
HEADER = {"alg": ALGORITHM}
SIGNATURE_LENGTH = 86  # 64 bytes (r || s) in unpadded base64url


def _key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey | dict) -> ECKey:
    return ECKey.import_key(key)


def _header_segment() -> str:
    """The protected header as joserfc writes it; the JS check uses the same constant."""
    return b64url(json.dumps(HEADER, separators=(",", ":")).encode("ascii"))


def sign_code(code: str, *, private_key: ec.EllipticCurvePrivateKey) -> str:
    """The detached ES256 signature of a compact certificate code (what follows `#` in the QR)."""
    token = jws.serialize_compact(HEADER, code.encode("ascii"), _key(private_key), algorithms=[ALGORITHM])
    header, _payload, signature = token.split(".")
    if header != _header_segment():  # the verifier rebuilds the header: it must be this exact text
        raise AssertionError("unexpected JWS header serialisation")
    return signature


def verify_code(code: str, signature: str, *, keys: list[dict[str, Any]]) -> str | None:
    """The kid of the published P-256 key whose signature of `code` this is, or None."""
    if len(signature) != SIGNATURE_LENGTH:
        return None
    token = f"{_header_segment()}.{b64url(code.encode('ascii'))}.{signature}"
    for jwk in keys:
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            continue
        try:
            jws.deserialize_compact(token, _key(jwk), algorithms=[ALGORITHM])
        except (JoseError, ValueError):
            continue
        return str(jwk.get("kid", ""))
    return None


def sign(claims: dict[str, Any], *, private_key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """A full compact ES256 token of `claims` (the earlier QR form; kept for tests of old prints)."""
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return jws.serialize_compact({"alg": ALGORITHM, "kid": kid}, payload, _key(private_key), algorithms=[ALGORITHM])


def header(token: str) -> dict[str, Any]:
    """A compact token's protected header, unverified; ValueError if it is not a compact JWS."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS")
    value = json.loads(b64url_decode(parts[0]))
    if not isinstance(value, dict):
        raise ValueError("JWS header is not an object")
    return value


def verify_token(token: str, *, public_key: ec.EllipticCurvePublicKey | dict) -> dict[str, Any]:
    """The claims of a full compact token signed by `public_key`; ValueError otherwise."""
    try:
        found = jws.deserialize_compact(token, _key(public_key), algorithms=[ALGORITHM])
    except JoseError as err:
        raise ValueError(f"not a valid ES256 token: {err}") from err
    return json.loads(found.payload)
