"""Factories for credential tests: certificates issued through the real service carry credentials."""

from __future__ import annotations

import json

from academy.certificates.models import Certificate
from academy.credentials import services
from academy.credentials.models import Credential
from tests.certificates.factories import create_certificate, create_course
from tests.factories import create_user

__all__ = ["create_certificate", "create_course", "create_user", "credential_of", "document_of"]


def credential_of(certificate: Certificate) -> Credential:
    """The credential issued with `certificate`."""
    credential = services.of_certificate(certificate)
    assert credential is not None
    return credential


def document_of(certificate: Certificate) -> dict:
    """The signed credential document of `certificate`."""
    return json.loads(credential_of(certificate).document)
