"""The PAdES seal: sealing a PDF and validating a seal (the keys are in keys.py).

Validation trusts only the pinned roots and never goes to the network: a certificate of ours
must verify on a machine without Internet access, and a verifier must not be made to fetch URLs
chosen by whoever crafted the upload.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from flask import Flask
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from academy.certificates.hooks import Attachment
from academy.certificates.keys import run_sync, seal_key

log = logging.getLogger(__name__)

SEAL_FIELD = "AcademySeal"
SIGNATURE_BYTES = 12 * 1024  # room for the CMS container: signer cert, chain, root, attributes


# ---------------------------------------------------------------------------- sealing


@dataclass(frozen=True)
class SealBox:
    """Where the visible seal goes on the first page, in PDF points from the bottom left."""

    x1: float
    y1: float
    x2: float
    y2: float


_STAMP = TextStampStyle(
    stamp_text="Electronically sealed by\n%(signer)s\n%(ts)s",
    timestamp_format="%Y-%m-%d %H:%M UTC",
    border_width=1,
    border_color=(0.043, 0.239, 0.569),
    text_box_style=TextBoxStyle(font_size=8, text_color=(0.027, 0.165, 0.4)),
)


def seal(
    pdf: bytes,
    *,
    box: SealBox,
    reason: str,
    location: str = "",
    attachments: Sequence[Attachment] = (),
    app: Flask | None = None,
) -> bytes:
    """Certify `pdf` (no changes permitted) with a visible seal in `box`; return the sealed bytes.

    `attachments` are embedded in the same revision as the seal, so the seal covers them.
    """
    key = seal_key(app)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    for item in attachments:
        data = embed.EmbeddedFileObject.from_file_data(writer, data=item.data, mime_type=item.mime_type)
        spec = embed.FileSpec(
            file_spec_string=item.name,
            file_name=item.name,
            embedded_data=data,
            description=item.description or None,
            af_relationship=generic.NameObject("/Data"),
        )
        embed.embed_file(writer, spec)
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
        name=key.signer_name,
    )
    spec = fields.SigFieldSpec(SEAL_FIELD, on_page=0, box=(box.x1, box.y1, box.x2, box.y2))
    pdf_signer = signers.PdfSigner(meta, signer=key.signer, stamp_style=_STAMP, new_field_spec=spec)
    out = BytesIO()
    run_sync(
        pdf_signer.async_sign_pdf(
            writer,
            output=out,
            # A fixed reservation saves pyHanko a dry-run signature made only to measure its size.
            bytes_reserved=SIGNATURE_BYTES,
            appearance_text_params={"signer": key.signer_name, "ts": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")},
        )
    )
    return out.getvalue()


# ---------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class SealCheck:
    """The outcome of checking a PDF's seal against our pinned roots."""

    ok: bool
    reason: str  # "valid", "no_signature", "unreadable", "not_trusted", "modified", "not_certified"
    signer: str = ""
    signed_at: datetime | None = None
    sha256: str = ""
    embedded_code: str = ""


def _info_code(reader: PdfFileReader) -> str:
    try:
        return str(reader.trailer_view["/Info"].get("/CertificateCode", ""))
    except Exception:  # a damaged Info dictionary means only that we cannot name the certificate
        return ""


def check_seal(data: bytes, *, app: Flask | None = None) -> SealCheck:
    """Validate the certification seal of `data` against the pinned roots, offline, in this process.

    For files we made ourselves; uploads go through `sandbox.check_seal_bounded` instead.
    """
    key = seal_key(app)
    return validate_seal(data, roots=key.roots, chain=key.chain)


def validate_seal(
    data: bytes, *, roots: Sequence[asn1_x509.Certificate], chain: Sequence[asn1_x509.Certificate]
) -> SealCheck:
    """Validate the certification seal of `data` against `roots` (no app, no network)."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # anything unparseable is simply not one of our certificates
        return SealCheck(ok=False, reason="unreadable", sha256=sha)
    if not embedded:
        return SealCheck(ok=False, reason="no_signature", sha256=sha, embedded_code=_info_code(reader))
    signature = embedded[0]
    context = ValidationContext(
        trust_roots=list(roots),
        other_certs=list(chain),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = run_sync(async_validate_pdf_signature(signature, signer_validation_context=context))
    except Exception:
        return SealCheck(ok=False, reason="unreadable", sha256=sha, embedded_code=_info_code(reader))
    code = _info_code(reader)
    signer_name = status.signing_cert.subject.native.get("common_name", "") if status.signing_cert else ""
    signed_at = status.signer_reported_dt
    common = {"signer": signer_name, "signed_at": signed_at, "sha256": sha, "embedded_code": code}
    if not (status.intact and status.valid):
        return SealCheck(ok=False, reason="modified", **common)
    if not status.trusted:
        return SealCheck(ok=False, reason="not_trusted", **common)
    if signature.docmdp_level != fields.MDPPerm.NO_CHANGES or len(embedded) != 1:
        return SealCheck(ok=False, reason="not_certified", **common)
    if not status.bottom_line or status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        # Bytes appended after the seal (an incremental update), even ones pyHanko tolerates.
        return SealCheck(ok=False, reason="modified", **common)
    return SealCheck(ok=True, reason="valid", **common)


def read_embedded_code(data: bytes) -> str:
    """The certificate code written in a PDF's Info dictionary (our own stored files only)."""
    try:
        return _info_code(PdfFileReader(BytesIO(data), strict=False))
    except Exception:
        return ""
