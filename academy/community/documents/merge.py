"""Three-way merge of Markdown text, line by line, with `merge3` (the merge of Bazaar and Breezy).

Paragraphs of Markdown are lines separated by blank lines, so edits to different paragraphs merge
cleanly; edits touching the same or adjacent lines become conflict regions that keep both sides.
Nothing is ever dropped: a clean merge holds every change of both sides, a conflict gives back
every line of both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from merge3 import Merge3

MARK_THEIRS = "<<<<<<<"
MARK_SPLIT = "======="
MARK_MINE = ">>>>>>>"


def normalise(text: str) -> str:
    """Unix line ends, no trailing blank lines, one final newline (empty text stays empty)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return f"{text}\n" if text else ""


@dataclass(frozen=True)
class Region:
    """One conflicting region: what the base had and what each side made of it."""

    base: str
    theirs: str
    mine: str


@dataclass
class MergeResult:
    """The merged pieces in order: plain text, or a Region where both sides changed the same lines."""

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


def merge(base: str, theirs: str, mine: str) -> MergeResult:
    """Merge `mine` (started from `base`) into `theirs` (saved since), line-wise."""
    base_lines = normalise(base).splitlines(keepends=True)
    their_lines = normalise(theirs).splitlines(keepends=True)
    my_lines = normalise(mine).splitlines(keepends=True)
    result = MergeResult()
    buffer: list[str] = []
    for group in Merge3(base_lines, their_lines, my_lines).merge_groups():
        if group[0] == "conflict":
            _kind, base_part, their_part, my_part = group
            if buffer:
                result.pieces.append("".join(buffer))
                buffer = []
            result.pieces.append(
                Region(base="".join(base_part or []), theirs="".join(their_part), mine="".join(my_part))
            )
        else:
            buffer.extend(group[1])
    if buffer:
        result.pieces.append("".join(buffer))
    return result


def has_markers(text: str) -> bool:
    """True while text still holds conflict markers left from a merge."""
    lines = (text or "").splitlines()
    return any(line.startswith(MARK_THEIRS) for line in lines) and any(line.startswith(MARK_MINE) for line in lines)
