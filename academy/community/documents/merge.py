"""Three-way merge of Markdown text with `merge3` (the merge of Bazaar and Breezy), finer than lines.

The merge runs line by line first: Markdown paragraphs are lines separated by blank lines, so
edits to different paragraphs merge there. Where both sides changed the same lines, the region is
merged again by sentences, and a sentence both changed is merged once more by words; when every
part of the region merges cleanly that way, so does the region. Otherwise the whole region (the
paragraphs as each side wrote them) is a conflict that keeps both sides. Nothing is ever dropped:
a clean merge holds every change of both sides, a conflict gives back every line of both sides.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from merge3 import Merge3

MARK_THEIRS = "<<<<<<<"
MARK_SPLIT = "======="
MARK_MINE = ">>>>>>>"

# How much text (base + theirs + mine) a finer merge takes on; larger regions stay conflicts.
# Sentences are few and mostly unique, so matching them is cheap even in a long paragraph; words
# repeat, and matching them grows with the square of their number (under 0.1 s at this size:
# bench/merge.py).
MAX_SENTENCE_CHARS = 3 * 200_000
MAX_WORD_CHARS = 3_500

# A sentence runs to its end mark and the spaces after it, or to the end of the line.
_SENTENCE = re.compile(r"[^\n]*?(?:[.!?]+(?:[ \t]+|(?=\n)|$)|\n|$)")
# Words, runs of white space, and single marks: a change to one word leaves its neighbours alone.
_WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# Spaces are everywhere; difflib's "popular item" heuristic must not ignore them as anchors.
_MATCHER = functools.partial(difflib.SequenceMatcher, autojunk=False)


def normalise(text: str) -> str:
    """Unix line ends, no trailing blank lines, one final newline (empty text stays empty)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return f"{text}\n" if text else ""


def sentences(text: str) -> list[str]:
    """The text cut into sentences (with their trailing spaces) and line ends; joins back to `text`."""
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def words(text: str) -> list[str]:
    """The text cut into words, white space and marks; joins back to `text`."""
    return _WORD.findall(text)


@dataclass(frozen=True)
class Region:
    """One conflicting region: what the base had and what each side made of it."""

    base: str
    theirs: str
    mine: str


@dataclass
class MergeResult:
    """The merged pieces in order: plain text, or a Region where both sides changed the same part."""

    pieces: list[str | Region] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Region]:
        """The conflicting regions, in document order."""
        return [p for p in self.pieces if isinstance(p, Region)]

    @property
    def clean(self) -> bool:
        """True when both sides' changes merged without conflict."""
        return not self.conflicts

    @property
    def text(self) -> str:
        """The merged text; only meaningful when clean."""
        return "".join(p for p in self.pieces if isinstance(p, str))

    def with_markers(self, theirs_label: str, mine_label: str) -> str:
        """The merge with each conflict spelled out between markers, for a person to resolve."""
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            out.append(
                f"{MARK_THEIRS} {theirs_label}\n{piece.theirs}{MARK_SPLIT}\n{piece.mine}{MARK_MINE} {mine_label}\n"
            )
        return "".join(out)


def _merge_tokens(base: list[str], theirs: list[str], mine: list[str], **kwargs: object) -> list[str | Region]:
    """merge3 over token lists: merged text runs and conflict regions, in order."""
    pieces: list[str | Region] = []
    buffer: list[str] = []
    for group in Merge3(base, theirs, mine, **kwargs).merge_groups():
        if group[0] == "conflict":
            _kind, base_part, their_part, my_part = group
            if buffer:
                pieces.append("".join(buffer))
                buffer = []
            pieces.append(Region(base="".join(base_part or []), theirs="".join(their_part), mine="".join(my_part)))
        else:
            buffer.extend(group[1])
    if buffer:
        pieces.append("".join(buffer))
    return pieces


Level = tuple[Callable[[str], list[str]], int]


def _fine_merge(region: Region, levels: tuple[Level, ...]) -> str | None:
    """The region merged at the next finer level (and finer still where needed), or None if it still clashes."""
    if not levels:
        return None
    (cut, limit), finer = levels[0], levels[1:]
    if len(region.base) + len(region.theirs) + len(region.mine) > limit:
        return None
    out: list[str] = []
    for piece in _merge_tokens(cut(region.base), cut(region.theirs), cut(region.mine), sequence_matcher=_MATCHER):
        if isinstance(piece, Region):
            resolved = _fine_merge(piece, finer)
            if resolved is None:
                return None
            piece = resolved
        out.append(piece)
    return "".join(out)


def merge(base: str, theirs: str, mine: str) -> MergeResult:
    """Merge `mine` (started from `base`) into `theirs` (saved since): by lines, then sentences, then words."""
    pieces = _merge_tokens(
        normalise(base).splitlines(keepends=True),
        normalise(theirs).splitlines(keepends=True),
        normalise(mine).splitlines(keepends=True),
    )
    result = MergeResult()
    for piece in pieces:
        if isinstance(piece, Region):
            resolved = _fine_merge(piece, ((sentences, MAX_SENTENCE_CHARS), (words, MAX_WORD_CHARS)))
            piece = piece if resolved is None else resolved
        if isinstance(piece, str) and result.pieces and isinstance(result.pieces[-1], str):
            result.pieces[-1] += piece
        else:
            result.pieces.append(piece)
    return result


def has_markers(text: str) -> bool:
    """True while text still holds conflict markers left from a merge."""
    lines = (text or "").splitlines()
    return any(line.startswith(MARK_THEIRS) for line in lines) and any(line.startswith(MARK_MINE) for line in lines)
