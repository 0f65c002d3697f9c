"""Bitstring Status List (W3C): the revocation list credential and the allocation of its indexes.

Each credential gets a random free index in a list of 131,072 entries, so neighbouring indexes
say nothing about issue order. The bits are not stored as a blob: a credential's `revoked` column
is its bit, and the list is built from the set ones when asked for. Two revocations at once
cannot overwrite each other's bit that way.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
from typing import Any

from sqlalchemy import func, select

from academy.credentials import keys
from academy.credentials.models import Credential, KeyAlgorithm, StatusList, StatusPurpose
from academy.credentials.proofs import eddsa
from academy.credentials.proofs.jsonld import VC_V2
from academy.db import utcnow
from academy.extensions import db

LIST_SIZE = 131_072  # the minimum the specification asks for, for herd privacy
FULL_AT = LIST_SIZE // 2  # past half full, random probing slows down: start a new list


def list_url(status_list_id: int) -> str:
    """The status list credential's address."""
    return f"{keys.base_url()}/credentials/status/{status_list_id}"


def current_list() -> StatusList:
    """The newest revocation list with room left; creates one when there is none; flushes."""
    row = db.session.execute(
        select(StatusList, func.count(Credential.id))
        .outerjoin(Credential, Credential.status_list_id == StatusList.id)
        .where(StatusList.purpose == StatusPurpose.REVOCATION)
        .group_by(StatusList.id)
        .order_by(StatusList.id.desc())
        .limit(1)
    ).first()
    if row is not None and row[1] < FULL_AT:
        return row[0]
    status_list = StatusList(purpose=StatusPurpose.REVOCATION, size=LIST_SIZE)
    db.session.add(status_list)
    db.session.flush()
    return status_list


def free_index(status_list: StatusList) -> int:
    """A random index not yet used in the list (the unique constraint settles a race)."""
    while True:
        index = secrets.randbelow(status_list.size)
        taken = db.session.scalar(
            select(Credential.id).where(Credential.status_list_id == status_list.id, Credential.status_index == index)
        )
        if taken is None:
            return index


def entry(status_list: StatusList, index: int) -> dict[str, Any]:
    """The credentialStatus entry of a credential at `index`."""
    url = list_url(status_list.id)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_list.purpose.value,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encode(size: int, set_bits: list[int]) -> str:
    """The encodedList: multibase base64url ('u') of the GZIP of the bitstring (index 0 = first bit)."""
    bits = bytearray(size // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + keys.b64url(gzip.compress(bytes(bits), mtime=0))


def decode(encoded: str) -> bytes:
    """The bitstring of an encodedList; ValueError if it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not base64url multibase")
    try:
        return gzip.decompress(keys.b64url_decode(encoded[1:]))
    except (OSError, EOFError) as err:
        raise ValueError("encodedList is not GZIP data") from err


def bit(bitstring: bytes, index: int) -> bool:
    """The bit at `index` of a decoded list."""
    if not 0 <= index < len(bitstring) * 8:
        raise ValueError("status index outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def revoked_indexes(status_list: StatusList) -> list[int]:
    """The set bits of a list, in order."""
    return list(
        db.session.scalars(
            select(Credential.status_index)
            .where(Credential.status_list_id == status_list.id, Credential.revoked.is_(True))
            .order_by(Credential.status_index)
        )
    )


_MEMO = "academy_status_list_memo"


def signed_list(status_list: StatusList, issuer_name: str) -> dict[str, Any]:
    """The signed BitstringStatusListCredential; re-signed only when its bits or the key change."""
    from flask import current_app

    set_bits = revoked_indexes(status_list)
    key = keys.signing_key(KeyAlgorithm.ED25519)
    fingerprint = hashlib.sha256(f"{status_list.id}:{key.kid}:{set_bits}".encode()).hexdigest()
    memo = current_app.extensions.setdefault(_MEMO, {})
    cached = memo.get(status_list.id)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    url = list_url(status_list.id)
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": keys.issuer_url(), "name": issuer_name},
        "validFrom": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose.value,
            "encodedList": encode(status_list.size, set_bits),
        },
    }
    signed = eddsa.sign(
        document,
        private_key=keys.private_key(key),
        verification_method=keys.verification_method(key),
        created=document["validFrom"],
    )
    memo[status_list.id] = (fingerprint, signed)
    return signed
