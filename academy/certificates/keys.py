"""The seal's keys: from configuration (or a development CA), loaded once per app, and described for admins.

Keys come from CERTIFICATE_SIGNING_KEY / CERTIFICATE_SIGNING_CERT (PEM files), with optional
intermediates in CERTIFICATE_SIGNING_CHAIN and the pinned roots in CERTIFICATE_TRUST_ROOTS.
Without a configured key, a development CA and an ECDSA P-256 seal key are generated once under
CERTIFICATE_KEYS_DIR (instance/signing/); the CA's private key is thrown away after it signs."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID
from flask import Flask, current_app
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore

log = logging.getLogger(__name__)

_EXTENSION = "academy_certificate_signer"


class SigningConfigError(RuntimeError):
    """The configured keys cannot be used."""


@dataclass(frozen=True)
class SealKey:
    """Everything needed to seal and to check seals, parsed once per process."""

    key_id: str
    signer: signers.SimpleSigner
    signer_name: str
    roots: tuple[asn1_x509.Certificate, ...]
    chain: tuple[asn1_x509.Certificate, ...]


class _ParsedKeySigner(signers.SimpleSigner):
    """SimpleSigner that keeps the parsed private key; pyHanko re-parses it on every signature.

    Parsing an RSA key costs tens of milliseconds, more than the rest of a seal.
    """

    def __init__(self, *args, parsed_key, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._parsed_key = parsed_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._parsed_key
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo)
        if mechanism == "ed25519" and isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)


def run_sync(coro: Coroutine) -> object:
    """Run pyHanko's coroutine to the end, also when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # An event loop is running here (an async server, or Playwright in tests): use another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _pem_certs(path: Path) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as err:
        raise SigningConfigError(f"cannot read certificates from {path}: {err}") from err


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _fingerprint_id(cert: x509.Certificate) -> str:
    return "sha256:" + cert.fingerprint(hashes.SHA256()).hex()[:16]


def dev_key_paths(keys_dir: Path) -> dict[str, Path]:
    """Where the development CA root, seal key and seal certificate live."""
    return {"root": keys_dir / "dev-root.pem", "key": keys_dir / "dev-seal.key.pem", "cert": keys_dir / "dev-seal.pem"}


def ensure_dev_keys(keys_dir: Path, *, issuer: str = "Interreg Academy") -> dict[str, Path]:
    """Generate the development CA and seal key under `keys_dir` unless they exist; return the paths.

    The folder is built aside and renamed into place, so two processes starting together end
    up sharing one key set.
    """
    paths = dev_key_paths(keys_dir)
    if all(p.exists() for p in paths.values()):
        return paths
    keys_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=keys_dir.parent))
    try:
        _write_dev_keys(staging, issuer=issuer)
        try:
            os.rename(staging, keys_dir)
        except OSError:
            if not all(p.exists() for p in paths.values()):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return paths


def _write_dev_keys(folder: Path, *, issuer: str) -> None:
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{issuer} development CA (not for production)"),
        ]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{issuer} (development seal)"),
        ]
    )
    seal_cert = (
        x509.CertificateBuilder()
        .subject_name(seal_name)
        .issuer_name(ca_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * 25))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Non-repudiation (content commitment): pyHanko's default for signer certificates.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = dev_key_paths(folder)
    paths["root"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(seal_cert.public_bytes(serialization.Encoding.PEM))
    key_pem = seal_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(paths["key"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_pem)


def _load(app: Flask) -> SealKey:
    cfg = app.config
    key_path = cfg.get("CERTIFICATE_SIGNING_KEY")
    if key_path:
        cert_path = cfg.get("CERTIFICATE_SIGNING_CERT")
        roots_path = cfg.get("CERTIFICATE_TRUST_ROOTS")
        if not cert_path or not roots_path:
            raise SigningConfigError(
                "CERTIFICATE_SIGNING_KEY needs CERTIFICATE_SIGNING_CERT and CERTIFICATE_TRUST_ROOTS as well"
            )
        chain_path = cfg.get("CERTIFICATE_SIGNING_CHAIN")
        key_file, cert_file, roots_file = Path(key_path), Path(cert_path), Path(roots_path)
        chain = _pem_certs(Path(chain_path)) if chain_path else []
    else:
        folder = Path(cfg.get("CERTIFICATE_KEYS_DIR") or Path(app.instance_path) / "signing")
        paths = ensure_dev_keys(folder, issuer=cfg["CERTIFICATE_ISSUER"])
        key_file, cert_file, roots_file = paths["key"], paths["cert"], paths["root"]
        chain = []
        if not app.config.get("TESTING"):
            log.warning("Certificates are sealed with the development CA in %s; configure real keys", folder)
    password = cfg.get("CERTIFICATE_SIGNING_KEY_PASSWORD")
    try:
        private_key = serialization.load_pem_private_key(
            key_file.read_bytes(), password=password.encode() if password else None
        )
    except (OSError, ValueError, TypeError) as err:
        raise SigningConfigError(f"cannot read the signing key {key_file}: {err}") from err
    certs = _pem_certs(cert_file)
    if not certs:
        raise SigningConfigError(f"no certificate in {cert_file}")
    cert = certs[0]
    roots = _pem_certs(roots_file)
    if not roots:
        raise SigningConfigError(f"no root certificate in {roots_file}")
    key_info = asn1_keys.PrivateKeyInfo.load(
        private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    asn1_cert = _to_asn1(cert)
    asn1_chain = tuple(_to_asn1(c) for c in [*certs[1:], *chain])
    asn1_roots = tuple(_to_asn1(c) for c in roots)
    signer = _ParsedKeySigner(
        signing_cert=asn1_cert,
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs([*asn1_chain, *asn1_roots]),
        parsed_key=private_key,
    )
    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(common_names[0].value) if common_names else cfg["CERTIFICATE_ISSUER"]
    return SealKey(
        key_id=cfg.get("CERTIFICATE_KEY_ID") or _fingerprint_id(cert),
        signer=signer,
        signer_name=name,
        roots=asn1_roots,
        chain=asn1_chain,
    )


def seal_key(app: Flask | None = None) -> SealKey:
    """The process's seal key, loaded (or generated) on first use."""
    app = app or current_app._get_current_object()
    cached = app.extensions.get(_EXTENSION)
    if cached is None:
        cached = app.extensions[_EXTENSION] = _load(app)
    return cached


@dataclass(frozen=True)
class SealSummary:
    """What an admin sees of the seal key: its public certificate, never the private half."""

    key_id: str
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint: str  # SHA-256 of the certificate (DER), hex pairs
    configured: bool  # False: the generated development CA


def describe_seal(app: Flask | None = None) -> SealSummary:
    """The seal key's certificate: subject, issuer, validity and fingerprint (no database access)."""
    app = app or current_app._get_current_object()
    key = seal_key(app)
    cert = x509.load_der_x509_certificate(key.signer.signing_cert.dump())
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return SealSummary(
        key_id=key.key_id,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        configured=bool(app.config.get("CERTIFICATE_SIGNING_KEY")),
    )
