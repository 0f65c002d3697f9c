"""Moodle GIFT: `parse(text)` reads questions and reports refused ones; `dumps(specs)` writes them."""

from academy.quizzes.gift.parser import GiftError, GiftResult, parse
from academy.quizzes.gift.writer import dumps

__all__ = ["GiftError", "GiftResult", "dumps", "parse"]
