"""Base58btc multibase (the `z` prefix) and the multicodec key headers of Multikey.

A few lines are enough, so no dependency: the alphabet is Bitcoin's, leading zero bytes become
leading '1' characters.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(ALPHABET)}

# Multicodec varint headers (https://github.com/multiformats/multicodec).
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
P256_PUB = b"\x80\x24"  # compressed point


def b58encode(data: bytes) -> str:
    """Base58btc of `data`."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(ALPHABET[rem])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Bytes of a base58btc string; ValueError for a character outside the alphabet."""
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"not a base58btc character: {char!r}")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    """Multibase base58btc: 'z' + base58btc."""
    return "z" + b58encode(data)


def decode(text: str) -> bytes:
    """Bytes of a 'z' multibase string; ValueError for any other base."""
    if not text.startswith("z"):
        raise ValueError("only base58btc multibase ('z...') is supported")
    return b58decode(text[1:])


def ed25519_multikey(public_key: bytes) -> str:
    """The Multikey `publicKeyMultibase` of a raw 32-byte Ed25519 public key (z6Mk...)."""
    return encode(ED25519_PUB + public_key)


def ed25519_from_multikey(text: str) -> bytes:
    """The raw Ed25519 public key inside a Multikey string; ValueError if it is not one."""
    data = decode(text)
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]


def p256_multikey(compressed_point: bytes) -> str:
    """The Multikey of a compressed P-256 public key (zDn...)."""
    return encode(P256_PUB + compressed_point)
