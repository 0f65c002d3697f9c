"""Certificate codes: 95 random bits in Crockford base32, grouped, with a check character.

A code looks like ``7KQ2-M9XD-4HTR-B1ZP-6WNC``: 19 random characters (95 bits from
`secrets`) and a Luhn mod 32 check character, in five groups of four. People type codes
from paper, so input is normalised: case, spaces and dashes are ignored and the letters
O, I and L read as 0, 1 and 1 (Crockford's alphabet has none of them, nor U). Every single
mistyped character, and every swap of two neighbours but the pair 0/Z, fails the check
before any look-up. Only the SHA-256 of the normalised code is stored.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_READS_AS = {"O": "0", "I": "1", "L": "1"}
RANDOM_CHARS = 19  # 95 bits
GROUP = 4
LENGTH = RANDOM_CHARS + 1


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of `body` (characters from ALPHABET)."""
    factor = 2
    total = 0
    base = len(ALPHABET)
    for char in reversed(body):
        addend = factor * _VALUE[char]
        addend = addend // base + addend % base
        total += addend
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def generate() -> str:
    """A new random code, grouped for reading (``XXXX-XXXX-XXXX-XXXX-XXXX``)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return group(body + check_character(body))


def group(compact: str) -> str:
    """Insert a dash every four characters."""
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


def normalise(text: str) -> str | None:
    """The compact upper-case form of a typed code, or None if it cannot be a code."""
    compact = []
    for char in text.upper():
        if char in " -–—_.\t":
            continue
        char = _READS_AS.get(char, char)
        if char not in _VALUE:
            return None
        compact.append(char)
    if len(compact) != LENGTH:
        return None
    return "".join(compact)


def is_well_formed(compact: str) -> bool:
    """True if a normalised code's last character checks the others."""
    return len(compact) == LENGTH and check_character(compact[:-1]) == compact[-1]


def parse(text: str) -> str | None:
    """Normalise and check a typed code; the compact code, or None when it is not one of ours."""
    compact = normalise(text)
    if compact is None or not is_well_formed(compact):
        return None
    return compact


def digest(code: str) -> str:
    """The SHA-256 (hex) stored for look-up; accepts the grouped or compact form."""
    compact = normalise(code)
    if compact is None:
        raise ValueError("not a certificate code")
    return hashlib.sha256(compact.encode("ascii")).hexdigest()
