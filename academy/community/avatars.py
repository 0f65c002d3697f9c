"""Initials avatars: a small coloured circle with a person's initials, drawn beside their name."""

from __future__ import annotations

import re

# Background colours that all keep white initials at 4.5:1 or better (WCAG AA for text).
PALETTE_SIZE = 7


def initials(name: str | None) -> str:
    """Up to two initials: the first letters of the first and last words ("Anna von Berg" -> "AB")."""
    words = [w for w in re.split(r"[\s\-]+", name or "") if w and w[0].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def colour(user_id: int | None) -> int:
    """A stable palette index for a person (the same colour on every page)."""
    return (user_id or 0) % PALETTE_SIZE
