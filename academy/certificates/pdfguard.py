"""Cheap structural checks of an uploaded PDF, done before any PDF library sees it.

Everything here reads the bytes as text with bounded searches: a header near the start, `%%EOF`
near the end, and one chain of cross-reference sections from the last `startxref`, each found at
its offset, with `/Prev` pointing backwards a bounded number of times and never to a section
already seen (a self-referencing `/Prev` made the PDF library loop forever). A file that passes
still goes to the sandboxed parser; these checks only turn the obvious cases away for free.
"""

from __future__ import annotations

import re

HEADER_WINDOW = 1024  # the spec lets readers accept the header within the first 1024 bytes
TAIL_WINDOW = 2048
DICT_WINDOW = 8192  # how far a trailer or xref stream dictionary may reach
MAX_SECTIONS = 32  # incremental updates we accept (our certificates have two or three)

_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s")
_PREV = re.compile(rb"/Prev\s+(\d{1,12})\b")
_XREF_STM = re.compile(rb"/XRefStm\s+(\d{1,12})\b")
_OBJECT = re.compile(rb"\s*\d{1,10}\s+\d{1,5}\s+obj\b")

# What each problem means, for logs and tests; the visitor is told only that the file cannot be checked.
PROBLEMS = {
    "no_header": "no %PDF- header in the first 1024 bytes",
    "no_eof": "no %%EOF marker at the end",
    "no_startxref": "no startxref offset at the end",
    "xref_out_of_range": "a cross-reference offset points outside the file",
    "xref_not_found": "no cross-reference section at its offset",
    "no_trailer": "a cross-reference table without a trailer",
    "xref_cycle": "the /Prev chain of cross-reference sections loops",
    "too_many_sections": "more incremental updates than a certificate has",
}


def header_offset(data: bytes) -> int | None:
    """Where `%PDF-` starts within the first 1024 bytes, or None."""
    found = data.find(b"%PDF-", 0, HEADER_WINDOW)
    return None if found < 0 else found


def structure_problem(data: bytes) -> str | None:
    """The first structural problem of `data` (a key of PROBLEMS), or None if the shape is sound."""
    start = header_offset(data)
    if start is None:
        return "no_header"
    tail_start = max(0, len(data) - TAIL_WINDOW)
    tail = data[tail_start:]
    if b"%%EOF" not in tail:
        return "no_eof"
    at = tail.rfind(b"startxref")
    match = _STARTXREF.match(tail, at) if at >= 0 else None
    if match is None:
        return "no_startxref"
    return _walk_chain(data, int(match.group(1)), start)


def _walk_chain(data: bytes, offset: int, start: int) -> str | None:
    seen: set[int] = set()
    next_offset: int | None = offset
    while next_offset is not None:
        if next_offset in seen:
            return "xref_cycle"
        if len(seen) >= MAX_SECTIONS:
            return "too_many_sections"
        seen.add(next_offset)
        section = _section_dictionary(data, next_offset, start)
        if isinstance(section, str):
            return section
        stream = _XREF_STM.search(section)
        if stream is not None and int(stream.group(1)) >= len(data):
            return "xref_out_of_range"
        prev = _PREV.search(section)
        next_offset = int(prev.group(1)) if prev else None
    return None


def _section_dictionary(data: bytes, offset: int, start: int) -> bytes | str:
    """The trailer (or xref stream) dictionary of the section at `offset`, or a problem key."""
    if not 0 <= offset < len(data):
        return "xref_out_of_range"
    # Some writers count offsets from the header rather than from the first byte.
    for base in dict.fromkeys((offset, offset + start)):
        head = data[base : base + 64]
        if head.lstrip().startswith(b"xref"):
            trailer = data.find(b"trailer", base)
            if trailer < 0:
                return "no_trailer"
            end = data.find(b"startxref", trailer, trailer + DICT_WINDOW)
            return data[trailer : end if end >= 0 else trailer + DICT_WINDOW]
        if _OBJECT.match(head):
            end = data.find(b"stream", base, base + DICT_WINDOW)
            dictionary = data[base : end if end >= 0 else base + DICT_WINDOW]
            if b"/XRef" in dictionary:
                return dictionary
    return "xref_not_found"
