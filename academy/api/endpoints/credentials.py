"""Verifying a certificate's verifiable credential: public, no token needed."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from marshmallow import INCLUDE, Schema, fields, validate

from academy.api.core import api_route
from academy.api.fields import Text
from academy.api.schemas import ApiSchema
from academy.api.spec import describe_tag
from academy.credentials import services
from academy.extensions import limiter

describe_tag(
    "Credentials",
    "Open Badges 3.0 credentials of certificates (eddsa-rdfc-2022, Bitstring Status List). Public: no token needed.",
)


class CredentialBody(Schema):
    """A verifiable credential as issued (JSON-LD); every other member is passed through unchanged."""

    class Meta:
        unknown = INCLUDE

    context = fields.List(
        Text(strip=False, validate=validate.Length(max=500)),
        data_key="@context",
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "JSON-LD contexts; only the VC 2.0 and OB 3.0.3 contexts are known."},
    )
    type = fields.List(
        Text(strip=False, validate=validate.Length(max=200)),
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "Must include `VerifiableCredential`."},
    )


class VerifyResult(ApiSchema):
    """The verdict on a credential."""

    verdict = fields.String(
        required=True,
        validate=validate.OneOf(["valid", "invalid", "revoked", "suspended", "expired"]),
        metadata={"description": "`valid` only when the proof, the validity period and the status all pass."},
    )
    reasons = fields.List(fields.String(), required=True, metadata={"description": "Why it is not valid."})
    credential_id = fields.String(required=True)
    key_id = fields.String(required=True, metadata={"description": "The issuer key that signed it, if ours."})
    valid_from = fields.String(required=True)
    valid_until = fields.String(required=True, metadata={"description": "Empty when the credential does not expire."})


def _verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


@api_route("/credentials/verify", method="POST", body=CredentialBody, response=VerifyResult, tags=["Credentials"])
# Canonicalising costs CPU: the same budget as checking a code on the verification page.
@limiter.shared_limit(_verify_limit, scope="credential-verify", override_defaults=False)
def verify_credential(body: dict[str, Any]) -> services.Verdict:
    """Verify a certificate's credential.

    Send the credential JSON as the body (`application/json` or `application/ld+json`). The answer
    says `valid`, `invalid` (with reasons), `revoked` (its bit is set in our status list) or
    `expired`. Nothing is fetched from the network: contexts and keys are our own. Limited like
    the verification page (`CERTIFICATE_VERIFY_RATE_LIMIT`).
    """
    # The loaded body renames `@context`; the proof covers the document exactly as sent.
    document = json.loads(request.get_data(cache=True))
    return services.verify(document)
