"""Certificates as verifiable credentials: Open Badges 3.0, eddsa-rdfc-2022, Bitstring Status List.

- proofs/          offline JSON-LD canonicalisation, base58btc multibase, the eddsa-rdfc-2022 suite
- contexts/        the vendored JSON-LD contexts (nothing is ever fetched)
- keys.py          issuer keys: Ed25519 for credentials, P-256 for the QR token; JWKS and Multikey
- builder.py       the OpenBadgeCredential of a certificate
- statuslist.py    the revocation Bitstring Status List credential
- jws.py           the QR code's detached ES256 signature of the certificate code (joserfc)
- services.py      issue/revoke hooks called by certificates, verification of any credential
- integration.py   registers those hooks with academy/certificates/hooks.py (from create_app)
- views.py, cli.py the public documents, the offline QR page, `flask academy keys|credentials ...`
"""
